#include "text_encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace orchestra {
namespace {

std::string Bytes(const char* bytes, size_t size) { return std::string(bytes, size); }

/// A wide text and what DetectWideEncoding should make of it.
struct WideCase {
  std::string text;
  std::string name;
  bool from_byte_order_mark;
};

TEST(TextEncodingTest, NamesTheMarkedEncodingAndGuessesTheByteOrderOfAnUnmarkedOne) {
  const WideCase cases[] = {
      {Bytes("\xFF\xFE{\0}\0", 6), "UTF-16", true},
      {Bytes("\xFE\xFF\0{\0}", 6), "UTF-16", true},
      {Bytes("\xFF\xFE\0\0{\0\0\0", 8), "UTF-32", true},
      {Bytes("\0\0\xFE\xFF\0\0\0{", 8), "UTF-32", true},
      {Bytes("{\0}\0", 4), "UTF-16LE", false},
      {Bytes("\0{\0}", 4), "UTF-16BE", false},
      {Bytes("{\0\0\0", 4), "UTF-32LE", false},
      {Bytes("\0\0\0{", 4), "UTF-32BE", false},
      {Bytes("{}\0", 3), "UTF-16", false},
  };
  for (const WideCase& wide : cases) {
    WideEncoding encoding;
    ASSERT_TRUE(DetectWideEncoding(wide.text, &encoding)) << wide.name;
    EXPECT_EQ(encoding.name, wide.name);
    EXPECT_EQ(encoding.from_byte_order_mark, wide.from_byte_order_mark) << wide.name;
  }
}

TEST(TextEncodingTest, Utf8IsNotWide) {
  WideEncoding encoding;
  EXPECT_FALSE(DetectWideEncoding("{\"id\": \"caf\xC3\xA9\"}", &encoding));
  EXPECT_FALSE(DetectWideEncoding("\xEF\xBB\xBF{}", &encoding));  // UTF-8's own mark
  EXPECT_FALSE(DetectWideEncoding("", &encoding));
}

}  // namespace
}  // namespace orchestra
