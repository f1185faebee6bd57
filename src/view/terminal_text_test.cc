#include "terminal_text.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(DisplayWidthTest, CountsColumnsNotBytes) {
  EXPECT_EQ(DisplayWidth(""), 0);
  EXPECT_EQ(DisplayWidth("orchestra"), 9);
  EXPECT_EQ(DisplayWidth("café"), 4);             // é is two bytes
  EXPECT_EQ(DisplayWidth("cafe\u0301"), 4);       // e + combining acute
  EXPECT_EQ(DisplayWidth("…"), 1);                // three bytes
  EXPECT_EQ(DisplayWidth("日本語"), 6);            // wide: two columns each
  EXPECT_EQ(DisplayWidth("ok \U0001F680"), 5);    // emoji: two columns
  EXPECT_EQ(DisplayWidth("\033[1;31mred\033[0m"), 3);
  EXPECT_EQ(DisplayWidth("\033]8;;https://x\033\\link\033]8;;\a"), 4);  // OSC hyperlink
  EXPECT_EQ(DisplayWidth("a\xff" "b"), 3);        // an invalid byte is one column
  EXPECT_EQ(DisplayWidth("\xe6\x97"), 2);         // a cut sequence: one column a byte
}

TEST(FitToWidthTest, AsciiFitsOrEndsWithAnEllipsis) {
  EXPECT_EQ(FitToWidth("abcdef", 6), "abcdef");
  EXPECT_EQ(FitToWidth("abcdef", 10), "abcdef");
  EXPECT_EQ(FitToWidth("abcdefg", 6), "abcde…");
  EXPECT_EQ(FitToWidth("abcdef", 1), "…");
  EXPECT_EQ(FitToWidth("abcdef", 0), "");
  EXPECT_EQ(FitToWidth("abcdef", -3), "");
}

TEST(FitToWidthTest, CutsBetweenUtf8CharactersByColumns) {
  EXPECT_EQ(FitToWidth("héllo wörld", 11), "héllo wörld");  // 13 bytes, 11 columns
  EXPECT_EQ(FitToWidth("héllo wörld", 8), "héllo w…");
  EXPECT_EQ(FitToWidth("日本語テキスト", 7), "日本語…");  // 3 wide characters and the ellipsis
  EXPECT_EQ(FitToWidth("日本語テキスト", 8), "日本語…");  // a fourth would need 9 columns
  EXPECT_EQ(FitToWidth("cafe\u0301 au lait", 5), "cafe\u0301…");  // the accent stays on its e
}

TEST(FitToWidthTest, KeepsColourSequencesWholeAndResetsAfterACut) {
  const std::string line = "\033[1morchestra\033[0m 1/4 done  \033[31mSTOPPING\033[0m";
  EXPECT_EQ(FitToWidth(line, 28), line);  // 28 columns exactly
  EXPECT_EQ(FitToWidth(line, 27), "\033[1morchestra\033[0m 1/4 done  \033[31mSTOPPI…\033[0m");
  EXPECT_EQ(FitToWidth(line, 9), "\033[1morchestr…\033[0m");
  // The cut falls right after "orchestra": its closing sequence is not needed, the reset ends it.
  EXPECT_EQ(FitToWidth(line, 10), "\033[1morchestra…\033[0m");
  // Nothing coloured before the cut: no reset.
  EXPECT_EQ(FitToWidth("plain text \033[31mred\033[0m", 6), "plain…");
}

}  // namespace
}  // namespace orchestra
