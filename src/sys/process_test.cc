#include "process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli_harness.h"
#include "process_table.h"
#include "supervisor_status.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace orchestra {
namespace {

using testing::ReadFile;
using testing::WaitUntilGone;

// Reads a pid the script wrote with `echo $! > file`, 0 if there is none.
int ReadPid(const std::string& path) {
  std::istringstream text(ReadFile(path));
  int pid = 0;
  text >> pid;
  return pid;
}

/// A fresh loop, runner and scratch folder per test; the runner is destroyed
/// and the loop drained and closed at the end, which fails if a handle leaked.
class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    runner_ = std::make_unique<UvProcessRunner>(&loop_, ORCHESTRA_SUPERVISE);
  }

  void TearDown() override {
    runner_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);  // lets the close callbacks finish
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  /// A `sh -c script` spec logging to <dir>/log.
  ProcessSpec Shell(const std::string& script) {
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.log_path = dir_ / "log";
    return spec;
  }

  /// What the exit callback of one started process saw.
  struct Outcome {
    bool finished = false;
    ProcessResult result;
    int64_t handle = 0;
    int pid = 0;
  };

  void StartOrFail(const ProcessSpec& spec, Outcome* outcome) {
    std::string error;
    ASSERT_TRUE(runner_->Start(
        spec,
        [outcome](const ProcessResult& result) {
          EXPECT_FALSE(outcome->finished) << "on_exit called twice";
          outcome->finished = true;
          outcome->result = result;
        },
        &outcome->handle, &outcome->pid, &error))
        << error;
  }

  /// Starts a supervised agent that sleeps, and runs the loop until it has
  /// started; its pid (0 when it did not start).
  int StartSupervisedSleeper(Outcome* outcome) {
    const std::string agent_file = dir_ / "agent";
    ProcessSpec spec = Shell("echo $$ > " + agent_file + "; exec sleep 1000");
    spec.status_path = dir_ / "status";
    spec.log_path = dir_ / "agent.log";
    StartOrFail(spec, outcome);
    return RunUntil([&] { return ReadPid(agent_file) > 0; }) ? ReadPid(agent_file) : 0;
  }

  /// Runs the loop until `done` holds or `limit_seconds` pass; returns done().
  bool RunUntil(std::function<bool()> done, double limit_seconds = 20) {
    if (done()) return true;
    /// The state a repeating timer needs to check `done` and stop the loop.
    struct Poll {
      uv_timer_t timer;
      std::function<bool()> done;
      uint64_t deadline_ms;
      bool closed = false;
    } poll;
    poll.done = std::move(done);
    uv_update_time(&loop_);
    poll.deadline_ms = uv_now(&loop_) + static_cast<uint64_t>(limit_seconds * 1000);
    uv_timer_init(&loop_, &poll.timer);
    poll.timer.data = &poll;
    uv_timer_start(
        &poll.timer,
        [](uv_timer_t* timer) {
          auto* poll = static_cast<Poll*>(timer->data);
          if (poll->done() || uv_now(timer->loop) >= poll->deadline_ms) uv_stop(timer->loop);
        },
        10, 10);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&poll.timer),
             [](uv_handle_t* handle) { static_cast<Poll*>(handle->data)->closed = true; });
    while (!poll.closed) uv_run(&loop_, UV_RUN_NOWAIT);
    return poll.done();
  }

  bool RunUntilFinished(const Outcome& outcome) {
    return RunUntil([&outcome] { return outcome.finished; });
  }

  uv_loop_t loop_;
  testing::TempDir dir_;
  std::unique_ptr<UvProcessRunner> runner_;
};

TEST_F(ProcessTest, CapturesExitCode) {
  Outcome outcome;
  StartOrFail(Shell("exit 3"), &outcome);
  EXPECT_EQ(runner_->running(), 1u);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_EQ(outcome.result.exit_code, 3);
  EXPECT_EQ(outcome.result.term_signal, 0);
  EXPECT_FALSE(outcome.result.timed_out);
  EXPECT_FALSE(outcome.result.Succeeded());
  EXPECT_GT(outcome.result.duration_seconds, 0);
  EXPECT_EQ(outcome.result.Describe(), "exit code 3");
  EXPECT_EQ(runner_->running(), 0u);
}

// Detached children must still keep the loop alive (we never uv_unref them):
// a plain uv_run returns only after the exit was reported.
TEST_F(ProcessTest, DetachedChildKeepsLoopAliveUntilReported) {
  Outcome outcome;
  StartOrFail(Shell("sleep 0.2; exit 0"), &outcome);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_TRUE(outcome.finished);
  EXPECT_TRUE(outcome.result.Succeeded());
}

TEST_F(ProcessTest, ChildLeadsItsOwnProcessGroupAndSession) {
  Outcome outcome;
  ProcessSpec spec;
  spec.argv = {"sleep", "100"};
  StartOrFail(spec, &outcome);
  EXPECT_EQ(getpgid(outcome.pid), outcome.pid);
  EXPECT_EQ(getsid(outcome.pid), outcome.pid);
  runner_->Kill(outcome.handle);
  ASSERT_TRUE(RunUntilFinished(outcome));
}

TEST_F(ProcessTest, AppendsStdoutAndStderrToLogAcrossRuns) {
  for (const char* run : {"1", "2"}) {
    Outcome outcome;
    ProcessSpec spec = Shell("echo out-$RUN; echo err-$RUN >&2");
    spec.log_path = dir_ / "nested/folders/attempt.log";
    spec.env = {std::string("RUN=") + run};
    StartOrFail(spec, &outcome);
    ASSERT_TRUE(RunUntilFinished(outcome));
    EXPECT_TRUE(outcome.result.Succeeded());
  }
  EXPECT_EQ(ReadFile(dir_ / "nested/folders/attempt.log"), "out-1\nerr-1\nout-2\nerr-2\n");
}

TEST_F(ProcessTest, EnvironmentIsOursWithEntriesAddedOrReplaced) {
  setenv("ORCHESTRA_PROCESS_TEST_KEPT", "kept", 1);
  setenv("ORCHESTRA_PROCESS_TEST_REPLACED", "ours", 1);
  Outcome outcome;
  ProcessSpec spec = Shell(
      "echo \"$ORCHESTRA_PROCESS_TEST_KEPT $ORCHESTRA_PROCESS_TEST_REPLACED "
      "$ORCHESTRA_PROCESS_TEST_ADDED\"; env | grep -c '^ORCHESTRA_PROCESS_TEST_REPLACED='");
  spec.env = {"ORCHESTRA_PROCESS_TEST_REPLACED=theirs", "ORCHESTRA_PROCESS_TEST_ADDED=added"};
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntilFinished(outcome));
  unsetenv("ORCHESTRA_PROCESS_TEST_KEPT");
  unsetenv("ORCHESTRA_PROCESS_TEST_REPLACED");
  EXPECT_EQ(ReadFile(spec.log_path), "kept theirs added\n1\n");
}

TEST_F(ProcessTest, RunsInTheGivenWorkingDirectory) {
  const std::string work = dir_ / "work";
  std::filesystem::create_directories(work);
  Outcome outcome;
  ProcessSpec spec = Shell("pwd -P");
  spec.cwd = work;
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_EQ(ReadFile(spec.log_path), std::filesystem::canonical(work).string() + "\n");
}

TEST_F(ProcessTest, StdinIsDevNull) {
  Outcome outcome;
  ProcessSpec spec = Shell("wc -c");
  spec.timeout_seconds = 60;  // a stdin that waits for input would end here, not in 0s
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_TRUE(outcome.result.Succeeded()) << outcome.result.Describe();
  EXPECT_EQ(ReadFile(spec.log_path), "0\n");
}

TEST_F(ProcessTest, MissingProgramFailsCleanlyAndSaysWhyInTheLog) {
  ProcessSpec spec;
  spec.argv = {"nosuchprog-orchestra-test", "--flag"};
  spec.log_path = dir_ / "log";
  bool called = false;
  int64_t handle = 0;
  int pid = 0;
  std::string error;
  EXPECT_FALSE(runner_->Start(
      spec, [&](const ProcessResult&) { called = true; }, &handle, &pid, &error));
  EXPECT_EQ(error,
            "cannot start 'nosuchprog-orchestra-test': no such file or directory (check the "
            "agent's argv)");
  EXPECT_EQ(ReadFile(spec.log_path), error + "\n");
  EXPECT_EQ(runner_->running(), 0u);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(called);
}

TEST_F(ProcessTest, MissingWorkingDirectoryFailsCleanly) {
  ProcessSpec spec = Shell("true");
  spec.cwd = dir_ / "no-such-folder";
  int64_t handle = 0;
  int pid = 0;
  std::string error;
  EXPECT_FALSE(runner_->Start(spec, nullptr, &handle, &pid, &error));
  EXPECT_NE(error.find("working directory '" + spec.cwd + "' does not exist"), std::string::npos)
      << error;
  EXPECT_EQ(ReadFile(spec.log_path), error + "\n");
}

TEST_F(ProcessTest, TimeoutKillsTheWholeGroup) {
  const std::string grandchild_file = dir_ / "grandchild";
  Outcome outcome;
  ProcessSpec spec = Shell("sleep 100 & echo $! > " + grandchild_file + "; sleep 100");
  spec.timeout_seconds = 1;
  spec.kill_grace_seconds = 0.3;
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_TRUE(outcome.result.timed_out);
  EXPECT_NE(outcome.result.term_signal, 0);
  EXPECT_FALSE(outcome.result.Succeeded());
  // SIGTERM ends the shell; SIGKILL only if the 0.3 s grace ran out first.
  const std::string described = outcome.result.Describe();
  EXPECT_TRUE(described == "timed out after 1s, killed by signal 15 (SIGTERM)" ||
              described == "timed out after 1s, killed by signal 9 (SIGKILL)")
      << described;
  const int grandchild = ReadPid(grandchild_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(WaitUntilGone(grandchild));
}

TEST_F(ProcessTest, TerminateEscalatesToSigkillAfterTheGracePeriod) {
  const std::string ready = dir_ / "ready";
  Outcome outcome;
  ProcessSpec spec = Shell("trap '' TERM; touch " + ready + "; sleep 100");
  spec.kill_grace_seconds = 0.3;
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntil([&] { return std::filesystem::exists(ready); }));
  runner_->Terminate(outcome.handle);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_EQ(outcome.result.term_signal, SIGKILL);
  EXPECT_FALSE(outcome.result.timed_out);
  EXPECT_EQ(outcome.result.Describe(), "killed by signal 9 (SIGKILL)");
}

TEST_F(ProcessTest, TerminateSendsSigterm) {
  Outcome outcome;
  ProcessSpec spec;
  spec.argv = {"sleep", "100"};
  StartOrFail(spec, &outcome);
  runner_->Terminate(outcome.handle);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_EQ(outcome.result.term_signal, SIGTERM);
  EXPECT_EQ(outcome.result.Describe(), "killed by signal 15 (SIGTERM)");
}

TEST_F(ProcessTest, KillDoesNotWaitForTheGracePeriod) {
  Outcome outcome;
  ProcessSpec spec = Shell("trap '' TERM; sleep 100");
  spec.kill_grace_seconds = 1000;  // longer than RunUntil waits
  StartOrFail(spec, &outcome);
  runner_->Kill(outcome.handle);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_EQ(outcome.result.term_signal, SIGKILL);
}

TEST_F(ProcessTest, LeftoversInTheGroupDieWhenTheLeaderExits) {
  const std::string grandchild_file = dir_ / "grandchild";
  Outcome outcome;
  StartOrFail(Shell("sleep 100 & echo $! > " + grandchild_file + "; exit 0"), &outcome);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_TRUE(outcome.result.Succeeded()) << outcome.result.Describe();
  const int grandchild = ReadPid(grandchild_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(WaitUntilGone(grandchild));
}

TEST_F(ProcessTest, ConcurrentProcessesReportIndependently) {
  Outcome slow, fast;
  StartOrFail(Shell("sleep 0.3; exit 4"), &slow);
  StartOrFail(Shell("exit 5"), &fast);
  EXPECT_NE(slow.handle, fast.handle);
  EXPECT_EQ(runner_->running(), 2u);
  ASSERT_TRUE(RunUntil([&] { return slow.finished && fast.finished; }));
  EXPECT_EQ(slow.result.exit_code, 4);
  EXPECT_EQ(fast.result.exit_code, 5);
  EXPECT_EQ(runner_->running(), 0u);
}

TEST_F(ProcessTest, OnExitMayStartAnotherProcess) {
  Outcome first, second;
  size_t running_in_callback = 99;
  int64_t handle = 0;
  int pid = 0;
  std::string error;
  ASSERT_TRUE(runner_->Start(
      Shell("exit 1"),
      [&](const ProcessResult& result) {
        first.finished = true;
        first.result = result;
        running_in_callback = runner_->running();
        StartOrFail(Shell("exit 2"), &second);
      },
      &handle, &pid, &error))
      << error;
  ASSERT_TRUE(RunUntil([&] { return second.finished; }));
  EXPECT_EQ(first.result.exit_code, 1);
  EXPECT_EQ(running_in_callback, 0u);
  EXPECT_EQ(second.result.exit_code, 2);
  EXPECT_EQ(runner_->running(), 0u);
}

// The owner should drain the loop first, but a runner destroyed early must
// still leave nothing running and keep the loop closable.
TEST_F(ProcessTest, DestructorKillsEveryGroupWithoutReporting) {
  const std::string grandchild_file = dir_ / "grandchild";
  Outcome outcome;
  StartOrFail(Shell("sleep 100 & echo $! > " + grandchild_file + "; sleep 100"), &outcome);
  ASSERT_TRUE(RunUntil([&] { return ReadPid(grandchild_file) > 0; }));
  runner_.reset();
  EXPECT_TRUE(!testing::ProcessAlive(outcome.pid));  // killed and reaped before the destructor returned
  EXPECT_TRUE(WaitUntilGone(ReadPid(grandchild_file)));
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(outcome.finished);
}

TEST_F(ProcessTest, InterleavesStdoutAndStderrInOrder) {
  Outcome outcome;
  StartOrFail(Shell("for i in 1 2 3; do echo out-$i; echo err-$i >&2; done"), &outcome);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_EQ(ReadFile(dir_ / "log"), "out-1\nerr-1\nout-2\nerr-2\nout-3\nerr-3\n");
  EXPECT_EQ(runner_->OutputBytes(outcome.handle), 0);  // forgotten once reported
}

TEST_F(ProcessTest, SecretInTheEnvironmentIsRedactedInTheLog) {
  const std::string secret = "sk-ant-process-test-0123456789";
  Outcome outcome;
  ProcessSpec spec = Shell(
      "echo \"key: $ORCHESTRA_TEST_API_KEY\"; printf '%s' \"$ORCHESTRA_TEST_API_KEY\" | wc -c; "
      "echo \"$ORCHESTRA_TEST_API_KEY\" >&2");
  spec.env = {"ORCHESTRA_TEST_API_KEY=" + secret};
  spec.redact = {secret};
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_TRUE(outcome.result.Succeeded()) << outcome.result.Describe();
  // The child had the key (its length was printed), the log has none of it.
  EXPECT_EQ(ReadFile(spec.log_path), "key: [redacted]\n" + std::to_string(secret.size()) + "\n[redacted]\n");
}

TEST_F(ProcessTest, OutputBytesCountsWhatTheChildPrinted) {
  const std::string ready = dir_ / "ready";
  Outcome outcome;
  ProcessSpec spec = Shell("printf 12345; touch " + ready + "; sleep 100");
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntil([&] { return runner_->OutputBytes(outcome.handle) == 5; }));
  runner_->Kill(outcome.handle);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_EQ(ReadFile(spec.log_path), "12345");
}

// 200 MB printed, 1 MB kept: the head, the marker, the tail.
TEST_F(ProcessTest, HugeOutputIsCappedWithHeadAndTailKept) {
  Outcome outcome;
  ProcessSpec spec = Shell("echo first-line; head -c 209715200 /dev/zero | tr '\\0' x; echo; echo last-line");
  spec.max_log_bytes = 1 << 20;
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntil([&] { return outcome.finished; }, 300));
  EXPECT_TRUE(outcome.result.Succeeded()) << outcome.result.Describe();
  const std::string log = ReadFile(spec.log_path);
  const std::string marker = "\norchestra: [... " + std::to_string(11 + 209715200 + 1 + 10 - (1 << 20)) +
                             " bytes of output cut (max_log_size 1 MB) ...]\n";
  EXPECT_EQ(log.size(), static_cast<size_t>(1 << 20) + marker.size());
  EXPECT_TRUE(log.starts_with("first-line\nxxxx"));
  EXPECT_NE(log.find(marker), std::string::npos);
  EXPECT_TRUE(log.ends_with("xxxx\nlast-line\n"));
}

// A daemon that leaves the process group (setsid) keeps the pipe's write end
// open forever; the exit is still reported and the log still complete.
TEST_F(ProcessTest, EscapedDaemonHoldingThePipeDoesNotDelayTheExit) {
  const std::string daemon_file = dir_ / "daemon";
  Outcome outcome;
  const std::string fifo = dir_ / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // The daemon tells its pid through the fifo once it is in its own session.
  StartOrFail(Shell("setsid sh -c 'echo $$ > " + fifo + "; exec sleep 1000' & read pid < " + fifo +
                    "; echo $pid > " + daemon_file + "; echo leader-done"),
              &outcome);
  ASSERT_TRUE(RunUntilFinished(outcome));
  const int daemon = ReadPid(daemon_file);
  ASSERT_GT(daemon, 0);
  EXPECT_TRUE(testing::ProcessAlive(daemon));  // escaped: still running, the pipe still open
  EXPECT_NE(getsid(daemon), outcome.pid);
  kill(daemon, SIGKILL);
  EXPECT_TRUE(outcome.result.Succeeded()) << outcome.result.Describe();
  EXPECT_EQ(ReadFile(dir_ / "log"), "leader-done\n");
}

// Agents run under orchestra-supervise: a spec with a status_path.

TEST_F(ProcessTest, SupervisedProcessReportsWhatItsStatusFileRecords) {
  Outcome outcome;
  ProcessSpec spec = Shell("echo out; echo err >&2; exit 3");
  spec.log_path = dir_ / "attempt-1.log";
  spec.status_path = dir_ / "attempt-1.status";
  StartOrFail(spec, &outcome);
  EXPECT_EQ(runner_->running(), 1u);
  EXPECT_EQ(getsid(outcome.pid), outcome.pid);  // the supervisor leads a session of its own
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_EQ(outcome.result.Describe(), "exit code 3");
  EXPECT_EQ(outcome.result.log_offset, 0);
  EXPECT_EQ(ReadFile(spec.log_path), "out\nerr\n");
  SupervisorStatus status;
  std::string error;
  ASSERT_TRUE(ReadSupervisorStatus(spec.log_path, spec.status_path, &status, &error)) << error;
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_EQ(runner_->running(), 0u);
}

TEST_F(ProcessTest, SupervisedMissingProgramEndsWithTheReasonAsItsSpawnError) {
  // Start does not wait for the agent's own exec (that would hold the loop at
  // every launch): the supervisor ends with the reason in its status file.
  ProcessSpec spec = Shell("");
  spec.argv = {"no-such-program-xyz"};
  spec.status_path = dir_ / "status";
  Outcome outcome;
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntilFinished(outcome));
  const std::string reason = "cannot start 'no-such-program-xyz': no such file or directory (check the agent's argv)";
  EXPECT_EQ(outcome.result.spawn_error, reason);
  EXPECT_FALSE(outcome.result.Succeeded());
  EXPECT_EQ(outcome.result.Describe(), "could not start: " + reason);
  EXPECT_EQ(ReadFile(spec.log_path), reason + "\n");
  EXPECT_EQ(runner_->running(), 0u);
}

TEST_F(ProcessTest, SupervisedTerminateEscalatesAndTheTimeoutIsTheSupervisors) {
  const std::string trapped = dir_ / "trapped";
  ASSERT_EQ(mkfifo(trapped.c_str(), 0600), 0);
  Outcome stopped, timed_out;
  ProcessSpec spec = Shell("trap '' TERM; echo > " + trapped + "; exec sleep 1000");
  spec.status_path = dir_ / "stopped.status";
  spec.kill_grace_seconds = 0.1;
  StartOrFail(spec, &stopped);
  ReadFile(trapped);  // it ignores SIGTERM from here on
  runner_->Terminate(stopped.handle);
  ProcessSpec slow = Shell("trap '' TERM; exec sleep 1000");
  slow.status_path = dir_ / "timed_out.status";
  slow.timeout_seconds = 0.1;
  slow.kill_grace_seconds = 0.1;
  StartOrFail(slow, &timed_out);
  ASSERT_TRUE(RunUntil([&] { return stopped.finished && timed_out.finished; }));
  EXPECT_EQ(stopped.result.Describe(), "killed by signal 9 (SIGKILL)");
  EXPECT_EQ(timed_out.result.Describe(), "timed out after 0.1s, killed by signal 9 (SIGKILL)");
}

TEST_F(ProcessTest, SupervisedOutputBytesComeFromTheSupervisorsCounter) {
  Outcome outcome;
  ProcessSpec spec = Shell("printf 12345; exec sleep 1000");
  spec.status_path = dir_ / "status";
  StartOrFail(spec, &outcome);
  ASSERT_TRUE(RunUntil([&] { return runner_->OutputBytes(outcome.handle) == 5; }));
  runner_->Kill(outcome.handle);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_EQ(outcome.result.Describe(), "killed by signal 9 (SIGKILL)");
  EXPECT_EQ(ReadFile(spec.log_path), "12345");
}

TEST_F(ProcessTest, SupervisedDestructorHasTheAgentKilledWithoutReporting) {
  Outcome outcome;
  const int agent = StartSupervisedSleeper(&outcome);
  ASSERT_GT(agent, 0);
  runner_.reset();
  EXPECT_FALSE(testing::ProcessAlive(outcome.pid));  // the supervisor, reaped
  EXPECT_TRUE(WaitUntilGone(agent));
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(outcome.finished);
}

TEST_F(ProcessTest, ASupervisorKilledOutrightLosesTheEndAndSaysSo) {
  Outcome outcome;
  const int agent = StartSupervisedSleeper(&outcome);
  ASSERT_GT(agent, 0);
  ASSERT_EQ(kill(outcome.pid, SIGKILL), 0);
  ASSERT_TRUE(RunUntilFinished(outcome));
  EXPECT_FALSE(outcome.result.Succeeded());
  const std::string lost = "its supervisor was killed by signal 9 (SIGKILL) without recording how the agent ended";
  EXPECT_EQ(outcome.result.Describe(), "lost: " + lost);
  const std::string log = ReadFile(dir_ / "agent.log");
  EXPECT_NE(log.find("orchestra: " + lost), std::string::npos) << log;
  // The agent outlives its supervisor: the caller's attempt-key scan ends it (executor tests).
  kill(agent, SIGKILL);
}

TEST(SupervisorLossTest, SaysHowTheSupervisorEndedWhenItWasReaped) {
  EXPECT_EQ(SupervisorLoss(true, 1 << 8), "its supervisor exited with code 1 without recording how the agent ended");
  EXPECT_EQ(SupervisorLoss(true, SIGKILL), "its supervisor was killed by signal 9 (SIGKILL) without recording how the agent ended");
  EXPECT_EQ(SupervisorLoss(false, 0), "its supervisor ended without recording how the agent ended");
}

// A second runner (a restarted orchestrator) adopts a supervisor the first
// one started, and learns its end from the status file.
TEST_F(ProcessTest, AdoptWatchesASupervisorItDidNotStart) {
  const std::string go = dir_ / "go";
  ASSERT_EQ(mkfifo(go.c_str(), 0600), 0);
  ProcessSpec spec = Shell("read line < " + go + "; echo adopted-output; exit 5");
  spec.status_path = dir_ / "attempt-1.status";
  spec.log_path = dir_ / "attempt-1.log";
  Outcome first;
  StartOrFail(spec, &first);
  const int64_t start_time = ProcessStartTime(first.pid);
  Outcome adopted;
  std::string error;
  ASSERT_TRUE(runner_->Adopt(
      first.pid, start_time, spec.status_path,
      [&adopted](const ProcessResult& result) {
        adopted.finished = true;
        adopted.result = result;
      },
      &adopted.handle, &error))
      << error;
  EXPECT_FALSE(runner_->Adopt(first.pid, start_time + 1, spec.status_path, [](const ProcessResult&) {},
                              &adopted.handle, &error));
  EXPECT_EQ(error, "process " + std::to_string(first.pid) + " is gone (its pid now belongs to another process)");
  const int fd = open(go.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "go\n", 3), 3);
  close(fd);
  ASSERT_TRUE(RunUntil([&] { return first.finished && adopted.finished; }));
  EXPECT_EQ(adopted.result.Describe(), "exit code 5");
  EXPECT_EQ(first.result.Describe(), "exit code 5");
  EXPECT_EQ(ReadFile(spec.log_path), "adopted-output\n");
}

TEST(ProcessResultTest, Describe) {
  ProcessResult result;
  result.exit_code = 0;
  EXPECT_EQ(result.Describe(), "exit code 0");
  result.exit_code = -1;
  result.term_signal = SIGKILL;
  EXPECT_EQ(result.Describe(), "killed by signal 9 (SIGKILL)");
  result.timed_out = true;
  result.timeout_seconds = 2;
  result.term_signal = SIGTERM;
  EXPECT_EQ(result.Describe(), "timed out after 2s, killed by signal 15 (SIGTERM)");
  result.timeout_seconds = 0.5;
  result.term_signal = 0;
  result.exit_code = 143;
  EXPECT_EQ(result.Describe(), "timed out after 0.5s, exit code 143");
  result.spawn_error = "cannot start 'x': permission denied";
  EXPECT_EQ(result.Describe(), "could not start: cannot start 'x': permission denied");
}

}  // namespace
}  // namespace orchestra
