#include "log_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "cli_harness.h"
#include "temp_dir.h"

namespace orchestra {
namespace {

using testing::ReadFile;

/// A sink appending to <dir>/log, as the process runner opens it.
class LogSinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<LogSink> Open(std::vector<std::string> secrets, int64_t max_bytes) {
    const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    EXPECT_GE(fd, 0);
    return std::make_unique<LogSink>(fd, std::move(secrets), max_bytes);
  }

  testing::TempDir dir_;
  const std::string log_ = dir_ / "log";
};

TEST(FormatByteSizeTest, UsesTheLargestWholeUnit) {
  EXPECT_EQ(FormatByteSize(50 << 20), "50 MB");
  EXPECT_EQ(FormatByteSize(int64_t{1} << 30), "1 GB");
  EXPECT_EQ(FormatByteSize(1536 << 10), "1536 KB");
  EXPECT_EQ(FormatByteSize(1000), "1000 bytes");
}

TEST_F(LogSinkTest, WritesOutputAsItComesWithoutACap) {
  auto sink = Open({}, 0);
  sink->Write("one\n");
  EXPECT_EQ(ReadFile(log_), "one\n");  // written at once, not at the end
  sink->Write("two\n");
  sink->Finish();
  EXPECT_EQ(ReadFile(log_), "one\ntwo\n");
  EXPECT_EQ(sink->bytes_received(), 8);
  EXPECT_EQ(sink->bytes_cut(), 0);
}

TEST_F(LogSinkTest, RedactsASecretSplitAcrossTwoReads) {
  auto sink = Open({"sk-ant-0123456789"}, 0);
  sink->Write("key is sk-ant-01234");
  EXPECT_EQ(ReadFile(log_), "key is ");
  sink->Write("56789 and again sk-ant-0123456789\nend sk-ant");
  sink->Finish();
  EXPECT_EQ(ReadFile(log_), "key is [redacted] and again [redacted]\nend sk-ant");
  EXPECT_EQ(sink->bytes_received(), 19 + 44);
}

TEST_F(LogSinkTest, OutputWithinTheCapIsKeptWhole) {
  auto sink = Open({}, 20);
  sink->Write("0123456789");
  EXPECT_EQ(ReadFile(log_), "0123456789");  // the head
  sink->Write("abcdefghij");
  EXPECT_EQ(ReadFile(log_), "0123456789");  // the rest waits in the ring buffer
  sink->Finish();
  EXPECT_EQ(ReadFile(log_), "0123456789abcdefghij");
  EXPECT_EQ(sink->bytes_cut(), 0);
}

TEST_F(LogSinkTest, CapKeepsHeadAndTailAndMarksTheCut) {
  auto sink = Open({}, 20);
  sink->Write("head-1234\nmiddle that goes away\n");
  sink->Write("more of it\n");
  sink->Write("the tail\n");
  sink->Finish();
  EXPECT_EQ(ReadFile(log_),
            "head-1234\n"
            "orchestra: [... 32 bytes of output cut (max_log_size 20 bytes) ...]\n"
            "\nthe tail\n");
  EXPECT_EQ(sink->bytes_cut(), 32);
}

TEST_F(LogSinkTest, MarkerStartsOnItsOwnLine) {
  auto sink = Open({}, 8);
  sink->Write("abcdefghijklmnop");
  sink->Finish();
  EXPECT_EQ(ReadFile(log_), "abcd\norchestra: [... 8 bytes of output cut (max_log_size 8 bytes) ...]\nmnop");
}

TEST_F(LogSinkTest, LinesAppendedMeanwhileAreKeptInOrder) {
  auto sink = Open({}, 0);
  sink->Write("child\n");
  {
    const int other = open(log_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    ASSERT_GE(other, 0);
    ASSERT_EQ(write(other, "orchestra: note\n", 16), 16);
    close(other);
  }
  sink->Write("child again\n");
  sink->Finish();
  EXPECT_EQ(ReadFile(log_), "child\norchestra: note\nchild again\n");
}

TEST_F(LogSinkTest, MemoryStaysAtTheRingBufferWhateverThePrintedSize) {
  constexpr int64_t kCap = 1 << 20;
  auto sink = Open({"secret-value-1"}, kCap);
  EXPECT_EQ(sink->tail_capacity(), static_cast<size_t>(kCap / 2));
  const std::string block(64 * 1024, 'x');
  size_t most_buffered = 0;
  for (int i = 0; i < 320; ++i) {  // 20 MB
    sink->Write(block);
    sink->Write("secret-val");
    sink->Write("ue-1\n");
    most_buffered = std::max(most_buffered, sink->buffered_bytes());
  }
  EXPECT_LE(most_buffered, sink->tail_capacity());
  sink->Write("the end\n");
  sink->Finish();
  EXPECT_EQ(sink->buffered_bytes(), 0u);
  const std::string log = ReadFile(log_);
  EXPECT_LE(log.size(), static_cast<size_t>(kCap) + 100);
  EXPECT_EQ(log.find("secret-value-1"), std::string::npos);
  EXPECT_NE(log.find("[redacted]\n"), std::string::npos);
  EXPECT_NE(log.find("\norchestra: [... "), std::string::npos);
  EXPECT_NE(log.find(" bytes of output cut (max_log_size 1 MB) ...]\n"), std::string::npos);
  EXPECT_TRUE(log.ends_with("[redacted]\nthe end\n")) << log.substr(log.size() - 40);
  EXPECT_EQ(sink->bytes_received(), 320 * (64 * 1024 + 15) + 8);
}

TEST_F(LogSinkTest, FinishTwiceWritesOnce) {
  auto sink = Open({"abcdefghijk"}, 0);
  sink->Write("abc");
  sink->Finish();
  sink->Finish();
  sink.reset();
  EXPECT_EQ(ReadFile(log_), "abc");
}

}  // namespace
}  // namespace orchestra
