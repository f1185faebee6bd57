#include "access_token.h"

#include <arpa/inet.h>

#include <cstdio>
#include <fstream>

namespace orchestra {
namespace {

/// Equal strings, in time independent of where they first differ.
bool SameText(const std::string& left, const std::string& right) {
  unsigned char difference = left.size() == right.size() ? 0 : 1;
  for (size_t i = 0; i < left.size(); ++i) {
    difference |= static_cast<unsigned char>(left[i] ^ (i < right.size() ? right[i] : 0));
  }
  return difference == 0;
}

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  if (address == "localhost" || address == "::1") return true;
  in_addr ipv4{};
  return inet_pton(AF_INET, address.c_str(), &ipv4) == 1 && (ntohl(ipv4.s_addr) >> 24) == 127;
}

std::string GenerateToken() {
  std::ifstream random("/dev/urandom", std::ios::binary);
  unsigned char bytes[16];
  if (!random.read(reinterpret_cast<char*>(bytes), sizeof bytes)) return "";
  std::string token;
  for (unsigned char byte : bytes) {
    char digits[3];
    std::snprintf(digits, sizeof digits, "%02x", byte);
    token += digits;
  }
  return token;
}

bool TokenAccepted(const std::string& expected, const std::string& authorization,
                   const std::string& query_token) {
  if (expected.empty()) return true;
  return SameText(authorization, "Bearer " + expected) || SameText(query_token, expected);
}

bool IsLoopbackHost(const std::string& host_header) {
  std::string host = host_header;
  if (host.starts_with("[")) {
    const size_t close = host.find(']');
    if (close == std::string::npos) return false;
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return IsLoopbackAddress(host);
}

}  // namespace orchestra
