#include "agent_output.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace orchestra {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

/// The position of `needle` in `text` at or after `from`, ignoring ASCII case; npos when absent.
size_t FindNoCase(std::string_view text, std::string_view needle, size_t from = 0) {
  if (needle.empty() || text.size() < needle.size()) return std::string_view::npos;
  for (size_t at = from; at + needle.size() <= text.size(); ++at) {
    size_t matched = 0;
    while (matched < needle.size() && Lower(text[at + matched]) == Lower(needle[matched])) ++matched;
    if (matched == needle.size()) return at;
  }
  return std::string_view::npos;
}

/// A span [open, close] of balanced braces, outside JSON strings.
struct BraceSpan {
  size_t open;
  size_t close;
};

/// Every balanced {...} span of `text`, by opening position. A string state
/// ends at a newline (JSON strings hold none), so a stray quote in the text
/// around the JSON cannot hide the objects on later lines.
std::vector<BraceSpan> BalancedSpans(std::string_view text) {
  std::vector<BraceSpan> spans;
  std::vector<size_t> open_braces;
  bool in_string = false;
  for (size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    if (c == '\n') {
      in_string = false;
    } else if (in_string) {
      if (c == '\\') {
        ++at;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      open_braces.push_back(at);
    } else if (c == '}' && !open_braces.empty()) {
      spans.push_back({open_braces.back(), at});
      open_braces.pop_back();
    }
  }
  std::sort(spans.begin(), spans.end(), [](const BraceSpan& a, const BraceSpan& b) { return a.open < b.open; });
  return spans;
}

/// Seconds per unit at the start of `text` ("ms", "s", "seconds", "m", "min", "h"), and its length.
double UnitSeconds(std::string_view text, size_t* length) {
  struct Unit {
    const char* name;
    double seconds;
  };
  static const Unit kUnits[] = {{"milliseconds", 0.001}, {"ms", 0.001},   {"seconds", 1},  {"second", 1},
                                {"secs", 1},            {"sec", 1},       {"s", 1},        {"minutes", 60},
                                {"minute", 60},         {"mins", 60},     {"min", 60},     {"m", 60},
                                {"hours", 3600},        {"hour", 3600},   {"h", 3600}};
  for (const Unit& unit : kUnits) {
    const std::string_view name(unit.name);
    if (text.size() >= name.size() && FindNoCase(text.substr(0, name.size()), name) == 0) {
      *length = name.size();
      return unit.seconds;
    }
  }
  *length = 0;
  return 1;
}

/// Reads "30", "1.5m", "1m30s", "41.2s" at the start of `text`.
std::optional<double> ParseDuration(std::string_view text) {
  double total = 0;
  size_t at = 0;
  bool any = false;
  while (at < text.size() && IsDigit(text[at])) {
    size_t end = at;
    while (end < text.size() && (IsDigit(text[end]) || text[end] == '.')) ++end;
    const double number = std::strtod(std::string(text.substr(at, end - at)).c_str(), nullptr);
    size_t space = end;
    while (space < text.size() && text[space] == ' ') ++space;
    size_t unit_length = 0;
    const double unit = UnitSeconds(text.substr(space), &unit_length);
    total += number * unit;
    any = true;
    if (unit_length == 0) break;
    at = space + unit_length;
  }
  if (!any) return std::nullopt;
  return total;
}

/// The length of the UTF-8 character starting `text` (1 to 4), or 0 when it is not one.
size_t Utf8Length(std::string_view text) {
  const auto byte = [&](size_t index) { return static_cast<unsigned char>(text[index]); };
  const unsigned char lead = byte(0);
  const size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || length > text.size() || (length == 2 && lead < 0xC2)) return 0;
  for (size_t index = 1; index < length; ++index) {
    if ((byte(index) & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

std::string AgentText(std::string_view output) {
  std::string text;
  text.reserve(output.size());
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    end = end == std::string_view::npos ? output.size() : end + 1;
    const std::string_view line = output.substr(start, end - start);
    if (line.substr(0, 11) != "orchestra: ") text.append(line);
    start = end;
  }
  return text;
}

std::vector<nlohmann::json> JsonObjectsIn(std::string_view text) {
  std::vector<nlohmann::json> objects;
  size_t taken_until = 0;  // objects found so far end before this position
  for (const BraceSpan& span : BalancedSpans(text)) {
    if (span.open < taken_until) continue;
    const std::string_view candidate = text.substr(span.open, span.close - span.open + 1);
    nlohmann::json object = nlohmann::json::parse(candidate.begin(), candidate.end(), nullptr, false);
    if (object.is_discarded() || !object.is_object()) continue;
    objects.push_back(std::move(object));
    taken_until = span.close + 1;
  }
  return objects;
}

std::string JsonString(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

int64_t JsonInteger(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return 0;
  const auto found = object.find(key);
  if (found == object.end()) return 0;
  if (found->is_number_integer()) return found->get<int64_t>();
  if (found->is_number_unsigned()) return static_cast<int64_t>(found->get<uint64_t>());
  if (found->is_number_float()) {
    const double value = found->get<double>();
    // llround outside int64 (and of NaN) is no number at all.
    if (!(std::fabs(value) < 9e18)) return 0;
    return static_cast<int64_t>(std::llround(value));
  }
  if (found->is_string()) {
    const std::string digits = found->get<std::string>();
    if (!digits.empty() && std::all_of(digits.begin(), digits.end(), IsDigit) && digits.size() < 18) {
      return std::stoll(digits);
    }
  }
  return 0;
}

int64_t JsonCount(const nlohmann::json& object, const char* key) {
  const int64_t value = JsonInteger(object, key);
  return value >= 0 && static_cast<double>(value) <= kMaxTokenCount ? value : 0;
}

bool ContainsNoCase(std::string_view text, std::string_view needle) {
  return FindNoCase(text, needle) != std::string_view::npos;
}

bool MentionsStatus(std::string_view text, int code) {
  const std::string digits = std::to_string(code);
  for (size_t at = text.find(digits); at != std::string_view::npos; at = text.find(digits, at + 1)) {
    const bool starts = at == 0 || !IsDigit(text[at - 1]);
    const size_t end = at + digits.size();
    const bool ends = end == text.size() || !IsDigit(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

std::optional<double> RetryAfterSeconds(std::string_view text) {
  static const std::string_view kKeys[] = {"retry-after", "retry after", "retry in", "try again in",
                                           "retrydelay", "retry_after"};
  for (const std::string_view key : kKeys) {
    for (size_t at = FindNoCase(text, key); at != std::string_view::npos; at = FindNoCase(text, key, at + 1)) {
      size_t value = at + key.size();
      // Skip what separates a key from its value: `: `, `": "`, `=`.
      for (int skipped = 0; skipped < 6 && value < text.size() && !IsDigit(text[value]); ++skipped) {
        const char c = text[value];
        if (c != ' ' && c != ':' && c != '"' && c != '=' && c != '\'') break;
        ++value;
      }
      if (const std::optional<double> seconds = ParseDuration(text.substr(value))) return seconds;
    }
  }
  return std::nullopt;
}

std::optional<int64_t> ParseTokenCount(std::string_view text) {
  size_t end = 0;
  while (end < text.size() && (IsDigit(text[end]) || text[end] == '.' || text[end] == ',')) ++end;
  std::string number(text.substr(0, end));
  number.erase(std::remove(number.begin(), number.end(), ','), number.end());
  if (number.empty() || !IsDigit(number[0])) return std::nullopt;
  double value = std::strtod(number.c_str(), nullptr);
  if (end < text.size()) {
    const char suffix = text[end];
    if (suffix == 'k' || suffix == 'K') value *= 1e3;
    if (suffix == 'M') value *= 1e6;
  }
  // Beyond any real count, and beyond int64 (llround's result there is
  // undefined, and sums of such counts overflowed: found by fuzz/agent_output_fuzz).
  if (!(value <= kMaxTokenCount)) return std::nullopt;
  return static_cast<int64_t>(std::llround(value));
}

std::string Excerpt(std::string_view text, size_t limit) {
  std::string line;
  for (size_t at = 0; at < text.size();) {
    const size_t length = Utf8Length(text.substr(at));
    if (length == 0) {  // not UTF-8: the reason ends up in JSON, which must be
      line.push_back('?');
      ++at;
      continue;
    }
    const char c = text[at];
    const char flat = c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
    if (length > 1) {
      line.append(text.substr(at, length));
    } else if (flat != ' ' || (!line.empty() && line.back() != ' ')) {
      line.push_back(flat);
    }
    at += length;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.size() > limit) {
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    line = line.substr(0, cut) + "...";
  }
  return line;
}

}  // namespace orchestra
