#include "json_positions.h"

#include <cstdint>

#include "json_depth.h"

namespace orchestra {
namespace {

constexpr char kByteOrderMark[] = "\xEF\xBB\xBF";  // UTF-8

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// PositionCursor turns increasing byte offsets into lines and columns in one
/// pass over the text, so recording every value stays linear even when a whole
/// file sits on one line. Columns count code points, as editors show them.
class PositionCursor {
 public:
  // A byte order mark takes no column: editors do not show it.
  explicit PositionCursor(const std::string& text)
      : text_(text), offset_(text.compare(0, 3, kByteOrderMark) == 0 ? 3 : 0) {}

  /// Position of `offset`, which must not be below the previous call's.
  TextPosition AdvanceTo(size_t offset) {
    if (offset > text_.size()) offset = text_.size();
    for (; offset_ < offset; ++offset_) {
      const char c = text_[offset_];
      if (c == '\n') {
        ++position_.line;
        position_.column = 1;
      } else if (!IsUtf8Continuation(c)) {
        ++position_.column;
      }
    }
    return position_;
  }

 private:
  const std::string& text_;
  size_t offset_;
  TextPosition position_;
};

/// Scanner walks a JSON text by recursive descent and records where each value
/// starts. It trusts the text to be valid (nlohmann has parsed it), but checks
/// every bound and simply stops at anything unexpected.
class Scanner {
 public:
  /// Records the values down to `record_depth` (the root is depth 0).
  Scanner(const std::string& text, int record_depth, std::unordered_map<std::string, TextPosition>* positions)
      : text_(text), cursor_(text), positions_(positions), record_depth_(record_depth) {}

  void Run() {
    if (text_.compare(0, 3, kByteOrderMark) == 0) offset_ = 3;
    SkipWhitespace();
    Record("");
    ScanValue("", 0);
  }

 private:
  // Values deeper than the loader allows are skipped, not recorded, so the
  // recursion stays bounded whatever the input.
  bool ScanValue(const std::string& pointer, int depth) {
    if (depth >= kMaxJsonDepth) return SkipValue();
    switch (Peek()) {
      case '{': return ScanObject(pointer, depth);
      case '[': return ScanArray(pointer, depth);
      case '"': return ReadString(nullptr);
      default: return SkipScalar();
    }
  }

  bool ScanObject(const std::string& pointer, int depth) {
    ++offset_;  // '{'
    SkipWhitespace();
    if (ConsumeClosing('}')) return true;
    const bool record = depth + 1 <= record_depth_;
    while (true) {
      const size_t key_offset = offset_;
      std::string key;
      if (!ReadString(record ? &key : nullptr)) return false;
      // Below the recorded depth no pointer is built: nothing would use it.
      const std::string member = record ? JsonPointerChild(pointer, key) : std::string();
      if (record) RecordAt(member, key_offset);
      SkipWhitespace();
      if (Peek() != ':') return false;
      ++offset_;
      SkipWhitespace();
      if (!ScanValue(member, depth + 1)) return false;
      if (!ConsumeSeparator()) return ConsumeClosing('}');
    }
  }

  bool ScanArray(const std::string& pointer, int depth) {
    ++offset_;  // '['
    SkipWhitespace();
    if (ConsumeClosing(']')) return true;
    const bool record = depth + 1 <= record_depth_;
    for (size_t index = 0;; ++index) {
      const std::string element = record ? JsonPointerChild(pointer, index) : std::string();
      if (record) Record(element);
      if (!ScanValue(element, depth + 1)) return false;
      if (!ConsumeSeparator()) return ConsumeClosing(']');
    }
  }

  // After a member or element: true when a ',' says another one follows.
  bool ConsumeSeparator() {
    SkipWhitespace();
    if (Peek() != ',') return false;
    ++offset_;
    SkipWhitespace();
    return true;
  }

  bool ConsumeClosing(char closing) {
    if (Peek() != closing) return false;
    ++offset_;
    return true;
  }

  // Reads the string at offset_, decoding escapes into `decoded` when given.
  bool ReadString(std::string* decoded) {
    if (Peek() != '"') return false;
    ++offset_;
    while (offset_ < text_.size()) {
      const char c = text_[offset_++];
      if (c == '"') return true;
      if (c != '\\') {
        if (decoded != nullptr) decoded->push_back(c);
        continue;
      }
      if (!ReadEscape(decoded)) return false;
    }
    return false;
  }

  bool ReadEscape(std::string* decoded) {
    if (offset_ >= text_.size()) return false;
    const char c = text_[offset_++];
    if (c == 'u') return ReadUnicodeEscape(decoded);
    if (decoded == nullptr) return true;
    switch (c) {
      case 'b': decoded->push_back('\b'); break;
      case 'f': decoded->push_back('\f'); break;
      case 'n': decoded->push_back('\n'); break;
      case 'r': decoded->push_back('\r'); break;
      case 't': decoded->push_back('\t'); break;
      default: decoded->push_back(c); break;  // '"', '\\', '/'
    }
    return true;
  }

  // After "\u": four hex digits, and a second escape for a surrogate pair.
  bool ReadUnicodeEscape(std::string* decoded) {
    uint32_t code_point = 0;
    if (!ReadHex4(&code_point)) return false;
    if (code_point >= 0xD800 && code_point <= 0xDBFF && text_.compare(offset_, 2, "\\u") == 0) {
      offset_ += 2;
      uint32_t low = 0;
      if (!ReadHex4(&low)) return false;
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    if (decoded != nullptr) AppendUtf8(code_point, decoded);
    return true;
  }

  bool ReadHex4(uint32_t* value) {
    if (offset_ + 4 > text_.size()) return false;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[offset_++];
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0) return false;
      *value = *value * 16 + static_cast<uint32_t>(digit);
    }
    return true;
  }

  // A number, true, false or null: runs up to the next delimiter.
  bool SkipScalar() {
    const size_t start = offset_;
    while (offset_ < text_.size()) {
      const char c = text_[offset_];
      if (c == ',' || c == '}' || c == ']' || IsWhitespace(c)) break;
      ++offset_;
    }
    return offset_ > start;
  }

  // Skips a value too deep to record, counting brackets instead of recursing.
  bool SkipValue() {
    int open = 0;
    do {
      if (offset_ >= text_.size()) return false;
      const char c = text_[offset_];
      if (c == '"') {
        if (!ReadString(nullptr)) return false;
      } else if (open == 0 && c != '{' && c != '[') {
        return SkipScalar();
      } else {
        if (c == '{' || c == '[') ++open;
        if (c == '}' || c == ']') --open;
        ++offset_;
      }
    } while (open > 0);
    return true;
  }

  static bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  void SkipWhitespace() {
    while (offset_ < text_.size() && IsWhitespace(text_[offset_])) ++offset_;
  }

  char Peek() const { return offset_ < text_.size() ? text_[offset_] : '\0'; }

  void Record(const std::string& pointer) { RecordAt(pointer, offset_); }

  void RecordAt(const std::string& pointer, size_t offset) {
    (*positions_)[pointer] = cursor_.AdvanceTo(offset);
  }

  const std::string& text_;
  size_t offset_ = 0;
  PositionCursor cursor_;
  std::unordered_map<std::string, TextPosition>* positions_;
  int record_depth_;
};

/// Depth of a pointer: "" 0, "/a" 1, "/a/0" 2.
int PointerDepth(const std::string& pointer) {
  int depth = 0;
  for (char c : pointer) depth += c == '/';
  return depth;
}

}  // namespace

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

JsonPositions::JsonPositions(const std::string& text) : text_(text) {
  Scanner(text_, kShallowDepth, &shallow_).Run();
}

TextPosition JsonPositions::Find(const std::string& pointer) const {
  const bool deep = PointerDepth(pointer) > kShallowDepth;
  if (deep && !deep_built_) {
    Scanner(text_, kMaxJsonDepth, &deep_).Run();
    deep_built_ = true;
  }
  const std::unordered_map<std::string, TextPosition>& positions = deep ? deep_ : shallow_;
  std::string prefix = pointer;
  while (true) {
    auto found = positions.find(prefix);
    if (found != positions.end()) return found->second;
    if (prefix.empty()) return TextPosition();
    const size_t parent_end = prefix.rfind('/');
    prefix.erase(parent_end == std::string::npos ? 0 : parent_end);
  }
}

TextPosition JsonPositions::FromOffset(const std::string& text, size_t offset) {
  return PositionCursor(text).AdvanceTo(offset);
}

std::string JsonPointerChild(const std::string& pointer, const std::string& key) {
  std::string child = pointer + "/";
  for (char c : key) {
    if (c == '~') {
      child += "~0";
    } else if (c == '/') {
      child += "~1";
    } else {
      child.push_back(c);
    }
  }
  return child;
}

std::string JsonPointerChild(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

}  // namespace orchestra
