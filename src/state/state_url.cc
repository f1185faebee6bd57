#include "state_url.h"

#include <cctype>
#include <string_view>
#include <vector>

namespace orchestra {
namespace {

constexpr const char* kMask = "***";

bool StartsWith(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

/// [begin, end) of the password after `user:` in the authority, or begin ==
/// end when there is none.
std::pair<size_t, size_t> UserPassword(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return {0, 0};
  const size_t authority = scheme + 3;
  size_t authority_end = url.find_first_of("/?", authority);
  if (authority_end == std::string::npos) authority_end = url.size();
  const size_t at = url.rfind('@', authority_end - 1);
  if (at == std::string::npos || at < authority) return {0, 0};
  const size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return {0, 0};
  return {colon + 1, at};
}

/// [begin, end) of each `password=` value in the query string.
std::vector<std::pair<size_t, size_t>> QueryPasswords(const std::string& url) {
  std::vector<std::pair<size_t, size_t>> found;
  const size_t query = url.find('?');
  if (query == std::string::npos) return found;
  for (size_t start = query + 1; start < url.size();) {
    size_t end = url.find('&', start);
    if (end == std::string::npos) end = url.size();
    const std::string_view parameter(url.data() + start, end - start);
    if (parameter.substr(0, 9) == "password=") found.emplace_back(start + 9, end);
    start = end + 1;
  }
  return found;
}

/// Every password of `url`, as written.
std::vector<std::string> Passwords(const std::string& url) {
  std::vector<std::string> passwords;
  const auto [begin, end] = UserPassword(url);
  if (end > begin) passwords.push_back(url.substr(begin, end - begin));
  for (const auto& [query_begin, query_end] : QueryPasswords(url)) {
    if (query_end > query_begin) passwords.push_back(url.substr(query_begin, query_end - query_begin));
  }
  return passwords;
}

}  // namespace

bool IsPostgresUrl(const std::string& location) {
  return StartsWith(location, "postgresql://") || StartsWith(location, "postgres://");
}

std::string RedactUrl(const std::string& url) {
  std::string redacted = url;
  // From the back, so earlier positions stay valid.
  std::vector<std::pair<size_t, size_t>> spans = QueryPasswords(url);
  for (auto span = spans.rbegin(); span != spans.rend(); ++span) {
    if (span->second > span->first) redacted.replace(span->first, span->second - span->first, kMask);
  }
  const auto [begin, end] = UserPassword(url);
  if (end > begin) redacted.replace(begin, end - begin, kMask);
  return redacted;
}

std::string StateDisplayName(const std::string& location) {
  return IsPostgresUrl(location) ? RedactUrl(location) : location;
}

std::string RedactPasswordOf(const std::string& url, const std::string& text) {
  std::string redacted = text;
  for (const std::string& password : Passwords(url)) {
    for (size_t at = redacted.find(password); at != std::string::npos;
         at = redacted.find(password, at + std::string_view(kMask).size())) {
      redacted.replace(at, password.size(), kMask);
    }
  }
  return redacted;
}

std::string PostgresMessage(const std::string& url, const std::string& message) {
  std::string line;
  for (size_t start = 0; start < message.size();) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    size_t first = start, last = end;
    while (first < last && std::isspace(static_cast<unsigned char>(message[first]))) ++first;
    while (last > first && std::isspace(static_cast<unsigned char>(message[last - 1]))) --last;
    if (last > first) line += (line.empty() ? "" : "; ") + message.substr(first, last - first);
    start = end + 1;
  }
  if (line.rfind("ERROR:", 0) == 0) line.erase(0, line.find_first_not_of(' ', 6));
  return RedactPasswordOf(url, line);
}

}  // namespace orchestra
