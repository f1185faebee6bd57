// Integration tests: the real binary, real agent processes, a real SQLite file.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "cli_harness.h"
#include "test_state.h"
#include "project_builder.h"

namespace orchestra::testing {
namespace {

/// The most attempts that overlapped in time, from start/end events.
int MaxConcurrency(const std::vector<AgentEvent>& events) {
  std::vector<std::pair<long long, int>> points;
  for (const AgentEvent& event : events) points.push_back({event.time_ns, event.kind == "start" ? 1 : -1});
  std::sort(points.begin(), points.end());  // ends (-1) sort before starts at equal times
  int current = 0, most = 0;
  for (const auto& [time, delta] : points) most = std::max(most, current += delta);
  return most;
}

bool Started(const std::vector<AgentEvent>& events, const std::string& id) {
  return std::any_of(events.begin(), events.end(),
                     [&id](const AgentEvent& event) { return event.kind == "start" && event.id == id; });
}

std::map<std::string, long long> FirstOkEnd(const std::vector<AgentEvent>& events) {
  std::map<std::string, long long> ends;
  for (const AgentEvent& event : events) {
    if (event.kind == "end" && event.result == "ok" && !ends.count(event.id)) ends[event.id] = event.time_ns;
  }
  return ends;
}

TEST(RunTest, NeverMoreAgentsThanConfiguredAndDependenciesFirst) {
  TestProject project;
  // A diamond plus independent work: 10 workstreams, 3 agents.
  project.AddWorkstream("a", {});
  project.AddWorkstream("b", {"a"});
  project.AddWorkstream("c", {"a"});
  project.AddWorkstream("d", {"b", "c"});
  for (int i = 0; i < 6; ++i) project.AddWorkstream("free-" + std::to_string(i), {});
  // free-0 and free-1 end only once both have started: they must overlap.
  project.Hold("free-0");
  project.Hold("free-1");
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}, {"agent-3", ""}});
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return Started(project.Events(), "free-0") && Started(project.Events(), "free-1"); }))
      << ReadFile(project / "run.out");
  project.Release("free-0");
  project.Release("free-1");
  ASSERT_EQ(WaitForExit(orchestrator), 0) << ReadFile(project / "run.out") << ReadFile(project / "run.out.err");
  std::vector<AgentEvent> events = project.Events();
  EXPECT_EQ(events.size(), 20u);
  EXPECT_LE(MaxConcurrency(events), 3);
  EXPECT_GE(MaxConcurrency(events), 2);  // it did run things in parallel
  std::map<std::string, long long> ends = FirstOkEnd(events);
  for (const AgentEvent& event : events) {
    if (event.kind != "start") continue;
    if (event.id == "b" || event.id == "c") {
      EXPECT_GT(event.time_ns, ends["a"]);
    }
    if (event.id == "d") {
      EXPECT_GT(event.time_ns, ends["b"]);
      EXPECT_GT(event.time_ns, ends["c"]);
    }
  }
  for (const auto& [id, status] : project.Statuses()) EXPECT_EQ(status, "completed") << id;
  EXPECT_NE(ReadFile(project / "reports/execution_report.md").find("# Execution report"), std::string::npos);
  EXPECT_NE(ReadFile(project / "logs/orchestrator.log").find("completed"), std::string::npos);
}

TEST(RunTest, TrackedWorkRunsOnlyOnItsTrackAgents) {
  TestProject project;
  for (int i = 0; i < 4; ++i) project.AddWorkstream("ws-api-" + std::to_string(i), {});
  for (int i = 0; i < 4; ++i) project.AddWorkstream("ws-free-" + std::to_string(i), {});
  project.AddWorkstream("ws-db-0", {}, "\"track\": \"db\"");
  project.WriteConfig({{"api-agent", "api"}, {"db-agent", "db"}, {"any-agent", ""}},
                      "[tracks]\napi = [\"ws-api-0\", \"ws-api-1\", \"ws-api-2\", \"ws-api-3\"]\n");
  CommandResult result = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  int free_runs = 0;
  for (const AgentEvent& event : project.Events()) {
    if (event.kind != "start") continue;
    if (event.id.rfind("ws-api-", 0) == 0) {
      EXPECT_EQ(event.agent, "api-agent") << event.id;
    }
    if (event.id == "ws-db-0") {
      EXPECT_EQ(event.agent, "db-agent");
    }
    if (event.id.rfind("ws-free-", 0) == 0) ++free_runs;
  }
  EXPECT_EQ(free_runs, 4);
}

TEST(RunTest, RetriesWithBackoffThenSucceeds) {
  TestProject project;
  project.AddWorkstream("flaky", {});
  project.SetFailures("flaky", 2);
  project.WriteConfig({{"agent-1", ""}});
  CommandResult result = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  std::vector<AgentEvent> events = project.Events();
  ASSERT_EQ(events.size(), 6u);
  // Backoff 0.1s doubled: the gaps before attempts 2 and 3 are at least 0.1s and 0.2s.
  EXPECT_GE(events[2].time_ns - events[1].time_ns, 100'000'000LL);
  EXPECT_GE(events[4].time_ns - events[3].time_ns, 200'000'000LL);
  CommandResult retries = Sqlite3(project.StatePath(),
                                  "SELECT COUNT(*) FROM execution_log WHERE event_type = 'retry'");
  EXPECT_EQ(retries.out, "2\n");
  CommandResult attempts = Sqlite3(project.StatePath(), "SELECT attempt, outcome FROM attempts ORDER BY id");
  EXPECT_EQ(attempts.out, "1|failed\n2|failed\n3|succeeded\n");
  EXPECT_NE(ReadFile(project / "logs/workstreams/flaky/attempt-1.log").find("failing on purpose"),
            std::string::npos);
}

TEST(RunTest, ARunOfSimulatedAgentsSaysSo) {
  TempDir project;
  WriteFile(project / "workstreams/one.json", R"({"id": "one", "title": "One"})");
  CommandResult result = RunOrchestra(project.path(), {"--agents", "2", "run"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(Sqlite3(project / ".state/orchestration.db",
                    "SELECT message FROM execution_log WHERE event_type = 'run_started'")
                .out,
            "run 1 started: 1 workstreams selected, 2 simulated agents (they do no real work; docs/guide.md "
            "sets up real ones)\n");
}

TEST(RunTest, ZeroBackoffRetriesAtOnce) {
  TestProject project;
  project.AddWorkstream("flaky", {});
  project.SetFailures("flaky", 1);
  WriteFile(project / "orchestra.toml",
            "[defaults]\nbackoff = \"0s\"\n[agent_types.script]\nkind = \"command\"\n"
            "argv = [\"./agent.sh\", \"{id}\"]\n[[agents]]\nid = \"agent-1\"\ntype = \"script\"\n");
  CommandResult result = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(Sqlite3(project.StatePath(), "SELECT attempt, outcome FROM attempts ORDER BY id").out,
            "1|failed\n2|succeeded\n");
  EXPECT_EQ(Sqlite3(project.StatePath(), "SELECT message FROM execution_log WHERE event_type = 'retry'").out,
            "attempt 1 of flaky failed: agent exit code 3; retrying in 0s\n");
  std::vector<AgentEvent> events = project.Events();
  ASSERT_EQ(events.size(), 4u);
  // Far less than the default backoff of 5 s between the failure and the retry.
  EXPECT_LT(events[2].time_ns - events[1].time_ns, 3'000'000'000LL);
}

TEST(RunTest, FailureBlocksExactlyTheTransitiveDependents) {
  TestProject project;
  project.AddWorkstream("root", {});
  project.AddWorkstream("bad", {"root"});
  project.AddWorkstream("child", {"bad"});
  project.AddWorkstream("grandchild", {"child", "root"});
  project.AddWorkstream("sibling", {"root"});
  project.AddWorkstream("loner", {});
  project.SetFailures("bad", 99);
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}}, "");
  CommandResult result = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  std::map<std::string, std::string> statuses = project.Statuses();
  EXPECT_EQ(statuses["bad"], "failed");
  EXPECT_EQ(statuses["child"], "blocked");
  EXPECT_EQ(statuses["grandchild"], "blocked");
  EXPECT_EQ(statuses["root"], "completed");
  EXPECT_EQ(statuses["sibling"], "completed");
  EXPECT_EQ(statuses["loner"], "completed");
  int bad_attempts = 0;
  for (const AgentEvent& event : project.Events()) bad_attempts += event.kind == "start" && event.id == "bad";
  EXPECT_EQ(bad_attempts, 3);

  // `retry --failed` puts it and what it blocked back; the next run finishes.
  project.SetFailures("bad", 0);
  CommandResult retry = RunOrchestra(project.path(), {"retry", "--failed"});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(project.Statuses()["child"], "pending");
  CommandResult again = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  for (const auto& [id, status] : project.Statuses()) EXPECT_EQ(status, "completed") << id;
}

TEST(RunTest, TimeoutKillsTheWholeProcessGroup) {
  TestProject project;
  WriteFile(project / "hang.sh",
            "#!/bin/sh\nsleep 300 &\necho $! > \"$(dirname \"$0\")/grandchild.pid\"\nsleep 300\n", true);
  project.AddWorkstream("hangs", {}, "\"timeout\": \"1s\", \"max_attempts\": 1");
  project.WriteConfig({{"agent-1", ""}});
  WriteFile(project / "orchestra.toml",
            "[defaults]\nkill_grace = \"1s\"\n[agent_types.hang]\nkind = \"command\"\nargv = [\"./hang.sh\"]\n"
            "[[agents]]\nid = \"agent-1\"\ntype = \"hang\"\n");
  CommandResult result = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  const pid_t grandchild = std::stoi(ReadFile(project / "grandchild.pid"));
  EXPECT_TRUE(WaitUntil([&] { return !ProcessAlive(grandchild); }, 10)) << "grandchild " << grandchild;
  CommandResult outcome = Sqlite3(project.StatePath(), "SELECT outcome FROM attempts");
  EXPECT_EQ(outcome.out, "timed_out\n");
  EXPECT_EQ(Sqlite3(project.StatePath(), "SELECT COUNT(*) FROM execution_log WHERE event_type='timeout'").out,
            "1\n");
}

TEST(RunTest, SigintExits130AndResumeFinishes) {
  TestProject project;
  for (int i = 0; i < 6; ++i) {
    project.AddWorkstream("w" + std::to_string(i), {});
    project.Hold("w" + std::to_string(i));
  }
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}});
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  // Both agents have started and are held: SIGINT finds two attempts running.
  ASSERT_TRUE(WaitUntil([&] { return project.Events().size() >= 2; }));
  kill(orchestrator, SIGINT);
  EXPECT_EQ(WaitForExit(orchestrator), 130) << ReadFile(project / "run.out");
  std::map<std::string, std::string> statuses = project.Statuses();
  for (const auto& [id, status] : statuses) EXPECT_NE(status, "running") << id;
  EXPECT_EQ(Sqlite3(project.StatePath(), "SELECT COUNT(*) FROM attempts WHERE outcome='interrupted'").out, "2\n");
  for (int i = 0; i < 6; ++i) project.Release("w" + std::to_string(i));
  CommandResult resumed = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  for (const auto& [id, status] : project.Statuses()) EXPECT_EQ(status, "completed") << id;
}

/// Holds the state database's write lock, as a sqlite3 shell inside a
/// transaction does, until Release or destruction.
class WriteLock {
 public:
  explicit WriteLock(const std::string& database) {
    EXPECT_EQ(sqlite3_open_v2(database.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db_, 60'000);  // the orchestrator's own writes take milliseconds
    held_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~WriteLock() {
    Release();
    sqlite3_close_v2(db_);
  }
  bool held() const { return held_; }
  void Release() {
    if (held_) sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    held_ = false;
  }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = false;
};

TEST(RunTest, AWriteLockHeldByAnotherProcessHoldsFinishedResultsAndRedoesNothing) {
  SKIP_UNDER_POSTGRES("it holds SQLite's database-wide write lock (BEGIN IMMEDIATE); PostgreSQL has none, and a writer waits for rows instead");
  TestProject project;
  for (const char* id : {"l0", "l1", "l2"}) {
    project.AddWorkstream(id, {});
    project.Hold(id);
  }
  project.AddWorkstream("after", {"l0"});
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}, {"agent-3", ""}});
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return project.Events().size() == 3; }));  // l0..l2 started
  {
    WriteLock lock(project.StatePath());
    ASSERT_TRUE(lock.held());
    for (const char* id : {"l0", "l1", "l2"}) project.Release(id);
    // The agents end while the state is locked; the run says what holds it up.
    ASSERT_TRUE(WaitUntil([&] { return project.Events().size() == 6; }));
    // This test's own process holds the lock; /proc/locks names it.
    const std::string holder = ReadLines("/proc/self/comm").at(0) + " (pid " + std::to_string(getpid()) + ")";
    ASSERT_TRUE(WaitUntil([&] {
      return ReadFile(project / "logs/orchestrator.log").find("is locked by " + holder + ": holding ") !=
             std::string::npos;
    })) << ReadFile(project / "logs/orchestrator.log");
    for (const auto& [id, status] : project.Statuses()) {
      EXPECT_EQ(status, id == "after" ? "pending" : "running") << id;  // nothing recorded meanwhile
    }
  }
  EXPECT_EQ(WaitForExit(orchestrator), 0) << ReadFile(project / "run.out");
  for (const auto& [id, status] : project.Statuses()) EXPECT_EQ(status, "completed") << id;
  CommandResult attempts = Sqlite3(project.StatePath(),
                                   "SELECT workstream_id, attempt, outcome FROM attempts ORDER BY workstream_id");
  EXPECT_EQ(attempts.out, "after|1|succeeded\nl0|1|succeeded\nl1|1|succeeded\nl2|1|succeeded\n");
  EXPECT_EQ(project.Events().size(), 8u);  // four starts, four ends: nothing ran twice
  EXPECT_NE(ReadFile(project / "logs/orchestrator.log").find("the state database is free again"), std::string::npos);
}

/// The [state] durability setting a kill -9 test runs with ("" = the default).
class KillNineTest : public ::testing::TestWithParam<std::string> {};

// A crash of the orchestrator process alone (kill -9) loses nothing with either
// durability: a commit reaches the operating system before anything acts on it.
TEST_P(KillNineTest, KillNineThenResumeCompletesEverythingAndRepeatsNothingCompleted) {
  const std::string durability = GetParam();
  TestProject project;
  for (int i = 0; i < 8; ++i) {
    const std::string id = "k" + std::to_string(i);
    project.AddWorkstream(id, i >= 4 ? std::vector<std::string>{"k" + std::to_string(i - 4)}
                                     : std::vector<std::string>{});
    if (i >= 4) project.Hold(id);  // k0..k3 complete; the k4..k7 that start stay running
  }
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}},
                      durability.empty() ? "" : "[state]\ndurability = \"" + durability + "\"\n");
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  // Kill it once something has completed and something is running.
  std::set<std::string> seen_completed;  // committed: read by another connection before the kill
  ASSERT_TRUE(WaitUntil([&] {
    std::map<std::string, std::string> statuses = project.Statuses();
    int completed = 0, running = 0;
    seen_completed.clear();
    for (const auto& [id, status] : statuses) {
      completed += status == "completed";
      running += status == "running";
      if (status == "completed") seen_completed.insert(id);
    }
    // An agent under way: its supervisor's pid is recorded (an attempt whose
    // agent is not spawned yet is requeued, which is right but not this test).
    return completed >= 2 && running >= 1 &&
           Sqlite3(project.StatePath(), "SELECT COUNT(*) FROM attempts WHERE outcome = 'running' AND pid IS NOT NULL")
                   .out != "0\n";
  }));
  kill(orchestrator, SIGKILL);
  WaitForExit(orchestrator);
  std::set<std::string> completed_before;
  for (const auto& [id, status] : project.Statuses()) {
    if (status == "completed") completed_before.insert(id);
  }
  // Nothing committed was lost with the process.
  for (const std::string& id : seen_completed) EXPECT_TRUE(completed_before.count(id)) << id << " was lost";
  const size_t events_before = project.Events().size();

  for (int i = 4; i < 8; ++i) project.Release("k" + std::to_string(i));
  CommandResult resumed = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  for (const auto& [id, status] : project.Statuses()) EXPECT_EQ(status, "completed") << id;
  std::vector<AgentEvent> events = project.Events();
  for (size_t i = events_before; i < events.size(); ++i) {
    EXPECT_FALSE(completed_before.count(events[i].id)) << events[i].id << " ran again";
  }
  // The agents left running finished meanwhile, or still ran: their supervisors' ends are
  // collected, or the supervisors adopted, never the agents run again.
  EXPECT_TRUE(resumed.out.find("collected") != std::string::npos || resumed.out.find("adopted") != std::string::npos)
      << resumed.out;
}

INSTANTIATE_TEST_SUITE_P(Durability, KillNineTest, ::testing::Values("", "process", "power"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param.empty() ? std::string("Default") : info.param;
                         });

TEST(RunTest, SeedMonitoringQueriesWorkDuringARun) {
  TestProject project;
  for (int i = 0; i < 4; ++i) {
    project.AddWorkstream("q" + std::to_string(i), {});
    project.Hold("q" + std::to_string(i));  // running until released below
  }
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}});
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return project.Statuses().count("q0") > 0 && project.Events().size() >= 1; }));
  CommandResult by_start = Sqlite3(project.StatePath(),
                                   "SELECT workstream_id, status, agent_id FROM workstream_status ORDER BY started_at");
  CommandResult counts = Sqlite3(project.StatePath(), "SELECT status, COUNT(*) FROM workstream_status GROUP BY status");
  CommandResult latest = Sqlite3(project.StatePath(),
                                 "SELECT * FROM workstream_status ORDER BY started_at DESC LIMIT 10");
  EXPECT_EQ(by_start.exit_code, 0) << by_start.err;
  EXPECT_EQ(counts.exit_code, 0) << counts.err;
  EXPECT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_NE(counts.out.find("running|"), std::string::npos) << counts.out;
  EXPECT_NE(by_start.out.find("|running|agent-"), std::string::npos) << by_start.out;
  CommandResult status = RunOrchestra(project.path(), {"status", "--json"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.out.find("\"running\""), std::string::npos);
  for (int i = 0; i < 4; ++i) project.Release("q" + std::to_string(i));
  EXPECT_EQ(WaitForExit(orchestrator), 0);
}

TEST(RunTest, SecondOrchestratorExitsThreeNamingThePid) {
  TestProject project;
  project.AddWorkstream("slow", {});
  project.Hold("slow");  // the first run lasts until released below
  project.WriteConfig({{"agent-1", ""}});
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return project.Events().size() >= 1; }));
  CommandResult second = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(second.exit_code, 3);
  const std::string pid = std::to_string(orchestrator);
  EXPECT_NE(second.err.find("orchestra: another orchestrator (pid " + pid + ") is using "), std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find("wait for it to end, or stop it with `orchestra pause` or `kill " + pid + "`"),
            std::string::npos)
      << second.err;
  // The state is named once, in one line.
  const std::string database = ".state/orchestration.db";
  EXPECT_EQ(second.err.find(database), second.err.rfind(database)) << second.err;
  EXPECT_EQ(std::count(second.err.begin(), second.err.end(), '\n'), 1) << second.err;
  // Every command that takes the lock says the same.
  CommandResult reset = RunOrchestra(project.path(), {"reset", "--yes"});
  EXPECT_EQ(reset.exit_code, 3);
  EXPECT_EQ(reset.err, second.err);
  project.Release("slow");
  EXPECT_EQ(WaitForExit(orchestrator), 0);
  EXPECT_EQ(project.Statuses()["slow"], "completed");
}

TEST(RunTest, PauseLetsRunningAgentsFinishThenRunResumes) {
  TestProject project;
  for (int i = 0; i < 5; ++i) {
    project.AddWorkstream("p" + std::to_string(i), {});
    project.Hold("p" + std::to_string(i));
  }
  project.WriteConfig({{"agent-1", ""}});
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return project.Events().size() >= 1; }));
  // The pause is recorded while the first agent is still held, then every
  // agent is let go: only the one running may finish, nothing new starts.
  CommandResult pause = RunOrchestra(project.path(), {"pause"});
  EXPECT_EQ(pause.exit_code, 0) << pause.err;
  for (int i = 0; i < 5; ++i) project.Release("p" + std::to_string(i));
  EXPECT_EQ(WaitForExit(orchestrator), 0) << ReadFile(project / "run.out");
  std::vector<AgentEvent> events = project.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "start");
  EXPECT_EQ(events[1].kind, "end");
  EXPECT_EQ(events[1].id, events[0].id);
  CommandResult status = RunOrchestra(project.path(), {"status"});
  EXPECT_NE(status.out.find("paused"), std::string::npos) << status.out;
  CommandResult resumed = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out;
  for (const auto& [id, status_name] : project.Statuses()) EXPECT_EQ(status_name, "completed") << id;
}

TEST(RunTest, NamedTargetsRunWithTheirDependenciesOnly) {
  TestProject project;
  project.AddWorkstream("base", {});
  project.AddWorkstream("target", {"base"});
  project.AddWorkstream("unrelated", {});
  project.WriteConfig({{"agent-1", ""}});
  CommandResult result = RunOrchestra(project.path(), {"run", "target"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  std::map<std::string, std::string> statuses = project.Statuses();
  EXPECT_EQ(statuses["base"], "completed");
  EXPECT_EQ(statuses["target"], "completed");
  EXPECT_EQ(statuses["unrelated"], "pending");
}

TEST(RunTest, FailingAcceptanceTestFailsTheAttemptWithItsOutput) {
  TestProject project;
  project.AddWorkstream("checked", {},
                        "\"max_attempts\": 1, \"acceptance_tests\": [\"true\", \"echo acceptance-output; exit 4\"]");
  project.WriteConfig({{"agent-1", ""}});
  CommandResult result = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(project.Statuses()["checked"], "failed");
  const std::string log = ReadFile(project / "logs/workstreams/checked/attempt-1.log");
  EXPECT_NE(log.find("acceptance-output"), std::string::npos) << log;
  CommandResult error = Sqlite3(project.StatePath(), "SELECT error_message FROM workstream_status");
  EXPECT_NE(error.out.find("exit 4"), std::string::npos) << error.out;
}

TEST(RunTest, AgentSeesItsEnvironmentAndPromptFile) {
  TestProject project;
  WriteFile(project / "env.sh",
            "#!/bin/sh\nenv | grep ^ORCHESTRA_ | sort > \"$(dirname \"$0\")/env-$ORCHESTRA_WORKSTREAM_ID.txt\"\n"
            "cp \"$ORCHESTRA_PROMPT_FILE\" \"$(dirname \"$0\")/prompt.txt\"\necho \"$@\" > \"$(dirname \"$0\")/args.txt\"\n",
            true);
  project.AddWorkstream("envy", {}, "\"title\": \"Check env\", \"files_scope\": [\"src/a.cc\", \"src/b.cc\"]");
  WriteFile(project / "orchestra.toml",
            "[agent_types.env]\nkind = \"command\"\nargv = [\"./env.sh\", \"--id={id}\", \"{files}\", \"{attempt}\"]\n"
            "[[agents]]\nid = \"agent-x\"\ntype = \"env\"\n");
  CommandResult result = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const std::string env = ReadFile(project / "env-envy.txt");
  EXPECT_NE(env.find("ORCHESTRA_WORKSTREAM_ID=envy\n"), std::string::npos) << env;
  EXPECT_NE(env.find("ORCHESTRA_ATTEMPT=1\n"), std::string::npos);
  EXPECT_NE(env.find("ORCHESTRA_AGENT_ID=agent-x\n"), std::string::npos);
  EXPECT_NE(env.find("ORCHESTRA_WORKSTREAM_FILE=" + project.path() + "/workstreams/envy.json"), std::string::npos)
      << env;
  EXPECT_NE(ReadFile(project / "prompt.txt").find("# Check env"), std::string::npos);
  EXPECT_EQ(ReadFile(project / "args.txt"), "--id=envy src/a.cc src/b.cc 1\n");
}

}  // namespace
}  // namespace orchestra::testing
