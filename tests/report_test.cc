// `orchestra report` on real runs: the HTML, Markdown and JSON reports of a
// run with a rate limit, a cost, a failure and a blocked workstream; the
// choice of format and file; a report read beside a run in progress; and the
// dashboard showing a rate-limit pause while it lasts.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli_harness.h"
#include "test_state.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// An agent that reads what to do from its workstream's id: `limited` is
/// rate-limited on its first attempt (the type waits RETRY_AFTER seconds),
/// `broken` prints HTML, backticks and a byte that is not UTF-8 and fails, the
/// others succeed at a cost.
const char kAgentScript[] = R"SH(#!/bin/sh
case "$ORCHESTRA_WORKSTREAM_ID.$ORCHESTRA_ATTEMPT" in
  limited.1) echo 'orchestra-result: {"outcome": "rate_limited", "reason": "HTTP 429", "retry_after_seconds": '"$RETRY_AFTER"'}' ;;
  broken.*) echo '<b>bad</b> ``` output'; printf 'not UTF-8: \377\n'; exit 1 ;;
  *) echo 'orchestra-result: {"outcome": "succeeded", "usage": {"input_tokens": 10, "output_tokens": 5, "cost_usd": 0.5}}' ;;
esac
)SH";

/// limited, then broken (after it, blocked), on one agent of type `script`.
void WriteProject(const TempDir& project, int retry_after) {
  WriteFile(project / "agent.sh", kAgentScript, true);
  WriteFile(project / "orchestra.toml",
            "[defaults]\nbackoff = \"0s\"\nmax_attempts = 1\n\n"
            "[agent_types.script]\nkind = \"command\"\nargv = [\"./agent.sh\"]\nenv = { RETRY_AFTER = \"" +
                std::to_string(retry_after) + "\" }\n\n[[agents]]\nid = \"agent-1\"\ntype = \"script\"\n");
  WriteFile(project / "workstreams/limited.json", R"({"id": "limited", "tasks": ["wait"]})");
  WriteFile(project / "workstreams/broken.json", R"({"id": "broken", "tasks": ["fail"], "depends_on": ["limited"]})");
  WriteFile(project / "workstreams/after.json", R"({"id": "after", "tasks": ["never"], "depends_on": ["broken"]})");
}

class FinishedReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteProject(project_, 1);
    const CommandResult run = RunOrchestra(project_.path(), {"run"});
    ASSERT_EQ(run.exit_code, 1) << run.out << run.err;
  }
  std::string State() const { return project_ / ".state/orchestration.db"; }
  TempDir project_;
};

TEST_F(FinishedReportTest, JsonHasTheRunItsPausesCostAndFailuresWithTheirLogs) {
  const CommandResult report = RunOrchestra(project_.path(), {"report", "--format", "json"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const json out = json::parse(report.out);
  EXPECT_EQ(out["run"]["state"], "failed");
  EXPECT_EQ(out["totals"], json({{"pending", 0}, {"running", 0}, {"completed", 1}, {"failed", 1}, {"blocked", 1}}));
  EXPECT_EQ(std::to_string(out["attempt_count"].get<int>()) + "\n",
            Sqlite3(State(), "SELECT COUNT(*) FROM attempts").out);
  EXPECT_EQ(out["usage"]["cost_usd"], 0.5);
  ASSERT_EQ(out["pauses"].size(), 1u) << out["pauses"];
  const json& pause = out["pauses"][0];
  EXPECT_EQ(pause["kind"], "rate_limit");
  EXPECT_EQ(pause["agent_type"], "script");
  EXPECT_EQ(pause["workstream"], "limited");
  EXPECT_EQ(pause["seconds"], 1.0);
  EXPECT_EQ(pause["active"], false);
  ASSERT_EQ(out["failures"].size(), 2u);  // in id order
  EXPECT_EQ(out["failures"][0]["id"], "after");
  EXPECT_EQ(out["failures"][0]["status"], "blocked");
  EXPECT_EQ(out["failures"][0]["log_tail"], "");  // it never ran
  EXPECT_EQ(out["failures"][1]["id"], "broken");
  EXPECT_NE(out["failures"][1]["log_tail"].get<std::string>().find("<b>bad</b> ``` output\nnot UTF-8: \uFFFD\n"),
            std::string::npos)
      << out["failures"][1];
  EXPECT_EQ(RunOrchestra(project_.path(), {"report", "--json"}).exit_code, 0);
}

TEST_F(FinishedReportTest, ByDefaultTheHtmlAndMarkdownReportsGoToReports) {
  const std::string state_before = ReadFile(State());
  const CommandResult report = RunOrchestra(project_.path(), {"report"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(report.out, "Report: reports/report.html\nReport: reports/execution_report.md\n");
  EXPECT_EQ(report.err, "");
  EXPECT_EQ(ReadFile(State()), state_before);  // read-only

  const std::string html = ReadFile(project_ / "reports/report.html");
  EXPECT_NE(html.find("&lt;b&gt;bad&lt;/b&gt; ``` output"), std::string::npos);
  EXPECT_EQ(html.find("<b>bad</b>"), std::string::npos);
  EXPECT_NE(html.find("rate limit: agents of type script paused for 1.0s"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"number\" id=\"cost\">$0.50</span>"), std::string::npos);
  EXPECT_NE(html.find("<tr id=\"ws-after\" data-status=\"blocked\">"), std::string::npos);

  const std::string markdown = ReadFile(project_ / "reports/execution_report.md");
  EXPECT_NE(markdown.find("\n## Pauses\n\n- rate limit: agents of type script paused for 1.0s from "),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("````text\n"), std::string::npos) << markdown;  // the log holds ```
  EXPECT_NE(markdown.find("\n### after (blocked)\n"), std::string::npos);
}

TEST_F(FinishedReportTest, OutputTakesItsFormatFromTheExtensionUnlessTold) {
  const CommandResult html = RunOrchestra(project_.path(), {"report", "-o", "out/run.html"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_EQ(html.out, "Report: out/run.html\n");
  EXPECT_EQ(ReadFile(project_ / "out/run.html").rfind("<!DOCTYPE html>\n", 0), 0u);
  ASSERT_EQ(RunOrchestra(project_.path(), {"report", "-o", "run.md"}).exit_code, 0);
  EXPECT_EQ(ReadFile(project_ / "run.md").rfind("# Execution report\n", 0), 0u);
  ASSERT_EQ(RunOrchestra(project_.path(), {"report", "--format", "json", "-o", "run.txt"}).exit_code, 0);
  EXPECT_TRUE(json::accept(ReadFile(project_ / "run.txt")));

  const CommandResult unknown = RunOrchestra(project_.path(), {"report", "-o", "run.txt"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err, "orchestra: -o run.txt: cannot tell the report's format from the name: end it in .html, .md "
                         "or .json, or give --format html|md|json\n");
  EXPECT_FALSE(fs::exists(project_ / "run.txt.html"));
  const CommandResult both = RunOrchestra(project_.path(), {"report", "--json", "--format", "md"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(both.err, "orchestra: --json and --format md ask for two formats: give one\n");
  EXPECT_EQ(RunOrchestra(project_.path(), {"report", "--format", "pdf"}).exit_code, 2);
}

TEST(ReportTest, BeforeTheFirstRunThereIsNothingToReport) {
  TempDir project;
  WriteProject(project, 1);
  const CommandResult report = RunOrchestra(project.path(), {"report"});
  EXPECT_EQ(report.exit_code, 2);
  // The state is named as the user gave it: the file, or the URL (its password masked).
  const std::string state = StateIsPostgres() ? PostgresStateFor(project.path()) : ".state/orchestration.db";
  EXPECT_EQ(report.err, "orchestra: no state at " + state + ": nothing has run yet (`orchestra run` first)\n");
  EXPECT_FALSE(fs::exists(project / "reports"));
}

/// A rate limit of an hour: the run waits, and the dashboard and the report
/// say so while it lasts; SIGTERM ends the run.
TEST(ReportTest, ARateLimitPauseShowsInTheDashboardAndTheLiveReportWhileItLasts) {
  TempDir project;
  WriteProject(project, 3600);
  const pid_t run = StartOrchestra(project.path(), {"run"}, project / "run.out");
  const std::string state = project / ".state/orchestration.db";
  ASSERT_TRUE(WaitUntil([&] {
    return (StateIsPostgres() || fs::exists(state)) &&
           Sqlite3(state, "SELECT COUNT(*) FROM execution_log WHERE event_type = 'rate_limited'").out == "1\n";
  })) << ReadFile(project / "run.out");

  const CommandResult report = RunOrchestra(project.path(), {"report", "--format", "json"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const json out = json::parse(report.out);
  EXPECT_EQ(out["run"]["state"], "running");
  ASSERT_EQ(out["pauses"].size(), 1u);
  EXPECT_EQ(out["pauses"][0]["active"], true);
  EXPECT_EQ(out["pauses"][0]["seconds"], 3600.0);

  const pid_t serve = StartOrchestra(project.path(), {"serve", "--port", "0"}, project / "serve.out");
  std::smatch port;
  const std::regex serving("serving http://127\\.0\\.0\\.1:([0-9]+)/");
  std::vector<std::string> lines;
  ASSERT_TRUE(WaitUntil([&] {
    lines = ReadLines(project / "serve.out");
    return !lines.empty() && std::regex_match(lines[0], port, serving);
  })) << ReadFile(project / "serve.out");
  httplib::Client client("127.0.0.1", std::stoi(port[1]));
  const httplib::Result status = client.Get("/api/status");
  ASSERT_TRUE(status);
  const json pauses = json::parse(status->body, nullptr, false)["pauses"];
  ASSERT_EQ(pauses.size(), 1u) << status->body;
  EXPECT_EQ(pauses[0]["kind"], "rate_limit");
  EXPECT_EQ(pauses[0]["agent_type"], "script");
  EXPECT_EQ(pauses[0]["active"], true);
  kill(serve, SIGTERM);
  EXPECT_EQ(WaitForExit(serve), 0);
  kill(run, SIGTERM);
  EXPECT_EQ(WaitForExit(run), 130) << ReadFile(project / "run.out");
}

/// A run whose orchestrator died reads as crashed, as `status` says, and
/// holds nobody back any more.
TEST(ReportTest, ARunWhoseOrchestratorDiedIsCrashed) {
  TempDir project;
  WriteProject(project, 3600);
  const pid_t run = StartOrchestra(project.path(), {"run"}, project / "run.out");
  const std::string state = project / ".state/orchestration.db";
  ASSERT_TRUE(WaitUntil([&] {
    return (StateIsPostgres() || fs::exists(state)) &&
           Sqlite3(state, "SELECT COUNT(*) FROM execution_log WHERE event_type = 'rate_limited'").out == "1\n";
  })) << ReadFile(project / "run.out");
  kill(run, SIGKILL);
  EXPECT_EQ(WaitForExit(run), 128 + SIGKILL);
  const CommandResult report = RunOrchestra(project.path(), {"report", "--format", "json"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const json out = json::parse(report.out);
  EXPECT_EQ(out["run"]["state"], "crashed");
  EXPECT_EQ(out["pauses"][0]["active"], false);
}

}  // namespace
}  // namespace orchestra::testing
