// Crash points: the orchestrator aborted at every named point of the engine
// (src/sys/crash_point.h), with and without worktree isolation, then resumed
// to the end; nothing is lost, nothing done twice, nothing left behind.
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "project_builder.h"
#include "run_invariants.h"
#include "secret_scan.h"
#include "sim_project.h"
#include "test_state.h"
#include "test_paths.h"

namespace orchestra::testing {
namespace {

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

/// Runs `project` armed at `crash_at` and expects it to abort there.
void ExpectCrashAt(const SimProject& project, const std::string& crash_at) {
  const CommandResult crashed = project.Run(crash_at);
  EXPECT_EQ(crashed.exit_code, 128 + SIGABRT) << crash_at << "\n" << crashed.out << crashed.err;
  EXPECT_NE(crashed.err.find(CrashPointMessage(crash_at)), std::string::npos) << crashed.err;
}

/// Crashes a fresh project at `point` (after a first crash that leaves
/// attempts running when the point is in recovery), resumes, checks.
void CrashThenResume(const ListedCrashPoint& point, bool git) {
  SCOPED_TRACE(point.name + (git ? " with worktree isolation" : " without isolation"));
  SimProjectOptions options;
  options.git = git;
  options.failing_first = 1;  // a retry among the attempts
  // The agents' API keys: none may survive the crash. From the environment,
  // as the project is committed to git with its orchestra.toml.
  const CampaignSecrets secrets;
  const ExportedSecrets exported(secrets);
  options.extra_config = secrets.RedactTable();
  SimProject project(options);
  if (point.in_recovery) {
    // Leaves an attempt running in the state: an agent that exited unrecorded,
    // or with worktrees one whose merge reached the integration branch.
    ExpectCrashAt(project, git ? "after-merge-ref" : "agent-exited");
  }
  ExpectCrashAt(project, point.name);
  const CommandResult resumed = project.Run();
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  const std::vector<std::string> violations = RunInvariantViolations(project.path(), project.StatePath());
  EXPECT_TRUE(violations.empty()) << Joined(violations) << resumed.out;
  EXPECT_EQ(SecretLeaks({.project_dir = project.path(), .outputs = {{"the resumed run", resumed.out + resumed.err}}},
                        secrets.values()),
            std::vector<std::string>{});
  if (git) {
    // Each workstream's work landed on the integration branch exactly once.
    const CommandResult log =
        RunCommand(project.path(), {"git", "log", "--format=%s", "orchestra/integration", "--grep=^Merge w"});
    for (const std::string& id : project.ids()) {
      const std::string subject = "Merge " + id + ": ";
      size_t count = 0;
      for (size_t at = log.out.find(subject); at != std::string::npos; at = log.out.find(subject, at + 1)) ++count;
      EXPECT_EQ(count, 1u) << id << "\n" << log.out;
    }
  }
}

TEST(CrashPointsTest, TheBinaryListsEveryPointItHas) {
#ifndef ORCHESTRA_CRASH_POINTS
  GTEST_SKIP() << "this build has no crash points (configure with -DORCHESTRA_CRASH_POINTS=ON)";
#endif
  const std::vector<ListedCrashPoint> points = ListCrashPoints();
  ASSERT_FALSE(points.empty());
  // Each listed point is called exactly once in the sources, and nothing else is
  // (CrashPoint's name is checked against the list when compiling, too).
  std::string sources;
  for (const char* file : {"src/state/sqlite_store.cc", "src/run/executor.cc", "src/run/recovery.cc"}) {
    std::ifstream in(std::string(ORCHESTRA_SOURCE_DIR) + "/" + file);
    std::stringstream text;
    text << in.rdbuf();
    sources += text.str();
  }
  size_t calls = 0;
  for (size_t at = sources.find("CrashPoint(\""); at != std::string::npos; at = sources.find("CrashPoint(\"", at + 1)) {
    ++calls;
  }
  EXPECT_EQ(calls, points.size());
  for (const ListedCrashPoint& point : points) {
    EXPECT_NE(sources.find("CrashPoint(\"" + point.name + "\")"), std::string::npos) << point.name;
    EXPECT_FALSE(point.where.empty()) << point.name;
  }
}

TEST(CrashPointsTest, AnUnknownPointIsRefusedNamingTheKnownOnes) {
#ifndef ORCHESTRA_CRASH_POINTS
  GTEST_SKIP() << "this build has no crash points (configure with -DORCHESTRA_CRASH_POINTS=ON)";
#endif
  const CommandResult refused = RunCommand("/", {"env", "ORCHESTRA_CRASH_AT=nowhere", ORCHESTRA_BINARY, "--version"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.out, "");
  EXPECT_NE(refused.err.find("orchestra: ORCHESTRA_CRASH_AT=nowhere: expected name[:nth] (nth from 1) with a name of: "
                             "after-commit, "),
            std::string::npos)
      << refused.err;
}

TEST(CrashPointsTest, TheNthPassIsTheOneThatAborts) {
#ifndef ORCHESTRA_CRASH_POINTS
  GTEST_SKIP() << "this build has no crash points (configure with -DORCHESTRA_CRASH_POINTS=ON)";
#endif
  SimProject project(SimProjectOptions{});
  const CommandResult crashed = project.Run("agent-exited:3");
  EXPECT_EQ(crashed.exit_code, 128 + SIGABRT) << crashed.out << crashed.err;
  EXPECT_NE(crashed.err.find(CrashPointMessage("agent-exited", 3)), std::string::npos) << crashed.err;
  // Three agents had started; the third's end, at least, was never recorded.
  EXPECT_GE(std::stoi(Sqlite3(project.StatePath(), "SELECT COUNT(*) FROM attempts").out), 3);
  EXPECT_LE(std::stoi(Sqlite3(project.StatePath(), "SELECT COUNT(*) FROM attempts WHERE outcome != 'running'").out),
            2);
  EXPECT_EQ(project.Run().exit_code, 0);
  const std::vector<std::string> violations = RunInvariantViolations(project.path(), project.StatePath());
  EXPECT_TRUE(violations.empty()) << Joined(violations);
}

// Killed after spawning a supervisor and before recording its pid: the
// attempt key in the supervisor's environment finds it, and the agent's work
// goes on under the restarted orchestrator instead of being killed and redone.
TEST(CrashPointsTest, ASupervisorWhosePidWasNeverRecordedIsAdopted) {
#ifndef ORCHESTRA_CRASH_POINTS
  GTEST_SKIP() << "this build has no crash points (configure with -DORCHESTRA_CRASH_POINTS=ON)";
#endif
  TestProject project;
  project.AddWorkstream("held", {});
  project.Hold("held");
  project.WriteConfig({{"agent-1", ""}});
  std::vector<std::string> argv{"env", "ORCHESTRA_CRASH_AT=after-agent-spawn", ORCHESTRA_BINARY};
  for (const std::string& arg : WithTestState(project.path(), {"run"})) argv.push_back(arg);
  const CommandResult crashed = RunCommand(project.path(), argv);
  ASSERT_EQ(crashed.exit_code, 128 + SIGABRT) << crashed.out << crashed.err;
  EXPECT_EQ(Sqlite3(project.StatePath(), "SELECT COALESCE(pid, 0) FROM attempts").out, "0\n");
  // The agent itself runs on: it wrote its start line.
  ASSERT_TRUE(WaitUntil([&] { return !project.Events().empty(); }));
  const pid_t resumed = StartOrchestra(project.path(), {"run"}, project / "resumed.out");
  // Released once the restarted orchestrator has adopted it.
  ASSERT_TRUE(WaitUntil([&] {
    return Sqlite3(project.StatePath(), "SELECT COUNT(*) FROM execution_log WHERE event_type = 'adopted'").out ==
           "1\n";
  }));
  project.Release("held");
  EXPECT_EQ(WaitForExit(resumed), 0);
  const std::string out = ReadFile(project / "resumed.out");
  EXPECT_NE(out.find("attempt 1 of held: its agent is still running (supervisor pid "), std::string::npos) << out;
  EXPECT_EQ(out.find("requeued"), std::string::npos) << out;
  EXPECT_NE(Sqlite3(project.StatePath(), "SELECT COALESCE(pid, 0) FROM attempts").out, "0\n")
      << "the pid found is recorded";
  const std::vector<AgentEvent> events = project.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "start");
  EXPECT_EQ(events[1].kind, "end");
  EXPECT_EQ(project.Statuses(), (std::map<std::string, std::string>{{"held", "completed"}}));
  const std::vector<std::string> violations = RunInvariantViolations(project.path(), project.StatePath());
  EXPECT_TRUE(violations.empty()) << Joined(violations);
}

TEST(CrashPointsTest, EveryPointWithoutIsolation) {
  const std::vector<ListedCrashPoint> points = ListCrashPoints();
  if (points.empty()) GTEST_SKIP() << "this build has no crash points (configure with -DORCHESTRA_CRASH_POINTS=ON)";
  for (const ListedCrashPoint& point : points) {
    if (!point.worktrees) CrashThenResume(point, /*git=*/false);
  }
}

TEST(CrashPointsTest, EveryPointWithWorktreeIsolation) {
  const std::vector<ListedCrashPoint> points = ListCrashPoints();
  if (points.empty()) GTEST_SKIP() << "this build has no crash points (configure with -DORCHESTRA_CRASH_POINTS=ON)";
  for (const ListedCrashPoint& point : points) CrashThenResume(point, /*git=*/true);
}

}  // namespace
}  // namespace orchestra::testing
