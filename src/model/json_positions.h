// JSON positions: where each value of a JSON text starts, by JSON pointer, so
// diagnostics about a field can name its line and column. nlohmann::json 3.11
// (Debian 12) does not record positions, so this small scanner does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace orchestra {

/// A 1-based line and column.
struct TextPosition {
  int line = 1;
  int column = 1;
};

/// JsonPositions maps JSON pointers ("", "/0", "/depends_on/2") of a valid JSON
/// text to the position of the value (for object members: of the member's key).
class JsonPositions {
 public:
  /// Scans `text` (kept), which must be valid JSON (parse it with nlohmann
  /// first). Only the shallow values (the root, its members or elements) are
  /// indexed at once; the first Find of a deeper one indexes the rest, so a
  /// file without problems costs one shallow pass.
  explicit JsonPositions(const std::string& text);

  /// Position of the value at `pointer`; falls back to the nearest recorded
  /// parent, then to 1:1.
  TextPosition Find(const std::string& pointer) const;

  /// Converts a byte offset of `text` to a line and column.
  static TextPosition FromOffset(const std::string& text, size_t offset);

 private:
  static constexpr int kShallowDepth = 1;
  std::string text_;
  std::unordered_map<std::string, TextPosition> shallow_;
  mutable std::unordered_map<std::string, TextPosition> deep_;  // built by the first deep Find
  mutable bool deep_built_ = false;
};

/// Appends `code_point` to `out` as UTF-8 (1 to 4 bytes; the caller
/// passes a valid code point, as a decoded \u escape gives).
void AppendUtf8(uint32_t code_point, std::string* out);

/// The pointer to member `key` of the object at `pointer`, escaping '~' and '/'
/// as RFC 6901 says ("/a~1b" is key "a/b").
std::string JsonPointerChild(const std::string& pointer, const std::string& key);

/// The pointer to element `index` of the array at `pointer`.
std::string JsonPointerChild(const std::string& pointer, size_t index);

}  // namespace orchestra
