#include "json_positions.h"

#include <gtest/gtest.h>

#include <string>

namespace orchestra {
namespace {

// Expects `pointer` at `line`:`column`.
void ExpectAt(const JsonPositions& positions, const std::string& pointer, int line, int column) {
  const TextPosition position = positions.Find(pointer);
  EXPECT_EQ(position.line, line) << "pointer '" << pointer << "'";
  EXPECT_EQ(position.column, column) << "pointer '" << pointer << "'";
}

TEST(JsonPositionsTest, RecordsNestedArraysAndObjects) {
  const std::string text =
      "{\n"
      "  \"a\": [1, [2, 3], {\"b\": null}],\n"
      "  \"c\": {\"d\": {\"e\": \"x\"}},\n"
      "  \"f\": []\n"
      "}\n";
  const JsonPositions positions(text);
  ExpectAt(positions, "", 1, 1);
  ExpectAt(positions, "/a", 2, 3);  // members point at their key
  ExpectAt(positions, "/a/0", 2, 9);
  ExpectAt(positions, "/a/1", 2, 12);
  ExpectAt(positions, "/a/1/0", 2, 13);
  ExpectAt(positions, "/a/1/1", 2, 16);
  ExpectAt(positions, "/a/2", 2, 20);
  ExpectAt(positions, "/a/2/b", 2, 21);
  ExpectAt(positions, "/c", 3, 3);
  ExpectAt(positions, "/c/d", 3, 9);
  ExpectAt(positions, "/c/d/e", 3, 15);
  ExpectAt(positions, "/f", 4, 3);
}

TEST(JsonPositionsTest, RecordsArrayRootAndSkipsLeadingSpace) {
  const JsonPositions positions("\n\n  [\n    {\"id\": \"x\"},\n    {\"id\": \"y\"}\n  ]");
  ExpectAt(positions, "", 3, 3);
  ExpectAt(positions, "/0", 4, 5);
  ExpectAt(positions, "/0/id", 4, 6);
  ExpectAt(positions, "/1/id", 5, 6);
}

TEST(JsonPositionsTest, EscapesKeysAsJsonPointerSays) {
  const JsonPositions positions(
      "{\"a/b\": 1, \"m~n\": 2, \"q\\\"t\": 3, \"s\\u002Fu\": 4, \"\\ud83d\\ude00\": 5}");
  ExpectAt(positions, "/a~1b", 1, 2);
  ExpectAt(positions, "/m~0n", 1, 12);
  ExpectAt(positions, "/q\"t", 1, 22);
  ExpectAt(positions, "/s~1u", 1, 33);              // "\u002F" decodes to '/'
  ExpectAt(positions, "/\xF0\x9F\x98\x80", 1, 48);  // a surrogate pair, as UTF-8
}

TEST(JsonPositionsTest, CountsColumnsInCodePoints) {
  // "é" is two bytes but one column, as an editor shows it.
  const JsonPositions positions("{\"\xC3\xA9\": {\"f\": true}}");
  ExpectAt(positions, "/\xC3\xA9", 1, 2);
  ExpectAt(positions, "/\xC3\xA9/f", 1, 8);
}

TEST(JsonPositionsTest, GivesAByteOrderMarkNoColumn) {
  const JsonPositions positions("\xEF\xBB\xBF{\"a\": 1}");
  ExpectAt(positions, "", 1, 1);
  ExpectAt(positions, "/a", 1, 2);
}

TEST(JsonPositionsTest, FallsBackToNearestParent) {
  const JsonPositions positions("{\n  \"a\": [\n    1\n  ]\n}");
  ExpectAt(positions, "/a/7", 2, 3);
  ExpectAt(positions, "/nothing/here", 1, 1);
  ExpectAt(positions, "not-a-pointer", 1, 1);
}

TEST(JsonPositionsTest, SurvivesDeepNesting) {
  const int depth = 100000;
  const std::string text = std::string(depth, '[') + std::string(depth, ']');
  const JsonPositions positions(text);
  ExpectAt(positions, "", 1, 1);
  ExpectAt(positions, "/0/0", 1, 3);
}

TEST(JsonPositionsTest, StopsQuietlyOnInvalidText) {
  for (const char* text :
       {"", "{", "{\"a\"", "{\"a\": [1,", "[\"\\u12", "{\"a\" 1}", "}", "[1 2]"}) {
    const JsonPositions positions(text);
    ExpectAt(positions, "", 1, 1);
  }
}

TEST(JsonPositionsTest, ConvertsOffsets) {
  const std::string text = "ab\ncd\n\xC3\xA9x";
  EXPECT_EQ(JsonPositions::FromOffset(text, 0).line, 1);
  EXPECT_EQ(JsonPositions::FromOffset(text, 0).column, 1);
  EXPECT_EQ(JsonPositions::FromOffset(text, 2).column, 3);  // the newline itself
  EXPECT_EQ(JsonPositions::FromOffset(text, 4).line, 2);
  EXPECT_EQ(JsonPositions::FromOffset(text, 4).column, 2);
  EXPECT_EQ(JsonPositions::FromOffset(text, 8).line, 3);  // 'x' after "é"
  EXPECT_EQ(JsonPositions::FromOffset(text, 8).column, 2);
  EXPECT_EQ(JsonPositions::FromOffset(text, 1000).line, 3);  // clamped to the end
  EXPECT_EQ(JsonPositions::FromOffset(text, 1000).column, 3);
}

TEST(JsonPositionsTest, BuildsChildPointers) {
  EXPECT_EQ(JsonPointerChild("", "depends_on"), "/depends_on");
  EXPECT_EQ(JsonPointerChild("/metadata", "a/b~c"), "/metadata/a~1b~0c");
  EXPECT_EQ(JsonPointerChild("/depends_on", size_t{2}), "/depends_on/2");
}

}  // namespace
}  // namespace orchestra
