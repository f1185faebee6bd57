#include "log_chunk.h"

#include <gtest/gtest.h>

#include <fstream>

#include "temp_dir.h"

namespace orchestra {
namespace {

std::string WriteLog(const testing::TempDir& dir, const std::string& text) {
  const std::string path = dir / "attempt.log";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(LogChunkTest, ReadsFromAnOffsetAndSaysWhereToGoOn) {
  testing::TempDir dir;
  const std::string path = WriteLog(dir, "line one\nline two\n");
  const LogChunk first = ReadLogChunk(path, 0, 9);
  EXPECT_EQ(first.text, "line one\n");
  EXPECT_EQ(first.offset, 0);
  EXPECT_EQ(first.next_offset, 9);
  EXPECT_EQ(first.size, 18);
  const LogChunk rest = ReadLogChunk(path, first.next_offset, 100);
  EXPECT_EQ(rest.text, "line two\n");
  EXPECT_EQ(rest.next_offset, 18);
  const LogChunk after_end = ReadLogChunk(path, 50, 100);
  EXPECT_EQ(after_end.text, "");
  EXPECT_EQ(after_end.offset, 18);
  EXPECT_EQ(after_end.next_offset, 18);
}

TEST(LogChunkTest, ANegativeOffsetReadsTheTail) {
  testing::TempDir dir;
  const LogChunk tail = ReadLogChunk(WriteLog(dir, "0123456789"), -1, 4);
  EXPECT_EQ(tail.text, "6789");
  EXPECT_EQ(tail.offset, 6);
  EXPECT_EQ(tail.next_offset, 10);
}

TEST(LogChunkTest, NeverSplitsACharacterBetweenPieces) {
  testing::TempDir dir;
  const std::string path = WriteLog(dir, "ab\xC3\xA9z");  // "abéz"
  const LogChunk first = ReadLogChunk(path, 0, 3);
  EXPECT_EQ(first.text, "ab");
  EXPECT_EQ(first.next_offset, 2);
  EXPECT_EQ(ReadLogChunk(path, first.next_offset, 3).text, "\xC3\xA9z");
}

TEST(LogChunkTest, AMissingFileIsEmpty) {
  const LogChunk chunk = ReadLogChunk("/nonexistent/attempt.log", 0, 10);
  EXPECT_EQ(chunk.text, "");
  EXPECT_EQ(chunk.size, 0);
  EXPECT_EQ(chunk.next_offset, 0);
}

}  // namespace
}  // namespace orchestra
