#include "text_encoding.h"

#include <string_view>

namespace orchestra {
namespace {

using namespace std::string_view_literals;

/// A byte order mark and the encoding it announces.
struct ByteOrderMark {
  std::string_view bytes;
  const char* encoding;
};

// UTF-32LE's mark begins with UTF-16LE's, so it is tried first.
constexpr ByteOrderMark kByteOrderMarks[] = {
    {"\xFF\xFE\x00\x00"sv, "UTF-32"},
    {"\x00\x00\xFE\xFF"sv, "UTF-32"},
    {"\xFF\xFE"sv, "UTF-16"},
    {"\xFE\xFF"sv, "UTF-16"},
};

// Without a mark: text starting with an ASCII character ('{', '[', a space)
// shows its byte order in which of its first bytes are NUL.
std::string GuessFromNulBytes(std::string_view text) {
  auto nul = [&text](size_t index) { return index < text.size() && text[index] == '\0'; };
  if (!nul(0) && nul(1) && nul(2) && nul(3)) return "UTF-32LE";
  if (nul(0) && nul(1) && nul(2) && !nul(3)) return "UTF-32BE";
  if (!nul(0) && nul(1)) return "UTF-16LE";
  if (nul(0) && !nul(1)) return "UTF-16BE";
  return "UTF-16";
}

}  // namespace

bool DetectWideEncoding(const std::string& text, WideEncoding* encoding) {
  for (const ByteOrderMark& mark : kByteOrderMarks) {
    if (std::string_view(text).starts_with(mark.bytes)) {
      *encoding = {mark.encoding, true};
      return true;
    }
  }
  if (text.find('\0') == std::string::npos) return false;
  *encoding = {GuessFromNulBytes(text), false};
  return true;
}

}  // namespace orchestra
