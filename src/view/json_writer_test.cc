#include "json_writer.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

namespace orchestra {
namespace {

/// Writes a parsed document through the writer (nlohmann iterates an object's
/// keys in sorted order, as the writer expects them).
void Write(const nlohmann::json& value, JsonWriter* writer) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      writer->BeginObject();
      for (const auto& [key, member] : value.items()) {
        writer->Key(key);
        Write(member, writer);
      }
      writer->EndObject();
      break;
    case nlohmann::json::value_t::array:
      writer->BeginArray();
      for (const nlohmann::json& element : value) Write(element, writer);
      writer->EndArray();
      break;
    case nlohmann::json::value_t::string:
      writer->String(value.get_ref<const std::string&>());
      break;
    case nlohmann::json::value_t::boolean:
      writer->Bool(value.get<bool>());
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      writer->Int(value.get<int64_t>());
      break;
    case nlohmann::json::value_t::number_float:
      writer->Double(value.get<double>());
      break;
    default:
      writer->Null();
  }
}

std::string Streamed(const nlohmann::json& value) {
  JsonWriter writer;
  Write(value, &writer);
  EXPECT_TRUE(writer.Finish(true));
  return writer.Text();
}

TEST(JsonWriterTest, WritesWhatDumpTwoWritesForTheSameDocument) {
  nlohmann::json document = {
      {"empty_object", nlohmann::json::object()},
      {"empty_array", nlohmann::json::array()},
      {"nested", {{"a", {1, 2, {{"b", nlohmann::json::array()}}}}, {"c", nullptr}}},
      {"strings", {"plain", "quote \" and \\ backslash", "tab\tnew\nline\r\b\f", std::string("nul\0x", 5),
                   "\x01\x1f\x7f", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "", "/slash"}},
      {"integers", {0, -1, 42, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}},
      {"doubles", {0.0, -0.0, 0.5, 2.0, -3.0, 0.1, 1.0 / 3, 1e-7, 1e20, 123456789012345.0, 1e15, 999999999999999.0,
                   -1e15, 1.5e300, std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::infinity()}},
      {"booleans", {true, false}},
      {"", "empty key"},
      {"Zebra", "capital keys sort first"}};
  EXPECT_EQ(Streamed(document), document.dump(2) + "\n");
  for (const nlohmann::json& scalar : {nlohmann::json(1), nlohmann::json("x"), nlohmann::json(nullptr)}) {
    EXPECT_EQ(Streamed(scalar), scalar.dump(2) + "\n");
  }
}

TEST(JsonWriterTest, InvalidUtf8ThrowsAsDumpDoes) {
  JsonWriter writer;
  writer.BeginArray();
  EXPECT_THROW(writer.String("bad \xC3"), nlohmann::json::type_error);
}

TEST(JsonWriterTest, WritesToAFileInBlocksAndWholeAtTheEnd) {
  nlohmann::json document = nlohmann::json::array();
  for (int i = 0; i < 20000; ++i) document.push_back({{"id", "ws-" + std::to_string(i)}, {"n", i}});
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  JsonWriter writer(file);
  Write(document, &writer);
  EXPECT_TRUE(writer.Finish(true));
  EXPECT_EQ(writer.Text(), "");
  std::string written(static_cast<size_t>(std::ftell(file)), '\0');
  std::rewind(file);
  ASSERT_EQ(std::fread(written.data(), 1, written.size(), file), written.size());
  std::fclose(file);
  EXPECT_GT(written.size(), size_t{1} << 16);  // more than one block
  EXPECT_EQ(written, document.dump(2) + "\n");
}

}  // namespace
}  // namespace orchestra
