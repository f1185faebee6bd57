#include "report_model.h"

#include <gtest/gtest.h>

#include "clock.h"
#include "report_html.h"
#include "report_markdown.h"
#include "temp_dir.h"
#include "xml_check.h"

namespace orchestra {
namespace {

using nlohmann::json;
using testing::CountOccurrences;

/// a -> b -> c, one agent; a completed, b failed twice, c blocked behind it.
Project Chain() {
  Project project;
  for (const auto& [id, depends_on] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{{"a", {}}, {"b", {"a"}}, {"c", {"b"}}}) {
    Workstream workstream;
    workstream.id = id;
    workstream.depends_on = depends_on;
    workstream.estimate_hours = 1;
    project.workstreams.push_back(workstream);
  }
  project.config.agents.push_back(AgentConfig{.id = "agent-1", .type = "sim"});
  project.graph = std::make_unique<Graph>(project.workstreams);
  return project;
}

LogEntry Event(int64_t id, const std::string& at, const std::string& type, const std::string& workstream,
               const std::string& message) {
  return {id, at, workstream, "agent-1", type, message};
}

/// The run of Chain, ended: b's last log written to `log_path`.
StateSnapshot Ended(const std::string& log_path) {
  StateSnapshot snapshot;
  ParseTimestamp("2026-01-01 12:01:00", &snapshot.now);
  snapshot.has_run = true;
  snapshot.run = RunRecord{2, 100, "2026-01-01 12:00:00", "2026-01-01 12:00:30", RunState::kFailed, false};
  snapshot.workstreams = {
      {"a", WorkstreamStatus::kCompleted, "agent-1", "", "2026-01-01 12:00:00", "2026-01-01 12:00:04", 0, 1, ""},
      {"b", WorkstreamStatus::kFailed, "agent-1", "", "2026-01-01 12:00:05", "", 1, 2, "exit 1: <boom> & more\nrest"},
      {"c", WorkstreamStatus::kBlocked, "", "", "", "", std::nullopt, 0, "blocked by b"}};
  AttemptRecord a1{.id = 1, .workstream_id = "a", .attempt = 1, .agent_id = "agent-1",
                   .started_at = "2026-01-01 12:00:00", .ended_at = "2026-01-01 12:00:04"};
  a1.outcome = AttemptOutcome::kSucceeded;
  a1.exit_code = 0;
  a1.duration_seconds = 4;
  a1.usage.cost_usd = 0.25;
  AttemptRecord b1{.id = 2, .workstream_id = "b", .attempt = 1, .agent_id = "agent-1",
                   .started_at = "2026-01-01 12:00:05", .ended_at = "2026-01-01 12:00:07"};
  b1.outcome = AttemptOutcome::kFailed;
  b1.exit_code = 1;
  b1.duration_seconds = 2;
  AttemptRecord b2 = b1;
  b2.id = 3;
  b2.attempt = 2;
  b2.started_at = "2026-01-01 12:00:10";
  b2.ended_at = "2026-01-01 12:00:12";
  b2.log_path = log_path;
  snapshot.attempts = {a1, b1, b2};
  snapshot.log = {
      Event(1, "2026-01-01 11:00:00", "run_started", "", "run 1 started"),
      Event(2, "2026-01-01 11:00:01", "rate_limited", "a", "attempt 1 of a was rate-limited: old; agents of type "
                                                           "sim pause for 5s, then it runs again (no attempt used up)"),
      Event(3, "2026-01-01 12:00:00", "run_started", "", "run 2 started"),
      Event(4, "2026-01-01 12:00:08", "rate_limited", "b",
            "attempt 1 of b was rate-limited: HTTP 429; agents of type x pause for 9s; agents of type claude pause "
            "for 1m05s, then it runs again (no attempt used up)"),
      Event(5, "2026-01-01 12:00:20", "budget_spent", "", "budget_usd $0.20 spent | nothing new starts")};
  return snapshot;
}

TEST(RunPausesTest, AreTheNewestRunsRateLimitsAndStopsWithTheTypeAndTheWait) {
  StateSnapshot snapshot = Ended("");
  std::vector<RunPause> pauses = RunPauses(snapshot);
  ASSERT_EQ(pauses.size(), 2u);
  // The reason quoted before them may say anything: the last "agents of type" counts.
  EXPECT_EQ(RunPauseJson(pauses[0]), json({{"kind", "rate_limit"}, {"at", "2026-01-01 12:00:08"},
                                            {"agent_type", "claude"}, {"workstream", "b"}, {"seconds", 65.0},
                                            {"until", "2026-01-01 12:01:13"}, {"active", false},
                                            {"message", snapshot.log[3].message}}));
  EXPECT_EQ(pauses[1].kind, "budget_spent");
  EXPECT_EQ(pauses[1].seconds, std::nullopt);
  EXPECT_EQ(DescribePause(pauses[0]),
            "rate limit: agents of type claude paused for 1m05s from 2026-01-01 12:00:08 (turned away: b)");
  EXPECT_EQ(DescribePause(pauses[1]),
            "budget spent at 2026-01-01 12:00:20: budget_usd $0.20 spent | nothing new starts");

  // While the run goes on, a rate limit is active until its end, a stop for good.
  snapshot.run.state = RunState::kRunning;
  snapshot.run.ended_at.clear();
  pauses = RunPauses(snapshot);
  EXPECT_TRUE(pauses[0].active);
  EXPECT_TRUE(pauses[1].active);
  ParseTimestamp("2026-01-01 12:01:13", &snapshot.now);
  EXPECT_FALSE(RunPauses(snapshot)[0].active);
}

TEST(RunReportTest, GathersEveryWorkstreamItsAttemptsAndTheLogTailOfAFailure) {
  testing::TempDir folder;
  const std::string log = folder.Write("b.log", "line 1\nline 2\n<script>alert(1)</script>\n```\nlast\n");
  const Project project = Chain();
  const RunReport report = BuildRunReport(project, Ended(log), nullptr, ReportOptions{.log_tail_lines = 3});
  ASSERT_EQ(report.workstreams.size(), 3u);
  EXPECT_EQ(report.workstreams[1].attempts.size(), 2u);
  EXPECT_EQ(report.workstreams[1].reason, "exit 1: <boom> & more");
  EXPECT_EQ(report.workstreams[1].log_tail, "<script>alert(1)</script>\n```\nlast\n");
  EXPECT_EQ(report.workstreams[2].log_tail, "");  // blocked: it never ran

  const json out = RunReportJson(report);
  EXPECT_EQ(out["totals"], json({{"pending", 0}, {"running", 0}, {"completed", 1}, {"failed", 1}, {"blocked", 1}}));
  EXPECT_EQ(out["attempt_count"], 3);
  EXPECT_EQ(out["elapsed_seconds"], 30.0);
  EXPECT_EQ(out["eta_seconds"], nullptr);
  EXPECT_EQ(out["usage"]["cost_usd"], 0.25);
  EXPECT_EQ(out["failures"].size(), 2u);
  EXPECT_EQ(out["failures"][0]["log_tail"], report.workstreams[1].log_tail);
  EXPECT_EQ(out["workstreams"][1]["attempts"][0]["exit_code"], 1);
  EXPECT_EQ(out["planned_hours"], nullptr);  // no plan given
  size_t bars = 0;
  for (const json& lane : out["lanes"]["lanes"]) bars += lane["bars"].size();
  EXPECT_EQ(bars, 3u);
}

TEST(RunReportTest, AWorkstreamWithoutARowIsPending) {
  const Project project = Chain();
  StateSnapshot snapshot;
  const RunReport report = BuildRunReport(project, snapshot, nullptr);
  EXPECT_EQ(report.totals.at(WorkstreamStatus::kPending), 3);
  EXPECT_EQ(report.run_line, "no run yet");
}

TEST(ReportMarkdownTest, QuotesLogsInFencesTheyCannotClose) {
  testing::TempDir folder;
  const std::string log = folder.Write("b.log", "ok\n````\nafter\n");
  const std::string markdown = RenderReportMarkdown(BuildRunReport(Chain(), Ended(log), nullptr));
  EXPECT_NE(markdown.find("\nThe last lines of `" + log + "`:\n\n`````text\nok\n````\nafter\n`````\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("\n## Pauses\n\n- rate limit: agents of type claude paused for 1m05s"), std::string::npos);
  // A table cell keeps to its row.
  EXPECT_NE(markdown.find("| budget_spent | - | agent-1 | budget_usd $0.20 spent / nothing new starts |"),
            std::string::npos);
  EXPECT_NE(markdown.find("| agent-1 | 3 | 1 | 2 | 0 | 8.0s |"), std::string::npos) << markdown;
}

TEST(ReportHtmlTest, EscapesWhatTheStateAndLogsSayAndDrawsOneBarPerAttempt) {
  testing::TempDir folder;
  const std::string log = folder.Write("b.log", "<script>alert(1)</script>\n");
  const RunReport report = BuildRunReport(Chain(), Ended(log), nullptr);
  const std::string html = RenderReportHtml(report, "", "no <dot> here");
  EXPECT_EQ(CountOccurrences(html, "<script>"), 1);  // the page's own
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("exit 1: &lt;boom&gt; &amp; more"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"note\">no &lt;dot&gt; here</p>"), std::string::npos);
  const std::string run_chart = html.substr(html.find("<div id=\"run-gantt\">"));
  EXPECT_EQ(CountOccurrences(run_chart.substr(0, run_chart.find("</div>")), "<rect class=\"bar\""), 3);
  // Self-contained: nothing to fetch.
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
}

}  // namespace
}  // namespace orchestra
