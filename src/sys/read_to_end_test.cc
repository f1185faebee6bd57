#include "read_to_end.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(ReadToEndTest, ReadsEverythingAcrossManyReadsAndLeavesTheDescriptorOpen) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string text(10000, 'x');  // more than one 4096-byte read
  ASSERT_EQ(write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fds[1]);
  EXPECT_EQ(ReadToEnd(fds[0]), text);
  EXPECT_EQ(ReadToEnd(fds[0]), "");  // at its end, still open
  EXPECT_EQ(close(fds[0]), 0);
}

TEST(ReadToEndTest, AClosedDescriptorReadsAsEmpty) { EXPECT_EQ(ReadToEnd(-1), ""); }

}  // namespace
}  // namespace orchestra
