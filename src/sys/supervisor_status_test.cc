#include "supervisor_status.h"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "temp_dir.h"

namespace orchestra {
namespace {

class SupervisorStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = dir_ / "attempt-1.log";
    status_path_ = StatusPathFor(log_);
    std::ofstream(log_) << "output\n";
    status_.exit_code = 3;
    status_.started_at = 10.5;
    status_.ended_at = 12.25;
    status_.output_bytes = 7;
    status_.log_offset = 2;
    status_.containment = "cgroup";
    status_.spawn_error = "two\nlines";
  }

  // Whether the test folder's file system takes user attributes at all.
  bool TakesAttributes() const {
    if (setxattr(log_.c_str(), "user.orchestra.probe", "1", 1, 0) != 0) return false;
    removexattr(log_.c_str(), "user.orchestra.probe");
    return true;
  }

  static void ExpectSame(const SupervisorStatus& read, const SupervisorStatus& written) {
    EXPECT_EQ(read.exit_code, written.exit_code);
    EXPECT_EQ(read.started_at, written.started_at);
    EXPECT_EQ(read.ended_at, written.ended_at);
    EXPECT_EQ(read.output_bytes, written.output_bytes);
    EXPECT_EQ(read.log_offset, written.log_offset);
    EXPECT_EQ(read.containment, written.containment);
    EXPECT_EQ(read.spawn_error, "two lines");  // one line in the record
  }

  testing::TempDir dir_;
  std::string log_;
  std::string status_path_;
  SupervisorStatus status_;
};

TEST_F(SupervisorStatusTest, TheStatusIsTheLogsAttributeAndNoFile) {
  if (!TakesAttributes()) GTEST_SKIP() << "the test folder's file system has no user attributes";
  std::string error;
  ASSERT_TRUE(WriteSupervisorStatus(log_, status_path_, status_, &error)) << error;
  EXPECT_FALSE(std::filesystem::exists(status_path_));
  EXPECT_GT(getxattr(log_.c_str(), kStatusAttribute, nullptr, 0), 0);
  SupervisorStatus read;
  ASSERT_TRUE(ReadSupervisorStatus(log_, status_path_, &read, &error)) << error;
  ExpectSame(read, status_);
}

TEST_F(SupervisorStatusTest, WithoutALogTheStatusIsAFileBesideWhereItWouldBe) {
  std::string error;
  ASSERT_TRUE(WriteSupervisorStatus("", status_path_, status_, &error)) << error;
  EXPECT_TRUE(std::filesystem::exists(status_path_));
  EXPECT_FALSE(std::filesystem::exists(status_path_ + ".tmp"));
  SupervisorStatus read;
  ASSERT_TRUE(ReadSupervisorStatus("", status_path_, &read, &error)) << error;
  ExpectSame(read, status_);
  ASSERT_TRUE(ReadSupervisorStatus(log_, status_path_, &read, &error)) << error;  // the log has no attribute
  ExpectSame(read, status_);
}

TEST_F(SupervisorStatusTest, ALogThatTakesNoAttributeGetsTheFile) {
  // A character device takes no user attribute: the same path as a file
  // system without them.
  std::string error;
  ASSERT_TRUE(WriteSupervisorStatus("/dev/null", status_path_, status_, &error)) << error;
  SupervisorStatus read;
  ASSERT_TRUE(ReadSupervisorStatus("/dev/null", status_path_, &read, &error)) << error;
  ExpectSame(read, status_);
}

TEST_F(SupervisorStatusTest, NothingRecordedIsNoErrorAndClearForgetsBothForms) {
  SupervisorStatus read;
  std::string error;
  EXPECT_FALSE(ReadSupervisorStatus(log_, status_path_, &read, &error));
  EXPECT_EQ(error, "");
  ASSERT_TRUE(WriteSupervisorStatus(log_, status_path_, status_, &error)) << error;
  ASSERT_TRUE(WriteSupervisorStatus("", status_path_, status_, &error)) << error;
  ClearSupervisorStatus(log_, status_path_);
  EXPECT_FALSE(ReadSupervisorStatus(log_, status_path_, &read, &error));
  EXPECT_EQ(error, "");
  EXPECT_FALSE(std::filesystem::exists(status_path_));
}

TEST_F(SupervisorStatusTest, AStatusWithoutItsEndIsIncomplete) {
  std::ofstream(status_path_) << "exit_code=0\nsignal=0\n";
  SupervisorStatus read;
  std::string error;
  EXPECT_FALSE(ReadSupervisorStatus("", status_path_, &read, &error));
  EXPECT_EQ(error, "the status file " + status_path_ + " is incomplete (no ended_at line)");
}

TEST_F(SupervisorStatusTest, ALongSpawnErrorIsReadWhole) {
  if (!TakesAttributes()) GTEST_SKIP() << "the test folder's file system has no user attributes";
  status_.spawn_error = std::string(2000, 'e');
  std::string error;
  ASSERT_TRUE(WriteSupervisorStatus(log_, status_path_, status_, &error)) << error;
  SupervisorStatus read;
  ASSERT_TRUE(ReadSupervisorStatus(log_, status_path_, &read, &error)) << error;
  EXPECT_EQ(read.spawn_error, status_.spawn_error);
}

}  // namespace
}  // namespace orchestra
