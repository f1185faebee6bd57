// orchestra-supervise on its own: the real program runs real agents (sh
// scripts), and each test reads the status file and the log it leaves. The
// tests synchronise on fifos the scripts write and on the supervisor's exit
// (waitpid), never on time.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cgroup.h"
#include "cli_harness.h"
#include "supervisor_status.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace orchestra {
namespace {

using testing::ProcessAlive;
using testing::ReadFile;
using testing::TempDir;
using testing::WaitUntilGone;

// In a forked child before exec: makes `from` the descriptor `to`, inherited
// across exec (dup2 onto itself would keep close-on-exec).
void PlaceFd(int from, int to) {
  if (from == to) {
    fcntl(to, F_SETFD, 0);
  } else {
    dup2(from, to);
  }
}

// The pid a script wrote to `path` (echo $! > path), 0 if none.
int ReadPid(const std::string& path) {
  int pid = 0;
  std::sscanf(ReadFile(path).c_str(), "%d", &pid);
  return pid;
}

/// SuperviseTest starts the supervisor on `sh -c script` in a scratch folder.
class SuperviseTest : public ::testing::Test {
 protected:
  /// Starts it; `extra` options go before "--". A test that must act while
  /// the agent runs waits on a fifo its script writes (Fifo, Await).
  pid_t Start(const std::string& script, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {ORCHESTRA_SUPERVISE, "--log", dir_ / "attempt-1.log", "--status",
                                     dir_ / "attempt-1.status"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"--", "/bin/sh", "-c", script});
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> pointers;
      for (std::string& argument : argv) pointers.push_back(argument.data());
      pointers.push_back(nullptr);
      execv(pointers[0], pointers.data());
      _exit(127);
    }
    return pid;
  }

  /// Waits for the supervisor to exit and reads the status it recorded.
  SupervisorStatus Finish(pid_t pid) {
    int wait_status = 0;
    EXPECT_EQ(waitpid(pid, &wait_status, 0), pid);
    EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) << wait_status;
    SupervisorStatus status;
    std::string error;
    EXPECT_TRUE(ReadSupervisorStatus(dir_ / "attempt-1.log", dir_ / "attempt-1.status", &status, &error)) << error;
    return status;
  }

  SupervisorStatus Run(const std::string& script, const std::vector<std::string>& extra = {}) {
    return Finish(Start(script, extra));
  }

  /// A fifo in the scratch folder; a script blocks on it until Release.
  std::string Fifo(const std::string& name) {
    const std::string path = dir_ / name;
    EXPECT_EQ(mkfifo(path.c_str(), 0600), 0);
    return path;
  }
  /// Waits (blocking open) until the script opened `fifo` for writing, and
  /// reads what it wrote.
  std::string Await(const std::string& fifo) { return ReadFile(fifo); }
  /// Unblocks a script waiting in `read < fifo`.
  void Release(const std::string& fifo) {
    const int fd = open(fifo.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "go\n", 3), 3);
    close(fd);
  }

  TempDir dir_;
};

TEST_F(SuperviseTest, RecordsTheExitCodeAndTheOutput) {
  const SupervisorStatus status = Run("echo out; echo err >&2; exit 3");
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_EQ(status.term_signal, 0);
  EXPECT_FALSE(status.timed_out);
  EXPECT_EQ(status.output_bytes, 8);
  EXPECT_EQ(status.log_offset, 0);
  EXPECT_EQ(status.spawn_error, "");
  EXPECT_GE(status.ended_at, status.started_at);
  EXPECT_EQ(ReadFile(dir_ / "attempt-1.log"), "out\nerr\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "attempt-1.status.tmp"));
}

TEST_F(SuperviseTest, RecordsTheSignalThatEndedTheAgent) {
  const SupervisorStatus status = Run("kill -SEGV $$");
  EXPECT_EQ(status.term_signal, SIGSEGV);
  EXPECT_EQ(status.exit_code, -1);
}

TEST_F(SuperviseTest, LogOffsetIsWhereTheAgentsOutputStarts) {
  testing::WriteFile(dir_ / "attempt-1.log", "orchestra: header\n");
  const SupervisorStatus status = Run("echo body");
  EXPECT_EQ(status.log_offset, 18);
  EXPECT_EQ(ReadFile(dir_ / "attempt-1.log"), "orchestra: header\nbody\n");
}

TEST_F(SuperviseTest, AMissingProgramIsReportedInTheStatusAndTheLog) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string log = dir_ / "attempt-1.log", status_path = dir_ / "attempt-1.status";
    execl(ORCHESTRA_SUPERVISE, ORCHESTRA_SUPERVISE, "--log", log.c_str(), "--status", status_path.c_str(), "--",
          "no-such-program-xyz", static_cast<char*>(nullptr));
    _exit(127);
  }
  const SupervisorStatus status = Finish(pid);
  EXPECT_EQ(status.spawn_error,
            "cannot start 'no-such-program-xyz': no such file or directory (check the agent's argv)");
  EXPECT_EQ(ReadFile(dir_ / "attempt-1.log"), status.spawn_error + "\n");
}

TEST_F(SuperviseTest, WhatIsLeftInTheGroupIsKilledWhenTheLeaderExits) {
  // Without a cgroup: the process group is what contains it.
  const SupervisorStatus status = Run("sleep 1000 & echo $! > " + dir_ / "pid" + "; exit 0", {"--no-cgroup"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_EQ(status.containment, "process group");
  const int leftover = ReadPid(dir_ / "pid");
  ASSERT_GT(leftover, 0);
  EXPECT_TRUE(WaitUntilGone(leftover));
}

TEST_F(SuperviseTest, CgroupKillsADaemonThatLeftTheSessionAndClearedItsEnvironment) {
  bool cgroups = false;
  const std::string containment = DescribeContainment(&cgroups);
  if (!cgroups) GTEST_SKIP() << "no cgroup v2 containment on this machine: " << containment;
  const std::string pid_file = dir_ / "pid";
  const SupervisorStatus status = Run("setsid env -i /bin/sh -c 'sleep 1000 & echo $! > " + pid_file + "'; exit 0");
  EXPECT_EQ(status.containment, "cgroup");
  const int daemon = ReadPid(pid_file);
  ASSERT_GT(daemon, 0);
  EXPECT_EQ(status.leftovers, 1);
  EXPECT_TRUE(WaitUntilGone(daemon));
  EXPECT_EQ(ReadFile(dir_ / "attempt-1.log"), "orchestra: killed 1 leftover process(es) of this attempt (its cgroup)\n");
}

TEST_F(SuperviseTest, AnEmptyCgroupLeftByASupervisorKilledOutrightIsRemoved) {
  bool cgroups = false;
  const std::string containment = DescribeContainment(&cgroups);
  if (!cgroups) GTEST_SKIP() << "no cgroup v2 containment on this machine: " << containment;
  std::string why_not;
  const std::string parent = CgroupParentDir(&why_not);
  const pid_t gone = fork();  // a pid nobody uses once reaped
  if (gone == 0) _exit(0);
  ASSERT_EQ(waitpid(gone, nullptr, 0), gone);
  const std::string stale = parent + "/orchestra-attempt-" + std::to_string(gone);
  ASSERT_EQ(mkdir(stale.c_str(), 0755), 0);
  EXPECT_EQ(Run("exit 0").exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(stale));
}

TEST_F(SuperviseTest, SigtermStopsTheAgentAndSigkillFollowsWhenItIgnoresIt) {
  const std::string trapped = Fifo("trapped");
  const pid_t pid = Start("trap '' TERM; echo > " + trapped + "; exec sleep 1000", {"--grace", "0.1"});
  Await(trapped);
  kill(pid, SIGTERM);
  const SupervisorStatus status = Finish(pid);
  EXPECT_EQ(status.term_signal, SIGKILL);
  EXPECT_FALSE(status.timed_out);
}

TEST_F(SuperviseTest, Sigusr1KillsAtOnce) {
  const std::string trapped = Fifo("trapped");
  const pid_t pid = Start("trap '' TERM; echo > " + trapped + "; exec sleep 1000", {"--grace", "1000"});
  Await(trapped);
  kill(pid, SIGUSR1);
  EXPECT_EQ(Finish(pid).term_signal, SIGKILL);
}

TEST_F(SuperviseTest, TheTimeoutStopsTheAgentAndSaysSo) {
  const SupervisorStatus status = Run("trap '' TERM; exec sleep 1000", {"--timeout", "0.1", "--grace", "0.1"});
  EXPECT_TRUE(status.timed_out);
  EXPECT_EQ(status.timeout_seconds, 0.1);
  EXPECT_EQ(status.term_signal, SIGKILL);
}

TEST_F(SuperviseTest, AnAgentThatClosesItsOutputIsStillWaitedFor) {
  const std::string go = Fifo("go");
  const std::string closed = Fifo("closed");
  const pid_t pid = Start("echo before; exec >&- 2>&-; echo > " + closed + "; read line < " + go + "; exit 4");
  Await(closed);
  ASSERT_TRUE(ProcessAlive(pid));
  Release(go);
  const SupervisorStatus status = Finish(pid);
  EXPECT_EQ(status.exit_code, 4);
  EXPECT_EQ(ReadFile(dir_ / "attempt-1.log"), "before\n");
}

TEST_F(SuperviseTest, SecretsFromTheInheritedFdAreRedactedAndTheCapKeepsHeadAndTail) {
  // The secret reaches the supervisor on fd 3, never in its argv.
  const std::string secret = "sk-supervise-secret-0123456789";
  const std::string secrets_file = dir_ / "secrets";
  testing::WriteFile(secrets_file, secret + std::string(1, '\0'));
  const pid_t pid = fork();
  if (pid == 0) {
    // Out of the way first, so that placing it cannot overwrite another.
    const int fd = fcntl(open(secrets_file.c_str(), O_RDONLY | O_CLOEXEC), F_DUPFD_CLOEXEC, 100);
    PlaceFd(fd, 3);
    const std::string log = dir_ / "attempt-1.log", status_path = dir_ / "attempt-1.status";
    const std::string script = "echo key " + secret + "; head -c 100000 /dev/zero | tr '\\0' x; echo; echo end";
    execl(ORCHESTRA_SUPERVISE, ORCHESTRA_SUPERVISE, "--log", log.c_str(), "--status", status_path.c_str(),
          "--secrets-fd", "3", "--max-log-bytes", "1024", "--", "/bin/sh", "-c", script.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const SupervisorStatus status = Finish(pid);
  const std::string log = ReadFile(dir_ / "attempt-1.log");
  EXPECT_EQ(log.find(secret), std::string::npos);
  EXPECT_EQ(log.rfind("key [redacted]\n", 0), 0u) << log.substr(0, 40);
  EXPECT_NE(log.find("bytes of output cut (max_log_size 1 KB)"), std::string::npos);
  EXPECT_TRUE(log.ends_with("x\nend\n"));
  EXPECT_EQ(status.output_bytes, static_cast<int64_t>(4 + secret.size() + 1 + 100000 + 1 + 4));
}

TEST_F(SuperviseTest, StatusPathIsBesideTheLog) {
  EXPECT_EQ(StatusPathFor("/a/attempt-2.log"), "/a/attempt-2.status");
  EXPECT_EQ(StatusPathFor("/a/output"), "/a/output.status");
}

}  // namespace
}  // namespace orchestra
