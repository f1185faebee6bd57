#include "process_table.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "cli_harness.h"

namespace orchestra {
namespace {

using testing::ReadFile;
using testing::WaitUntil;
using testing::WaitUntilGone;

TEST(ProcessStartTimeTest, LiveProcessHasOneAndADeadOneDoesNot) {
  EXPECT_GT(ProcessStartTime(getpid()), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(ProcessStartTime(child), 0);
  EXPECT_EQ(ProcessStartTime(0), 0);
  EXPECT_EQ(ProcessStartTime(-1), 0);
}

// The command name sits in parentheses and may hold ") " itself; a parser that
// stops at the first ')' would read the wrong field.
TEST(ProcessStartTimeTest, CommandNameWithParenthesesAndSpaces) {
  const char kName[] = ") 9 9 9 9 9 9 9";  // 15 characters, the most a name keeps
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    prctl(PR_SET_NAME, kName);
    const char byte = 1;
    if (write(ready[1], &byte, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char byte = 0;
  EXPECT_EQ(read(ready[0], &byte, 1), 1);
  close(ready[0]);
  EXPECT_EQ(ReadFile("/proc/" + std::to_string(child) + "/comm"), std::string(kName) + "\n");
  // Started after us, so no earlier (and nowhere near the small fields around 22).
  EXPECT_GE(ProcessStartTime(child), ProcessStartTime(getpid()));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

// Forks `sleep 100` as the leader of a new session and process group.
pid_t StartDetachedSleep() {
  const pid_t child = fork();
  if (child == 0) {
    setsid();
    execlp("sleep", "sleep", "100", static_cast<char*>(nullptr));
    _exit(127);
  }
  return child;
}

TEST(ProcessKillStaleGroupTest, KillsTheGroupOnlyWhenTheStartTimeMatches) {
  const pid_t leader = StartDetachedSleep();
  ASSERT_GT(leader, 0);
  ASSERT_TRUE(WaitUntil([&] { return getpgid(leader) == leader; }));
  const int64_t start_time = ProcessStartTime(leader);
  ASSERT_GT(start_time, 0);

  EXPECT_FALSE(KillStaleProcessGroup(leader, start_time + 1));  // as if the pid were reused
  EXPECT_EQ(waitpid(leader, nullptr, WNOHANG), 0) << "a stranger must be left alone";

  EXPECT_TRUE(KillStaleProcessGroup(leader, start_time));
  int status = 0;
  ASSERT_EQ(waitpid(leader, &status, 0), leader);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_FALSE(KillStaleProcessGroup(leader, start_time));  // nothing left
}

TEST(ProcessKillStaleGroupTest, KillsMembersLeftBehindByADeadLeader) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t leader = fork();
  ASSERT_GE(leader, 0);
  if (leader == 0) {
    setsid();
    const pid_t member = fork();
    if (member == 0) {
      execlp("sleep", "sleep", "100", static_cast<char*>(nullptr));
      _exit(127);
    }
    _exit(write(pipe_fds[1], &member, sizeof member) == sizeof member ? 0 : 1);
  }
  close(pipe_fds[1]);
  pid_t member = 0;
  EXPECT_EQ(read(pipe_fds[0], &member, sizeof member), static_cast<ssize_t>(sizeof member));
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(leader, &status, 0), leader);
  ASSERT_GT(member, 0);

  EXPECT_TRUE(KillStaleProcessGroup(leader, 12345));
  EXPECT_TRUE(WaitUntilGone(member));
}

// pid 0 would mean "our own group" to kill(). Checked from a child in a group of
// its own, so a broken guard kills only that child. (-1, "everyone", is not
// exercised: a broken guard would take the machine down with it.)
TEST(ProcessKillStaleGroupTest, NeverSignalsOurOwnGroup) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setpgid(0, 0);
    _exit(KillStaleProcessGroup(0, 0) ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status)) << "the child was signalled";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Forks `sleep 100` in a session of its own, exec'd with `entry` added to
// its environment; returns once /proc shows the exec'd environment.
pid_t StartSleepWith(const std::string& entry) {
  const pid_t child = fork();
  if (child == 0) {
    setsid();
    putenv(const_cast<char*>(entry.c_str()));
    execlp("sleep", "sleep", "100", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Until the exec the child shows the environment it inherited (without entry).
  if (child > 0 && !WaitUntil([&] { return EnvironmentHolds(child, entry); })) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return -1;
  }
  return child;
}

// What waitpid says of `pid` (blocking): killed by SIGKILL or not.
bool WasKilled(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

TEST(KillProcessesWithEnvironmentTest, OneScanKillsTheHoldersOfEachEntryAndCountsThemApart) {
  const std::string first = "ORCHESTRA_TEST_KEY=first-" + std::to_string(getpid());
  const std::string second = "ORCHESTRA_TEST_KEY=second-" + std::to_string(getpid());
  const std::string other = "ORCHESTRA_TEST_KEY=other-" + std::to_string(getpid());
  const pid_t a = StartSleepWith(first), b = StartSleepWith(second), c = StartSleepWith(second);
  const pid_t stranger = StartSleepWith(other);
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  ASSERT_GT(c, 0);
  ASSERT_GT(stranger, 0);
  // A prefix of an entry is not the entry.
  const std::string prefix = first.substr(0, first.size() - 1);

  EXPECT_EQ(KillProcessesWithEnvironment(std::vector<std::string>{first, second, prefix}),
            (std::vector<int>{1, 2, 0}));
  EXPECT_TRUE(WasKilled(a));
  EXPECT_TRUE(WasKilled(b));
  EXPECT_TRUE(WasKilled(c));
  EXPECT_EQ(waitpid(stranger, nullptr, WNOHANG), 0) << "a process without the entries must be left alone";
  EXPECT_EQ(KillProcessesWithEnvironment(other), 1);
  EXPECT_TRUE(WasKilled(stranger));
  EXPECT_EQ(KillProcessesWithEnvironment(std::vector<std::string>{}), std::vector<int>{});
}

TEST(FindProcessesWithEnvironmentTest, FindsTheHoldersOfTheWholeEntryAndSignalsNone) {
  const std::string entry = "ORCHESTRA_TEST_KEY=find-" + std::to_string(getpid());
  const pid_t a = StartSleepWith(entry), b = StartSleepWith(entry + "0");
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  EXPECT_EQ(FindProcessesWithEnvironment(entry), std::vector<int>{a}) << "an entry is matched whole";
  EXPECT_EQ(FindProcessesWithEnvironment(entry.substr(0, entry.size() - 1)), std::vector<int>{});
  // Several entries in one pass: the holders of each, apart.
  EXPECT_EQ(FindProcessesWithEnvironment(std::vector<std::string>{entry + "0", "ORCHESTRA_TEST_KEY=none", entry}),
            (std::vector<std::vector<int>>{{b}, {}, {a}}));
  EXPECT_EQ(waitpid(a, nullptr, WNOHANG), 0) << "finding must not signal";
  EXPECT_EQ(KillProcessesWithEnvironment(std::vector<std::string>{entry, entry + "0"}), (std::vector<int>{1, 1}));
  EXPECT_TRUE(WasKilled(a));
  EXPECT_TRUE(WasKilled(b));
}

TEST(SystemProcessTableTest, KillsLaterOffTheLoopAndReportsOnIt) {
  const std::string entry = "ORCHESTRA_TEST_KEY=later-" + std::to_string(getpid());
  const pid_t child = StartSleepWith(entry);
  ASSERT_GT(child, 0);
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::vector<int> found;
  int reports = 0;
  {
    SystemProcessTable table(&loop);
    table.KillWithEnvironmentLater({entry, "ORCHESTRA_TEST_KEY=nobody"}, [&](const std::vector<int>& counts) {
      found = counts;
      ++reports;
    });
    EXPECT_EQ(reports, 0) << "with a loop the report comes from the loop";
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
  EXPECT_EQ(reports, 1);
  EXPECT_EQ(found, (std::vector<int>{1, 0}));
  EXPECT_TRUE(WasKilled(child));
}

TEST(SystemProcessTableTest, WithoutALoopKillsAtOnce) {
  const std::string entry = "ORCHESTRA_TEST_KEY=now-" + std::to_string(getpid());
  const pid_t child = StartSleepWith(entry);
  ASSERT_GT(child, 0);
  SystemProcessTable table;
  std::vector<int> found;
  table.KillWithEnvironmentLater({entry}, [&](const std::vector<int>& counts) { found = counts; });
  EXPECT_EQ(found, std::vector<int>{1});
  EXPECT_TRUE(WasKilled(child));
}

}  // namespace
}  // namespace orchestra
