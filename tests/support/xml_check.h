// A minimal XML well-formedness check for the tests of SVG and HTML output:
// one root element, tags nested and closed, attributes quoted and unique,
// entity references known, no stray '<' or '&'. No DTD or namespace checks.
#pragma once

#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace orchestra::testing {

namespace xml_check_detail {

inline bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.' ||
         static_cast<unsigned char>(c) >= 0x80;
}

/// Checks the text between markup: every '&' starts a known reference.
inline bool CheckText(const std::string& text, std::string* error) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<') {
      *error = "'<' in text";
      return false;
    }
    if (text[i] != '&') continue;
    const size_t end = text.find(';', i);
    const std::string name = end == std::string::npos ? "" : text.substr(i + 1, end - i - 1);
    const bool numeric = name.size() > 1 && name[0] == '#';
    if (!numeric && name != "amp" && name != "lt" && name != "gt" && name != "quot" && name != "apos") {
      *error = "unknown entity reference near: " + text.substr(i, 12);
      return false;
    }
    i = end;
  }
  return true;
}

}  // namespace xml_check_detail

/// True when `text` is well-formed XML; otherwise false with `*error` saying
/// what is wrong and where (byte offset).
inline bool WellFormedXml(const std::string& text, std::string* error) {
  using namespace xml_check_detail;
  std::vector<std::string> open;
  int roots = 0;
  size_t i = 0;
  auto fail = [&](const std::string& what) {
    *error = what + " at offset " + std::to_string(i);
    return false;
  };
  while (i < text.size()) {
    const size_t lt = text.find('<', i);
    const std::string between = text.substr(i, (lt == std::string::npos ? text.size() : lt) - i);
    if (open.empty() && between.find_first_not_of(" \t\r\n") != std::string::npos) return fail("text outside the root");
    if (!CheckText(between, error)) return fail(*error);
    if (lt == std::string::npos) break;
    i = lt;
    auto skip_to = [&](const std::string& terminator) {
      const size_t end = text.find(terminator, i);
      if (end == std::string::npos) return false;
      i = end + terminator.size();
      return true;
    };
    if (text.compare(i, 4, "<!--") == 0) {
      if (!skip_to("-->")) return fail("unterminated comment");
      continue;
    }
    if (text.compare(i, 9, "<![CDATA[") == 0) {
      if (open.empty() || !skip_to("]]>")) return fail("bad CDATA");
      continue;
    }
    if (text.compare(i, 2, "<?") == 0 || text.compare(i, 9, "<!DOCTYPE") == 0) {
      if (!open.empty() || roots > 0 || !skip_to(">")) return fail("misplaced declaration");
      continue;
    }
    const bool closing = text.compare(i, 2, "</") == 0;
    size_t p = i + (closing ? 2 : 1);
    const size_t name_start = p;
    while (p < text.size() && IsNameChar(text[p])) ++p;
    const std::string name = text.substr(name_start, p - name_start);
    if (name.empty()) return fail("tag without a name");
    std::set<std::string> attributes;
    bool self_closing = false;
    while (true) {
      while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
      if (p >= text.size()) return fail("unterminated tag <" + name);
      if (text[p] == '>') break;
      if (!closing && text.compare(p, 2, "/>") == 0) {
        self_closing = true;
        ++p;
        break;
      }
      if (closing) return fail("attributes in a closing tag </" + name);
      const size_t attribute_start = p;
      while (p < text.size() && IsNameChar(text[p])) ++p;
      const std::string attribute = text.substr(attribute_start, p - attribute_start);
      if (attribute.empty() || p >= text.size() || text[p] != '=') return fail("bad attribute in <" + name);
      if (!attributes.insert(attribute).second) return fail("duplicate attribute " + attribute + " in <" + name);
      ++p;
      if (p >= text.size() || (text[p] != '"' && text[p] != '\'')) return fail("unquoted attribute " + attribute);
      const size_t value_end = text.find(text[p], p + 1);
      if (value_end == std::string::npos) return fail("unterminated attribute " + attribute);
      if (!CheckText(text.substr(p + 1, value_end - p - 1), error)) return fail(*error);
      p = value_end + 1;
    }
    i = p + 1;
    if (closing) {
      if (open.empty() || open.back() != name) return fail("</" + name + "> does not close the open element");
      open.pop_back();
      continue;
    }
    if (open.empty() && ++roots > 1) return fail("a second root element <" + name);
    if (!self_closing) open.push_back(name);
  }
  if (!open.empty()) return fail("<" + open.back() + "> is never closed");
  if (roots != 1) return fail("no root element");
  return true;
}

/// How many times `needle` occurs in `text`.
inline int CountOccurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

}  // namespace orchestra::testing
