// Agents that misbehave, and an orchestrator that dies, through the real
// binary: every agent runs under orchestra-supervise, which contains it,
// records its end and outlives the orchestrator. The tests wait on fifos,
// files and state rows, never on time.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "cgroup.h"
#include "cli_harness.h"
#include "secret_scan.h"
#include "supervisor_status.h"
#include "temp_dir.h"

namespace orchestra {
namespace {

namespace fs = std::filesystem;
using testing::CampaignSecrets;
using testing::CommandResult;
using testing::ProcessAlive;
using testing::ReadFile;
using testing::ReadLines;
using testing::RunOrchestra;
using testing::Sqlite3;
using testing::StartOrchestra;
using testing::TempDir;
using testing::WaitForExit;
using testing::WaitUntil;
using testing::WaitUntilGone;
using testing::WriteFile;

/// FaultProject is a project of one workstream, "w", whose `command` agent
/// runs agent.sh (the test's script, run in the project folder). The agent's
/// type gives it two API keys, which it prints before its fault; no test may
/// end with one of them anywhere Orchestra wrote (ExpectNoSecretLeft).
class FaultProject {
 public:
  explicit FaultProject(const std::string& script, const std::string& workstream_extra = "",
                        const std::string& defaults = "") {
    WriteFile(dir_ / "workstreams/w.json",
              "{\"id\": \"w\", \"title\": \"W\"" + (workstream_extra.empty() ? "" : ", " + workstream_extra) + "}");
    WriteFile(dir_ / "orchestra.toml",
              "[defaults]\nbackoff = \"0s\"\nkill_grace = \"1s\"\nmax_attempts = 1\n" + defaults +
                  secrets_.RedactTable() + "[agent_types.script]\nkind = \"command\"\nargv = [\"./agent.sh\"]\n" +
                  secrets_.EnvLine() + "[[agents]]\nid = \"agent-1\"\ntype = \"script\"\n");
    WriteFile(dir_ / "agent.sh",
              "#!/bin/sh\necho \"key $ANTHROPIC_API_KEY hook $DEPLOY_HOOK\"\n"
              "echo \"to stderr: $ANTHROPIC_API_KEY\" >&2\n" +
                  script,
              true);
  }
  /// No secret survives in the project (state, logs, status files, reports
  /// written by `orchestra report`) nor in what the runs printed.
  void ExpectNoSecretLeft(const std::vector<const CommandResult*>& runs = {}) const {
    // The agent had the keys and printed them: the log shows them redacted.
    EXPECT_NE(ReadFile(dir_ / "logs/workstreams/w/attempt-1.log").find("key [redacted] hook [redacted]\n"),
              std::string::npos);
    const CommandResult report = RunOrchestra(path(), {"report"});
    EXPECT_EQ(report.exit_code, 0) << report.err;
    testing::SecretScan scan{.project_dir = path(), .test_inputs = {"orchestra.toml", "agent.sh"}};
    for (const CommandResult* run : runs) scan.outputs.insert(scan.outputs.end(), {{"stdout", run->out}, {"stderr", run->err}});
    scan.outputs.insert(scan.outputs.end(), {{"report's stdout", report.out}, {"report's stderr", report.err}});
    EXPECT_EQ(testing::SecretLeaks(scan, secrets_.values()), std::vector<std::string>{});
  }
  const std::string& path() const { return dir_.path(); }
  std::string operator/(const std::string& relative) const { return dir_ / relative; }
  std::string StatePath() const { return dir_ / ".state/orchestration.db"; }
  std::string Sql(const std::string& query) const { return Sqlite3(StatePath(), query).out; }
  /// A fifo the agent blocks on (`read line < name`) until Release.
  std::string Fifo(const std::string& name) const {
    const std::string fifo = dir_ / name;
    EXPECT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    return fifo;
  }
  void Release(const std::string& name) const {
    const int fd = open((dir_ / name).c_str(), O_WRONLY);  // waits for the agent's read
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "go\n", 3), 3);
    close(fd);
  }

 private:
  TempDir dir_;
  CampaignSecrets secrets_;
};

TEST(AgentFaultsTest, CrashBySignalFailsTheAttemptAndSaysWhich) {
  FaultProject project("kill -SEGV $$\n");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(project.Sql("SELECT outcome, signal, error_message FROM attempts"),
            "failed|11|agent killed by signal 11 (SIGSEGV)\n");
  project.ExpectNoSecretLeft({&run});
}

TEST(AgentFaultsTest, ExitZeroDoingNothingIsCaughtByTheAcceptanceTest) {
  FaultProject project("exit 0\n", "\"acceptance_tests\": [\"test -f done.txt\"]");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(project.Sql("SELECT outcome FROM attempts"), "failed\n");
  EXPECT_NE(project.Sql("SELECT error_message FROM attempts").find("test -f done.txt"), std::string::npos);
  project.ExpectNoSecretLeft({&run});
}

TEST(AgentFaultsTest, AnAgentThatClosesItsOutputButRunsOnIsWaitedFor) {
  FaultProject project("echo before\nexec >&- 2>&-\ntouch closed\nread line < go\ntouch done.txt\nexit 0\n",
                       "\"acceptance_tests\": [\"test -f done.txt\"]");
  project.Fifo("go");
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return fs::exists(project / "closed"); }));
  EXPECT_EQ(project.Sql("SELECT status FROM workstream_status"), "running\n");
  project.Release("go");
  EXPECT_EQ(WaitForExit(orchestrator), 0) << ReadFile(project / "run.out");
  EXPECT_EQ(project.Sql("SELECT outcome FROM attempts"), "succeeded\n");
  project.ExpectNoSecretLeft();
}

TEST(AgentFaultsTest, ADaemonThatLeftTheSessionAndClearedItsEnvironmentIsKilled) {
  FaultProject project("setsid env -i /bin/sh -c 'sleep 1000 & echo $! > daemon.pid'\nexit 0\n");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  bool cgroups = false;
  const std::string containment = DescribeContainment(&cgroups);
  const std::string said = project.Sql("SELECT message FROM execution_log WHERE event_type = 'containment'");
  const int daemon = std::stoi(ReadFile(project / "daemon.pid"));
  if (!cgroups) {
    // Without a cgroup nothing finds it: the run said so; the test cleans up.
    EXPECT_EQ(said.rfind("agent processes are contained by process group + attempt-key scan (", 0), 0u) << said;
    kill(daemon, SIGKILL);
    project.ExpectNoSecretLeft({&run});
    GTEST_SKIP() << "no cgroup v2 here (" << containment << "): an escaped daemon cannot be found";
  }
  EXPECT_EQ(said, "agent processes are contained by " + containment + "\n");
  EXPECT_NE(run.out.find("agent processes are contained by cgroup v2 ("), std::string::npos) << run.out;
  EXPECT_TRUE(WaitUntilGone(daemon));
  EXPECT_NE(ReadFile(project / "logs/workstreams/w/attempt-1.log")
                .find("orchestra: killed 1 leftover process(es) of this attempt (its cgroup)\n"),
            std::string::npos);
  project.ExpectNoSecretLeft({&run});
}

TEST(AgentFaultsTest, AGigabyteOfOutputIsCappedAndMemoryStaysFlat) {
  // After printing, the agent records the peak memory of its supervisor ($PPID)
  // and of the orchestrator (the supervisor's parent).
  FaultProject project(
      "head -c 1073741824 /dev/zero | tr '\\0' x\necho\necho last line\n"
      "grep VmHWM /proc/$PPID/status > supervisor.hwm\n"
      "grep VmHWM /proc/$(awk '{print $4}' /proc/$PPID/stat)/status > orchestrator.hwm\n",
      "", "max_log_size = \"1 MB\"\n");
  CommandResult run = RunOrchestra(project.path(), {"run"}, 280);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string log = ReadFile(project / "logs/workstreams/w/attempt-1.log");
  EXPECT_LT(log.size(), 2u * 1024 * 1024);
  EXPECT_NE(log.find("bytes of output cut (max_log_size 1 MB)"), std::string::npos);
  EXPECT_NE(log.find("xxxxxxxx"), std::string::npos);     // the head
  EXPECT_NE(log.find("x\nlast line\n"), std::string::npos);  // the tail
  for (const char* file : {"supervisor.hwm", "orchestrator.hwm"}) {
    long kilobytes = 0;
    ASSERT_EQ(std::sscanf(ReadFile(project / file).c_str(), "VmHWM: %ld kB", &kilobytes), 1) << file;
    EXPECT_LT(kilobytes, 200 * 1024) << file;
  }
  project.ExpectNoSecretLeft({&run});
}

TEST(AgentFaultsTest, AnAgentThatIgnoresSigtermIsKilledAfterTheGracePeriod) {
  FaultProject project("trap '' TERM\nexec sleep 1000\n", "\"timeout\": \"1s\"");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(project.Sql("SELECT outcome, signal FROM attempts"), "timed_out|9\n");
  EXPECT_NE(project.Sql("SELECT error_message FROM attempts").find("timed out after 1s, killed by signal 9 (SIGKILL)"),
            std::string::npos);
  project.ExpectNoSecretLeft({&run});
}

/// The orchestrator is killed while the agent works; the agent goes on.
class OrchestratorDeathTest : public ::testing::Test {
 protected:
  OrchestratorDeathTest()
      : project_("echo run >> runs\nread line < go\necho work > work.txt\necho finished\n",
                 "\"acceptance_tests\": [\"test -f work.txt\"]") {
    project_.Fifo("go");
  }

  /// Starts a run and kills it (-9) once the agent is working and its
  /// supervisor is recorded.
  void StartAndKill() {
    const pid_t orchestrator = StartOrchestra(project_.path(), {"run"}, project_ / "first.out");
    ASSERT_TRUE(WaitUntil([&] {
      return fs::exists(project_ / "runs") && project_.Sql("SELECT COUNT(*) FROM attempts WHERE pid > 0") == "1\n";
    }));
    kill(orchestrator, SIGKILL);
    EXPECT_EQ(WaitForExit(orchestrator), 128 + SIGKILL);
    supervisor_ = std::stoi(project_.Sql("SELECT pid FROM attempts"));
    ASSERT_TRUE(ProcessAlive(supervisor_));
  }

  void ExpectCompletedOnce(const std::string& run_output, const std::string& event) {
    EXPECT_EQ(ReadLines(project_ / "runs").size(), 1u);  // the agent ran once
    EXPECT_EQ(project_.Sql("SELECT status FROM workstream_status"), "completed\n");
    EXPECT_EQ(project_.Sql("SELECT attempt, outcome FROM attempts"), "1|succeeded\n");
    EXPECT_EQ(project_.Sql("SELECT COUNT(*) FROM execution_log WHERE event_type = '" + event + "'"), "1\n");
    EXPECT_NE(run_output.find(event), std::string::npos) << run_output;
    EXPECT_NE(ReadFile(project_ / "logs/orchestrator.log").find(event), std::string::npos);
    EXPECT_NE(ReadFile(project_ / "logs/workstreams/w/attempt-1.log").find("finished\n"), std::string::npos);
    project_.ExpectNoSecretLeft();  // first.out and second.out, the runs' terminal output, are in the project
  }

  FaultProject project_;
  int supervisor_ = 0;
};

TEST_F(OrchestratorDeathTest, AnAgentThatFinishedMeanwhileIsCollectedNotRunAgain) {
  StartAndKill();
  project_.Release("go");
  ASSERT_TRUE(WaitUntilGone(supervisor_));  // it recorded the end and exited
  SupervisorStatus recorded;
  std::string error;
  const std::string log = project_ / "logs/workstreams/w/attempt-1.log";
  ASSERT_TRUE(ReadSupervisorStatus(log, StatusPathFor(log), &recorded, &error)) << error;
  CommandResult run = RunOrchestra(project_.path(), {"run"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  ExpectCompletedOnce(run.out, "collected");
  EXPECT_EQ(project_.Sql("SELECT message FROM execution_log WHERE event_type = 'collected'"),
            "attempt 1 of w: its agent ended while the orchestrator was stopped (exit code 0); collected its result\n");
}

TEST_F(OrchestratorDeathTest, AnAgentStillRunningIsAdoptedThenCompletes) {
  StartAndKill();
  const pid_t resumed = StartOrchestra(project_.path(), {"run"}, project_ / "second.out");
  ASSERT_TRUE(WaitUntil([&] {
    return project_.Sql("SELECT COUNT(*) FROM execution_log WHERE event_type = 'adopted'") == "1\n";
  }));
  EXPECT_TRUE(ProcessAlive(supervisor_));
  project_.Release("go");
  EXPECT_EQ(WaitForExit(resumed), 0) << ReadFile(project_ / "second.out");
  ExpectCompletedOnce(ReadFile(project_ / "second.out"), "adopted");
  EXPECT_EQ(project_.Sql("SELECT message FROM execution_log WHERE event_type = 'adopted'"),
            "attempt 1 of w: its agent is still running (supervisor pid " + std::to_string(supervisor_) +
                "); adopted\n");
}

}  // namespace
}  // namespace orchestra
