#include "log_tail.h"

#include <gtest/gtest.h>

#include <fstream>

#include "temp_dir.h"

namespace orchestra {
namespace {

TEST(LogTailTest, KeepsTheLastLines) {
  testing::TempDir dir;
  std::ofstream(dir / "log") << "one\ntwo\nthree\nfour\n";
  EXPECT_EQ(LogTail(dir / "log", 2, 100), "three\nfour\n");
  EXPECT_EQ(LogTail(dir / "log", 10, 100), "one\ntwo\nthree\nfour\n");
  EXPECT_EQ(LogTail(dir / "missing", 2, 100), "");
}

TEST(LogTailTest, AHugeLineIsCutAndOnlyTheEndOfTheFileIsRead) {
  testing::TempDir dir;
  std::ofstream(dir / "log") << "start\n" << std::string(5'000'000, 'x') << "\nlast words\n";
  EXPECT_EQ(LogTail(dir / "log", 3, 10), "…[earlier bytes cut]xxxxxxxxxx\nlast words\n");
  std::ofstream(dir / "one-line") << std::string(100, 'y') << "\nend\n";
  EXPECT_EQ(LogTail(dir / "one-line", 20, 10), "yyyyyyyyyy…[90 bytes cut]\nend\n");
}

TEST(LogTailTest, BoundTextCutsAtALineEndWithAMarker) {
  EXPECT_EQ(BoundText("short", 10), "short");
  EXPECT_EQ(BoundText("line one\nline two\nline three", 20), "line one\nline two\n…[11 bytes cut]\n");
  EXPECT_EQ(BoundText(std::string(30, 'z'), 10), "zzzzzzzzzz\n…[20 bytes cut]\n");
  EXPECT_EQ(CutLine("abcdef", 3), "abc…[3 bytes cut]");
  EXPECT_EQ(CutLine("abc", 3), "abc");
}

TEST(LogTailTest, ReadFromReturnsTheOutputAfterAnOffsetBounded) {
  testing::TempDir dir;
  const std::string path = dir.Write("attempt-1.log", "orchestra: header\n{\"a\": 1}\nlast\n");
  EXPECT_EQ(FileSize(path), 32);
  EXPECT_EQ(ReadFrom(path, 18, 1000), "{\"a\": 1}\nlast\n");
  EXPECT_EQ(ReadFrom(path, 18, 5), "last\n");  // the end is what a result is read from
  EXPECT_EQ(ReadFrom(path, 32, 1000), "");
  EXPECT_EQ(ReadFrom(dir / "missing.log", 0, 1000), "");
  EXPECT_EQ(FileSize(dir / "missing.log"), -1);
}

}  // namespace
}  // namespace orchestra
