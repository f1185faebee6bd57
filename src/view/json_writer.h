// JsonWriter: pretty-printed JSON written as it is produced, for documents too
// large to build first (`orchestra status --json` on 100,000 workstreams).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace orchestra {

/// Writes JSON byte for byte as nlohmann::json::dump(2) writes the same
/// document: two-space indents, `"key": value`, `{}` and `[]` when empty,
/// strings escaped alike (invalid UTF-8 throws nlohmann's type_error, as dump
/// does), numbers in the same form. nlohmann's objects sort their keys, so the
/// caller writes an object's keys in sorted (byte) order. The text goes to
/// `out` in blocks (Finish writes the rest), or is kept for Text() when `out`
/// is null.
class JsonWriter {
 public:
  explicit JsonWriter(std::FILE* out = nullptr) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  /// The next member's key, inside an object.
  void Key(std::string_view key);

  void String(std::string_view value);
  void Int(int64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();

  /// Writes what is left to `out` and a final newline if `newline`; false
  /// when writing failed.
  bool Finish(bool newline);
  /// The text so far, when there is no `out`.
  const std::string& Text() const { return text_; }

 private:
  /// Before a value: the separator and indent an array element needs.
  void BeforeValue();
  void Indent(size_t depth);
  void Quoted(std::string_view value);
  void FlushIfLarge();

  std::FILE* out_;
  std::string text_;
  /// Per open container: members or elements written so far.
  std::vector<size_t> counts_;
  bool after_key_ = false;
  bool failed_ = false;
};

}  // namespace orchestra
