#include "json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace orchestra {
namespace {

TEST(JsonDepthTest, FindsTheBracketThatOpensTheFirstLevelTooDeep) {
  EXPECT_EQ(FindTooDeep("[[1], {\"a\": [2]}]", 3), std::string::npos);
  EXPECT_EQ(FindTooDeep("[[1], {\"a\": [[2]]}]", 3), 13u);
  EXPECT_EQ(FindTooDeep("42", 0), std::string::npos);
  EXPECT_EQ(FindTooDeep("{}", 0), 0u);
}

TEST(JsonDepthTest, BracketsInStringsAndCommentsDoNotCount) {
  EXPECT_EQ(FindTooDeep(R"(["[[[", "\"[[[", "\\"])", 1), std::string::npos);
  EXPECT_EQ(FindTooDeep("[ // [[[\n 1 /* {{{ */ ]", 1), std::string::npos);
  EXPECT_EQ(FindTooDeep(R"(["\\", [1]])", 1), 7u);  // the string ends at the second quote
}

TEST(JsonDepthTest, ScansAHundredThousandLevelsWithoutRecursing) {
  const std::string text = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(FindTooDeep(text), static_cast<size_t>(kMaxJsonDepth));
  EXPECT_EQ(FindTooDeep(text, 100000), std::string::npos);
}

TEST(JsonDepthTest, StrayClosingBracketsDoNotHideDepth) {
  EXPECT_EQ(FindTooDeep("]]][[", 1), 4u);
}

}  // namespace
}  // namespace orchestra
