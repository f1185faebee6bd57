// Integration tests of the PostgreSQL state: the real binary runs a project
// with `--state postgresql://...` (or `[state] url`) against a private server
// (tests/support/postgres_server.h), is killed with SIGKILL mid-run, and
// resumes; every workstream completes exactly once. Skipped, saying why, when
// the PostgreSQL server binaries are not installed.
#include <signal.h>

#include <filesystem>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_harness.h"
#include "postgres_server.h"
#include "project_builder.h"

namespace orchestra::testing {
namespace {

const int kPostgresServer = RegisterPostgresServerEnvironment();

class PostgresStateTest : public ::testing::Test {
 protected:
  void SetUp() override { FreshPostgresDatabase(&url_); }

  /// Status of each workstream, from the server (none before the first run
  /// has created the schema).
  std::map<std::string, std::string> Statuses() const {
    std::map<std::string, std::string> statuses;
    if (PostgresQuery(url_, "SELECT to_regclass('workstream_status') IS NOT NULL") != std::vector<std::string>{"t"}) {
      return statuses;
    }
    for (const std::string& row : PostgresQuery(url_, "SELECT workstream_id, status FROM workstream_status")) {
      statuses[row.substr(0, row.find('|'))] = row.substr(row.find('|') + 1);
    }
    return statuses;
  }

  /// How many `completed` events the log holds for each workstream.
  std::map<std::string, int> CompletedEvents() const {
    std::map<std::string, int> counts;
    for (const std::string& row : PostgresQuery(url_,
                                                "SELECT workstream_id, count(*) FROM execution_log"
                                                " WHERE event_type = 'completed' GROUP BY workstream_id")) {
      counts[row.substr(0, row.find('|'))] = std::stoi(row.substr(row.find('|') + 1));
    }
    return counts;
  }

  /// `url_` with a password after the user: the server trusts every
  /// connection, so it only shows whether a message prints it.
  std::string UrlWithPassword() const {
    std::string url = url_;
    url.insert(url.find('@'), ":hunter2");
    return url;
  }

  std::string url_;
};

TEST_F(PostgresStateTest, RunCompletesAndEveryCommandReadsTheServer) {
  TestProject project;
  project.AddWorkstream("a", {});
  project.AddWorkstream("b", {"a"});
  project.AddWorkstream("c", {});
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}});
  const CommandResult run = RunOrchestra(project.path(), {"--state", UrlWithPassword(), "run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out.find("hunter2"), std::string::npos) << run.out;
  EXPECT_EQ(Statuses(), (std::map<std::string, std::string>{{"a", "completed"}, {"b", "completed"}, {"c", "completed"}}));
  EXPECT_EQ(CompletedEvents(), (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}}));
  // Nothing went to the SQLite file.
  EXPECT_FALSE(std::filesystem::exists(project.StatePath()));

  const CommandResult status = RunOrchestra(project.path(), {"--state", url_, "status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const nlohmann::json shown = nlohmann::json::parse(status.out);
  EXPECT_EQ(shown["run"]["state"], "completed") << status.out;
  EXPECT_EQ(shown["totals"], nlohmann::json::parse(
                                 R"({"blocked": 0, "completed": 3, "failed": 0, "pending": 0, "running": 0})"))
      << status.out;
  const CommandResult logs = RunOrchestra(project.path(), {"--state", url_, "logs", "b"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  // Without --state, the project's SQLite state has never run.
  const CommandResult local = RunOrchestra(project.path(), {"status"});
  EXPECT_EQ(local.exit_code, 2) << local.out << local.err;

  // reset empties the server's tables; the next run does everything again.
  const CommandResult reset = RunOrchestra(project.path(), {"--state", url_, "reset", "--yes"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(PostgresQuery(url_, "SELECT count(*) FROM workstream_status"), std::vector<std::string>{"0"});
}

TEST_F(PostgresStateTest, StateUrlInTheConfigSelectsTheServer) {
  TestProject project;
  project.AddWorkstream("a", {});
  project.WriteConfig({{"agent-1", ""}}, "[state]\nurl = \"" + UrlWithPassword() + "\"\n");
  const CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Statuses(), (std::map<std::string, std::string>{{"a", "completed"}}));
  EXPECT_FALSE(std::filesystem::exists(project.StatePath()));
  const CommandResult status = RunOrchestra(project.path(), {"status", "--json"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("\"completed\""), std::string::npos) << status.out;
}

TEST_F(PostgresStateTest, KillNineThenResumeCompletesEveryWorkstreamExactlyOnce) {
  TestProject project;
  for (int i = 0; i < 8; ++i) {
    const std::string id = "k" + std::to_string(i);
    project.AddWorkstream(id, i >= 4 ? std::vector<std::string>{"k" + std::to_string(i - 4)}
                                     : std::vector<std::string>{});
    if (i >= 4) project.Hold(id);  // k0..k3 complete; the k4..k7 that start stay running
  }
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}});
  const pid_t orchestrator = StartOrchestra(project.path(), {"--state", url_, "run"}, project / "run.out");
  // Kill it once something has completed and something is running.
  ASSERT_TRUE(WaitUntil([&] {
    int completed = 0, running = 0;
    for (const auto& [id, status] : Statuses()) {
      completed += status == "completed";
      running += status == "running";
    }
    // An agent under way: its supervisor's pid is recorded.
    return completed >= 2 && running >= 1 &&
           PostgresQuery(url_, "SELECT count(*) FROM attempts WHERE outcome = 'running' AND pid IS NOT NULL") !=
               std::vector<std::string>{"0"};
  }));
  kill(orchestrator, SIGKILL);
  WaitForExit(orchestrator);
  std::set<std::string> completed_before;
  for (const auto& [id, status] : Statuses()) {
    if (status == "completed") completed_before.insert(id);
  }
  const size_t events_before = project.Events().size();
  // The killed orchestrator's connection is gone, and so is its lock.
  const CommandResult status = RunOrchestra(project.path(), {"--state", url_, "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("crashed"), std::string::npos) << status.out;

  for (int i = 4; i < 8; ++i) project.Release("k" + std::to_string(i));
  const CommandResult resumed = RunOrchestra(project.path(), {"--state", url_, "run"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  // The agents the killed run left running are adopted (their supervisors
  // outlive the orchestrator), or collected if they ended meanwhile; not run again.
  EXPECT_TRUE(resumed.out.find("adopted") != std::string::npos ||
              resumed.out.find("collected") != std::string::npos)
      << resumed.out;
  // An attempt whose agent had not been spawned yet is requeued; none is killed.
  EXPECT_EQ(resumed.out.find("were killed"), std::string::npos) << resumed.out;
  std::map<std::string, std::string> all_completed;
  std::map<std::string, int> once;
  for (int i = 0; i < 8; ++i) {
    all_completed["k" + std::to_string(i)] = "completed";
    once["k" + std::to_string(i)] = 1;
  }
  EXPECT_EQ(Statuses(), all_completed);
  EXPECT_EQ(CompletedEvents(), once);
  const std::vector<AgentEvent> events = project.Events();
  for (size_t i = events_before; i < events.size(); ++i) {
    EXPECT_FALSE(completed_before.count(events[i].id)) << events[i].id << " ran again";
  }
  EXPECT_EQ(PostgresQuery(url_, "SELECT state FROM runs ORDER BY id"),
            (std::vector<std::string>{"crashed", "completed"}));
}

TEST_F(PostgresStateTest, ASecondOrchestratorIsRefusedNamingTheHolder) {
  TestProject project;
  project.AddWorkstream("slow", {});
  project.Hold("slow");
  project.WriteConfig({{"agent-1", ""}});
  const pid_t orchestrator = StartOrchestra(project.path(), {"--state", url_, "run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return project.Events().size() >= 1; }));
  // Another project folder, the same server state.
  TestProject other;
  other.AddWorkstream("slow", {});
  other.WriteConfig({{"agent-1", ""}});
  const CommandResult second = RunOrchestra(other.path(), {"--state", UrlWithPassword(), "run"});
  EXPECT_EQ(second.exit_code, 3);
  const std::string pid = std::to_string(orchestrator);
  std::string shown = UrlWithPassword();
  shown.replace(shown.find("hunter2"), 7, "***");
  EXPECT_EQ(second.err, "orchestra: another orchestrator (pid " + pid + ") is using " + shown +
                            "; wait for it to end, or stop it with `orchestra pause` or `kill " + pid +
                            "`; to add this host's agents to its plan, run `orchestra worker`\n");
  const CommandResult pause = RunOrchestra(other.path(), {"--state", url_, "pause"});
  EXPECT_EQ(pause.exit_code, 0) << pause.err;
  project.Release("slow");
  EXPECT_EQ(WaitForExit(orchestrator), 0) << ReadFile(project / "run.out");
}

TEST_F(PostgresStateTest, AnUnreachableServerOrABadUrlIsAClearError) {
  TestProject project;
  project.AddWorkstream("a", {});
  project.WriteConfig({{"agent-1", ""}});
  // Nothing listens on port 1.
  const CommandResult unreachable =
      RunOrchestra(project.path(), {"--state", "postgresql://u:hunter2@127.0.0.1:1/orchestra", "run"});
  EXPECT_NE(unreachable.exit_code, 0);
  EXPECT_EQ(unreachable.err.find("hunter2"), std::string::npos) << unreachable.err;
  EXPECT_NE(unreachable.err.find("postgresql://u:***@127.0.0.1:1/orchestra"), std::string::npos) << unreachable.err;
  EXPECT_NE(unreachable.err.find("--state"), std::string::npos) << unreachable.err;
  // Nothing has run yet on a fresh database: status says so.
  const CommandResult fresh = RunOrchestra(project.path(), {"--state", url_, "status"});
  EXPECT_EQ(fresh.exit_code, 2);
  EXPECT_EQ(fresh.err, "orchestra: no state in " + url_ + ": nothing has run yet\n");
  // A URL in the config that is not one.
  project.WriteConfig({{"agent-1", ""}}, "[state]\nurl = \"mysql://h/db\"\n");
  const CommandResult bad = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("orchestra.toml:15:7: error: 'state.url' must be a postgresql:// URL"), std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace orchestra::testing
