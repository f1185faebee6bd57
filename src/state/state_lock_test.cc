#include "state_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "temp_dir.h"

extern char** environ;

namespace orchestra {
namespace {

class StateLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_path_ = dir_ / ".state/orchestration.db";
  }
  void TearDown() override {
    if (child_ > 0) {
      kill(child_, SIGKILL);
      waitpid(child_, nullptr, 0);
    }
  }

  std::string LockFileContent() {
    std::ifstream file(state_path_ + ".lock");
    std::stringstream content;
    content << file.rdbuf();
    return content.str();
  }

  /// Forks a child that takes the lock and waits to be killed; returns once it
  /// holds it. With `spawn_agent` the child first starts a long-lived process,
  /// as an orchestrator starts agents; its pid is returned in `*agent`.
  void ForkHolder(bool spawn_agent = false, pid_t* agent = nullptr) {
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    child_ = fork();
    ASSERT_GE(child_, 0);
    if (child_ == 0) {
      close(ready[0]);
      StateLock lock;
      long holder = 0;
      std::string error;
      pid_t agent_pid = 0;
      if (!lock.Acquire(state_path_, &holder, &error)) _exit(1);
      if (spawn_agent) {
        char sleep_path[] = "/bin/sleep";
        char seconds[] = "30";
        char* argv[] = {sleep_path, seconds, nullptr};
        if (posix_spawn(&agent_pid, sleep_path, nullptr, nullptr, argv, environ) != 0) _exit(1);
      }
      if (write(ready[1], &agent_pid, sizeof agent_pid) != sizeof agent_pid) _exit(2);
      for (;;) pause();
    }
    close(ready[1]);
    pid_t agent_pid = 0;
    ASSERT_EQ(read(ready[0], &agent_pid, sizeof agent_pid), static_cast<ssize_t>(sizeof agent_pid))
        << "the child could not take the lock";
    close(ready[0]);
    if (agent) *agent = agent_pid;
  }

  /// Ends the holder the hard way: no destructor runs, only the kernel cleans up.
  void KillHolder() {
    ASSERT_EQ(kill(child_, SIGKILL), 0);
    ASSERT_EQ(waitpid(child_, nullptr, 0), child_);
    child_ = -1;
  }

  testing::TempDir dir_;
  std::string state_path_;
  pid_t child_ = -1;
};

TEST_F(StateLockTest, SecondAcquireFailsNamingTheHolder) {
  StateLock first;
  long holder = -1;
  std::string error;
  ASSERT_TRUE(first.Acquire(state_path_, &holder, &error)) << error;
  EXPECT_EQ(holder, 0);
  EXPECT_EQ(LockFileContent(), std::to_string(getpid()) + "\n");

  StateLock second;
  EXPECT_FALSE(second.Acquire(state_path_, &holder, &error));
  EXPECT_EQ(holder, getpid());
  EXPECT_EQ(error, "") << "contention is told apart from failures by an empty error";
  EXPECT_EQ(StateLock::Holder(state_path_), getpid());
}

TEST_F(StateLockTest, ReleasedWhenTheHolderIsDestroyed) {
  long holder = 0;
  std::string error;
  {
    StateLock first;
    ASSERT_TRUE(first.Acquire(state_path_, &holder, &error)) << error;
  }
  EXPECT_EQ(StateLock::Holder(state_path_), 0);
  EXPECT_TRUE(std::filesystem::exists(state_path_ + ".lock"));  // kept: deleting would race
  StateLock second;
  EXPECT_TRUE(second.Acquire(state_path_, &holder, &error)) << error;
}

TEST_F(StateLockTest, HolderIsZeroWithoutALockAndCreatesNothing) {
  EXPECT_EQ(StateLock::Holder(state_path_), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".state"));
}

TEST_F(StateLockTest, AnotherProcessHoldsItUntilKilled) {
  ForkHolder();
  long holder = 0;
  std::string error;
  StateLock lock;
  EXPECT_FALSE(lock.Acquire(state_path_, &holder, &error));
  EXPECT_EQ(holder, child_);
  EXPECT_EQ(error, "");
  EXPECT_EQ(StateLock::Holder(state_path_), child_);

  KillHolder();
  EXPECT_EQ(StateLock::Holder(state_path_), 0);  // the stale pid in the file is ignored
  EXPECT_TRUE(lock.Acquire(state_path_, &holder, &error)) << error;
  EXPECT_EQ(StateLock::Holder(state_path_), getpid());
}

TEST_F(StateLockTest, AnAgentOutlivingACrashedOrchestratorDoesNotKeepTheLock) {
  pid_t agent = 0;
  ForkHolder(/*spawn_agent=*/true, &agent);
  ASSERT_GT(agent, 0);
  KillHolder();
  EXPECT_EQ(kill(agent, 0), 0) << "the agent should still be alive";
  long holder = 0;
  std::string error;
  StateLock lock;
  EXPECT_TRUE(lock.Acquire(state_path_, &holder, &error)) << error;
  kill(agent, SIGKILL);  // not our child: init reaps it
}

}  // namespace
}  // namespace orchestra
