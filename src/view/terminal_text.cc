#include "terminal_text.h"

#include <algorithm>
#include <iterator>

namespace orchestra {

namespace {

struct Range {
  char32_t first;
  char32_t last;
};

// Zero-width code points: combining marks, zero-width spaces and joiners,
// variation selectors. The common blocks, not every mark in Unicode.
constexpr Range kZeroWidth[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
    {0x202A, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
    {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF}};

// Code points terminals draw two columns wide: East Asian wide and fullwidth
// (Hangul, CJK, kana, fullwidth forms) and the emoji blocks.
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F0},
    {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},
    {0x2693, 0x2693},   {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},
    {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
    {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB},
    {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};

template <size_t N>
bool InRanges(const Range (&ranges)[N], char32_t code_point) {
  const Range* found = std::lower_bound(std::begin(ranges), std::end(ranges), code_point,
                                        [](const Range& range, char32_t value) { return range.last < value; });
  return found != std::end(ranges) && found->first <= code_point;
}

int CodePointWidth(char32_t code_point) {
  if (code_point < 0x20 || (code_point >= 0x7F && code_point < 0xA0)) return 0;  // controls
  if (InRanges(kZeroWidth, code_point)) return 0;
  return InRanges(kWide, code_point) ? 2 : 1;
}

/// One piece of text a terminal reads as a unit: an escape sequence or a character.
struct Piece {
  size_t size = 1;  // bytes
  int width = 0;    // columns
  bool escape = false;
};

/// The escape sequence at text[0] (which is ESC): CSI (ESC [ … final byte),
/// OSC (ESC ] … BEL or ESC \), or ESC and one more byte.
size_t EscapeSize(std::string_view text) {
  if (text.size() < 2) return text.size();
  if (text[1] == '[') {
    size_t end = 2;
    while (end < text.size() && !(text[end] >= 0x40 && text[end] <= 0x7E)) ++end;
    return std::min(end + 1, text.size());
  }
  if (text[1] == ']') {
    for (size_t end = 2; end < text.size(); ++end) {
      if (text[end] == '\a') return end + 1;
      if (text[end] == '\033' && end + 1 < text.size() && text[end + 1] == '\\') return end + 2;
    }
    return text.size();
  }
  return 2;
}

/// The UTF-8 sequence at text[0]; an invalid or cut one is one byte, one column.
Piece CharacterAt(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return {1, CodePointWidth(lead), false};
  size_t size = 0;
  char32_t code_point = 0;
  if ((lead & 0xE0) == 0xC0) {
    size = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    size = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    size = 4;
    code_point = lead & 0x07;
  } else {
    return {1, 1, false};
  }
  if (text.size() < size) return {1, 1, false};
  for (size_t i = 1; i < size; ++i) {
    const auto next = static_cast<unsigned char>(text[i]);
    if ((next & 0xC0) != 0x80) return {1, 1, false};
    code_point = (code_point << 6) | (next & 0x3F);
  }
  return {size, CodePointWidth(code_point), false};
}

Piece PieceAt(std::string_view text) {
  if (text[0] == '\033') return {EscapeSize(text), 0, true};
  return CharacterAt(text);
}

}  // namespace

int DisplayWidth(std::string_view text) {
  int width = 0;
  for (size_t at = 0; at < text.size();) {
    const Piece piece = PieceAt(text.substr(at));
    width += piece.width;
    at += piece.size;
  }
  return width;
}

std::string FitToWidth(std::string_view text, int columns) {
  if (columns < 1) return "";
  if (DisplayWidth(text) <= columns) return std::string(text);
  std::string fitted;
  bool has_escapes = false;
  int width = 0;
  for (size_t at = 0; at < text.size();) {
    const Piece piece = PieceAt(text.substr(at));
    has_escapes = has_escapes || piece.escape;
    if (piece.escape || width + piece.width <= columns - 1) {
      if (piece.escape && width >= columns - 1) break;  // nothing of it would show
      fitted.append(text.substr(at, piece.size));
      width += piece.width;
    } else {
      break;
    }
    at += piece.size;
  }
  fitted += "…";
  if (has_escapes) fitted += "\033[0m";
  return fitted;
}

}  // namespace orchestra
