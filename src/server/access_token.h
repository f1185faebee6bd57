// Who may talk to the dashboard. Bound to the loopback interface it answers
// anyone on this machine; bound anywhere else it needs a token, which every
// request must carry (`Authorization: Bearer T`, or `?token=T` for the page
// and EventSource, which cannot set headers).
#pragma once

#include <string>

namespace orchestra {

/// True for addresses only this machine can reach: 127.0.0.0/8, ::1 and
/// "localhost".
bool IsLoopbackAddress(const std::string& address);

/// A fresh token: 32 hexadecimal digits from /dev/urandom. "" when it cannot
/// be read.
std::string GenerateToken();

/// True when `expected` is empty (no token set), or when the Authorization
/// header is exactly "Bearer <expected>" or the query's token is `expected`.
/// Compared in constant time.
bool TokenAccepted(const std::string& expected, const std::string& authorization,
                   const std::string& query_token);

/// True when the Host header names the loopback interface ("127.0.0.1:8765",
/// "localhost", "[::1]:80"): a page from another site that re-points its own
/// name at 127.0.0.1 (DNS rebinding) sends its own name and is refused.
bool IsLoopbackHost(const std::string& host_header);

}  // namespace orchestra
