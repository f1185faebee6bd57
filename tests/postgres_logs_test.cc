// Attempt logs on a shared PostgreSQL state: the orchestrator copies each
// attempt's log into the state as it grows and at the attempt's end, so
// `orchestra logs`, the dashboard's log API and `orchestra report` show it on
// a host without the log files. The tests run on the private server
// (tests/support/postgres_server.h) and play the second host by deleting the
// project's logs/ folder after the run.
#include <signal.h>

#include <filesystem>
#include <regex>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli_harness.h"
#include "dashboard_process.h"
#include "postgres_server.h"
#include "project_builder.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

const int kPostgresServer = RegisterPostgresServerEnvironment();

// An agent that says who it is and prints `lines` numbered lines, then waits
// while control/<id>.hold exists (until control/<id>.release), then fails
// when control/<id>.fail exists.
constexpr const char* kTalkingAgent = R"SH(#!/bin/sh
id="$ORCHESTRA_WORKSTREAM_ID"
echo "agent for $id, attempt $ORCHESTRA_ATTEMPT"
i=0
while [ "$i" -lt "$1" ]; do i=$((i + 1)); echo "line $i of $id: the quick brown fox jumps over the lazy dog"; done
if [ -f "control/$id.hold" ]; then
  while [ ! -f "control/$id.release" ]; do sleep 0.01; done
fi
if [ -f "control/$id.fail" ]; then echo "agent: $id fails on purpose"; exit 3; fi
echo "agent: $id done"
)SH";

class PostgresLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FreshPostgresDatabase(&url_);
    if (IsSkipped() || HasFatalFailure()) return;
    WriteFile(project_ / "talk.sh", kTalkingAgent, true);
  }

  /// orchestra.toml: one agent of the talking kind printing `lines` lines; then `extra`.
  void WriteConfig(int lines, const std::string& extra = "") {
    WriteFile(project_ / "orchestra.toml",
              "[defaults]\nmax_attempts = 1\n" + extra +
                  "\n[agent_types.talk]\nkind = \"command\"\nargv = [\"./talk.sh\", \"" + std::to_string(lines) +
                  "\"]\n\n[[agents]]\nid = \"agent-1\"\ntype = \"talk\"\n");
  }

  CommandResult Orchestra(const std::vector<std::string>& args) {
    std::vector<std::string> all{"--state", url_};
    all.insert(all.end(), args.begin(), args.end());
    return RunOrchestra(project_.path(), all);
  }

  /// The bytes of `attempt_id`'s log stored in the state.
  std::string StoredBytes(const std::string& attempt_id) const {
    const std::vector<std::string> rows = PostgresQuery(
        url_, "SELECT COALESCE(sum(length(bytes)), 0) FROM attempt_log_chunks WHERE attempt_id = " + attempt_id);
    return rows.empty() ? "" : rows[0];
  }

  /// The id of the latest attempt of workstream `id`.
  std::string AttemptId(const std::string& id) const {
    const std::vector<std::string> rows =
        PostgresQuery(url_, "SELECT max(id) FROM attempts WHERE workstream_id = '" + id + "'");
    return rows.empty() ? "" : rows[0];
  }

  /// The log path recorded for the latest attempt of `id`.
  std::string LogPath(const std::string& id) const {
    const std::vector<std::string> rows = PostgresQuery(
        url_, "SELECT log_path FROM attempts WHERE workstream_id = '" + id + "' ORDER BY id DESC LIMIT 1");
    return rows.empty() ? "" : rows[0];
  }

  TestProject project_;
  std::string url_;
};

TEST_F(PostgresLogsTest, LogsDashboardAndReportShowTheLogsOnAHostWithoutTheFiles) {
  if (IsSkipped()) return;
  project_.AddWorkstream("good", {});
  project_.AddWorkstream("bad", {});
  project_.SetFailures("bad", 1);
  WriteConfig(50);
  const CommandResult run = Orchestra({"run"});
  ASSERT_EQ(run.exit_code, 1) << run.out << run.err;

  // On the host that ran them: from the files.
  const std::string good_file = ReadFile(LogPath("good"));
  const std::string bad_file = ReadFile(LogPath("bad"));
  ASSERT_NE(good_file.find("line 50 of good: the quick brown fox"), std::string::npos) << good_file;
  ASSERT_NE(bad_file.find("agent: bad fails on purpose"), std::string::npos) << bad_file;
  EXPECT_EQ(StoredBytes(AttemptId("good")), std::to_string(good_file.size()));
  EXPECT_EQ(StoredBytes(AttemptId("bad")), std::to_string(bad_file.size()));
  const CommandResult local_report = Orchestra({"report", "--format", "json"});
  ASSERT_EQ(local_report.exit_code, 0) << local_report.err;

  // Another host: no logs/ folder.
  fs::remove_all(project_ / "logs");
  ASSERT_FALSE(fs::exists(LogPath("good")));
  const CommandResult good = Orchestra({"logs", "good"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(good.out, good_file);
  const CommandResult bad = Orchestra({"logs", "bad"});
  EXPECT_EQ(bad.exit_code, 0) << bad.err;
  EXPECT_EQ(bad.out, bad_file);

  {
    Dashboard dashboard(project_.path(), {"--state", url_, "serve", "--port", "0"});
    const nlohmann::json whole = dashboard.GetJson("/api/workstreams/good/log?offset=0");
    EXPECT_EQ(whole["text"], good_file) << whole.dump();
    EXPECT_EQ(whole["size"], good_file.size());
    EXPECT_EQ(whole["next_offset"], good_file.size());
    EXPECT_EQ(whole["running"], false);
    const nlohmann::json rest = dashboard.GetJson("/api/workstreams/good/log?offset=100");
    EXPECT_EQ(rest["text"], good_file.substr(100));
    EXPECT_EQ(rest["offset"], 100);
  }

  // The report quotes the failed attempt's tail from the state's copy, as it did from the file.
  const CommandResult remote_report = Orchestra({"report", "--format", "json"});
  ASSERT_EQ(remote_report.exit_code, 0) << remote_report.err;
  const nlohmann::json before = nlohmann::json::parse(local_report.out);
  const nlohmann::json after = nlohmann::json::parse(remote_report.out);
  ASSERT_EQ(after["failures"].size(), 1u) << remote_report.out;
  EXPECT_EQ(after["failures"], before["failures"]);
  EXPECT_NE(after["failures"][0]["log_tail"].get<std::string>().find("agent: bad fails on purpose"),
            std::string::npos)
      << remote_report.out;
}

TEST_F(PostgresLogsTest, TheCopyKeepsWhatMaxLogSizeKept) {
  if (IsSkipped()) return;
  project_.AddWorkstream("loud", {});
  WriteConfig(4000, "max_log_size = \"16KB\"\n");  // about 260 KB of output
  const CommandResult run = Orchestra({"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string file = ReadFile(LogPath("loud"));
  ASSERT_NE(file.find("bytes of output cut (max_log_size 16 KB)"), std::string::npos) << file;
  ASSERT_LT(file.size(), 20u * 1024) << file;
  EXPECT_EQ(StoredBytes(AttemptId("loud")), std::to_string(file.size()));
  fs::remove_all(project_ / "logs");
  const CommandResult logs = Orchestra({"logs", "loud"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(logs.out, file);
}

TEST_F(PostgresLogsTest, ARunningAttemptsLogReachesTheStateBeforeItEnds) {
  if (IsSkipped()) return;
  project_.AddWorkstream("slow", {});
  project_.Hold("slow");
  WriteConfig(10);
  const pid_t orchestrator = StartOrchestra(project_.path(), {"--state", url_, "run"}, project_ / "run.out");
  // The agent printed its lines and waits: they reach the state while it runs.
  const bool copied = WaitUntil(
      [&] {
        // Not before the run has created the schema.
        if (PostgresQuery(url_, "SELECT to_regclass('attempt_log_chunks') IS NOT NULL") != std::vector<std::string>{"t"}) {
          return false;
        }
        const std::vector<std::string> rows = PostgresQuery(
            url_, "SELECT count(*) FROM attempt_log_chunks c JOIN attempts a ON a.id = c.attempt_id"
                  " WHERE a.outcome = 'running' AND position('line 10 of slow'::bytea IN c.bytes) > 0");
        return rows == std::vector<std::string>{"1"};
      },
      60);
  project_.Release("slow");
  EXPECT_TRUE(copied) << ReadFile(project_ / "run.out");
  EXPECT_EQ(WaitForExit(orchestrator), 0) << ReadFile(project_ / "run.out") << ReadFile(project_ / "run.out.err");
  const std::string file = ReadFile(LogPath("slow"));
  EXPECT_EQ(StoredBytes(AttemptId("slow")), std::to_string(file.size()));
  EXPECT_NE(file.find("agent: slow done"), std::string::npos) << file;
}

}  // namespace
}  // namespace orchestra::testing
