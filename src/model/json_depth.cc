#include "json_depth.h"

namespace orchestra {
namespace {

// The offset of the closing quote of the string opened at `open`, or the
// text's end when it is unterminated.
size_t StringEnd(const std::string& text, size_t open) {
  for (size_t index = open + 1; index < text.size(); ++index) {
    if (text[index] == '\\') {
      ++index;
    } else if (text[index] == '"') {
      return index;
    }
  }
  return text.size();
}

// The last offset of the comment ("//" to the end of the line, "/* */")
// starting at `start`, or `start` when none starts there.
size_t CommentEnd(const std::string& text, size_t start) {
  if (text.compare(start, 2, "//") == 0) {
    const size_t end = text.find('\n', start);
    return end == std::string::npos ? text.size() : end;
  }
  if (text.compare(start, 2, "/*") == 0) {
    const size_t end = text.find("*/", start + 2);
    return end == std::string::npos ? text.size() : end + 1;
  }
  return start;
}

}  // namespace

size_t FindTooDeep(const std::string& text, int max_depth) {
  int depth = 0;
  for (size_t index = 0; index < text.size(); ++index) {
    const char c = text[index];
    if (c == '"') {
      index = StringEnd(text, index);
    } else if (c == '/') {
      index = CommentEnd(text, index);
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return index;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string::npos;
}

}  // namespace orchestra
