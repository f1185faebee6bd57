// JsonWriter: pretty-printed JSON written as it is produced.
#include "json_writer.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace orchestra {

namespace {

constexpr size_t kBlockBytes = 1 << 16;

/// True when nlohmann writes `value` as it is between quotes: printable ASCII
/// without a quote or a backslash.
bool NeedsNoEscape(std::string_view value) {
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7E || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

void JsonWriter::Indent(size_t depth) { text_.append(2 * depth, ' '); }

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (counts_.empty()) return;
  text_ += counts_.back()++ ? ",\n" : "\n";
  Indent(counts_.size());
}

void JsonWriter::BeginObject() {
  BeforeValue();
  text_ += '{';
  counts_.push_back(0);
}

void JsonWriter::BeginArray() {
  BeforeValue();
  text_ += '[';
  counts_.push_back(0);
}

void JsonWriter::EndObject() {
  const size_t count = counts_.back();
  counts_.pop_back();
  if (count) {
    text_ += '\n';
    Indent(counts_.size());
  }
  text_ += '}';
  FlushIfLarge();
}

void JsonWriter::EndArray() {
  const size_t count = counts_.back();
  counts_.pop_back();
  if (count) {
    text_ += '\n';
    Indent(counts_.size());
  }
  text_ += ']';
  FlushIfLarge();
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  Quoted(key);
  text_ += ": ";
  after_key_ = true;
}

void JsonWriter::Quoted(std::string_view value) {
  if (NeedsNoEscape(value)) {
    text_ += '"';
    text_ += value;
    text_ += '"';
  } else {
    text_ += nlohmann::json(std::string(value)).dump();
  }
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  Quoted(value);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  text_.append(buffer, end);
}

void JsonWriter::Double(double value) {
  BeforeValue();
  // An integral value below 10^15 is its digits and ".0" in nlohmann's form;
  // the rest (fractions, large values, -0.0, NaN) is written by nlohmann.
  if (value != 0 && std::abs(value) < 1e15 && std::trunc(value) == value) {
    char buffer[24];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, static_cast<int64_t>(value)).ptr;
    text_.append(buffer, end);
    text_ += ".0";
  } else {
    text_ += nlohmann::json(value).dump();
  }
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  text_ += value ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  text_ += "null";
}

void JsonWriter::FlushIfLarge() {
  if (!out_ || text_.size() < kBlockBytes) return;
  failed_ |= std::fwrite(text_.data(), 1, text_.size(), out_) != text_.size();
  text_.clear();
}

bool JsonWriter::Finish(bool newline) {
  if (newline) text_ += '\n';
  if (out_) {
    failed_ |= std::fwrite(text_.data(), 1, text_.size(), out_) != text_.size();
    text_.clear();
    failed_ |= std::fflush(out_) != 0;
  }
  return !failed_;
}

}  // namespace orchestra
