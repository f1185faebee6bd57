#include "dashboard_api.h"

#include <gtest/gtest.h>

#include "clock.h"

namespace orchestra {
namespace {

using nlohmann::json;

/// a (2 h) -> b (3 h) -> c (the default, 2 h); a in track "docs".
Project Chain() {
  Project project;
  for (const auto& [id, depends_on, hours] :
       std::vector<std::tuple<std::string, std::vector<std::string>, std::optional<double>>>{
           {"a", {}, 2.0}, {"b", {"a"}, 3.0}, {"c", {"b"}, std::nullopt}}) {
    Workstream workstream;
    workstream.id = id;
    workstream.depends_on = depends_on;
    workstream.estimate_hours = hours;
    workstream.tasks = {"do " + id};
    project.workstreams.push_back(workstream);
  }
  project.workstreams[0].track = "docs";
  project.graph = std::make_unique<Graph>(project.workstreams);
  return project;
}

/// A run started at 12:00:00 and looked at ten seconds later: a completed at
/// 12:00:04 after one attempt, b running its second attempt, c not recorded.
StateSnapshot Running() {
  StateSnapshot snapshot;
  ParseTimestamp("2026-01-01 12:00:10", &snapshot.now);
  snapshot.has_run = true;
  snapshot.run = RunRecord{1, 100, "2026-01-01 12:00:00", "", RunState::kRunning, false};
  snapshot.workstreams = {
      {"a", WorkstreamStatus::kCompleted, "agent-1", "docs", "2026-01-01 12:00:00", "2026-01-01 12:00:04", 0, 1, ""},
      {"b", WorkstreamStatus::kRunning, "agent-1", "", "2026-01-01 12:00:07", "", std::nullopt, 2, ""}};
  AttemptRecord a1{.id = 1, .workstream_id = "a", .attempt = 1, .agent_id = "agent-1"};
  a1.outcome = AttemptOutcome::kSucceeded;
  a1.exit_code = 0;
  a1.duration_seconds = 4;
  a1.usage.cost_usd = 0.25;
  AttemptRecord b1{.id = 2, .workstream_id = "b", .attempt = 1, .agent_id = "agent-1"};
  b1.outcome = AttemptOutcome::kFailed;
  b1.exit_code = 3;
  AttemptRecord b2{.id = 3, .workstream_id = "b", .attempt = 2, .agent_id = "agent-1"};
  snapshot.attempts = {a1, b1, b2};
  return snapshot;
}

TEST(DashboardApiTest, StatusCountsEveryWorkstreamAndEstimatesTheEnd) {
  const Project project = Chain();
  const json status = StatusApiJson(project, Running());
  // 2 estimated hours done in 10 s; b (3 h) and c (2 h) left: 25 s.
  const json expected = {
      {"run", {{"id", 1}, {"state", "running"}, {"started_at", "2026-01-01 12:00:00"}, {"ended_at", ""},
               {"pause_requested", false}}},
      {"totals", {{"pending", 1}, {"running", 1}, {"completed", 1}, {"failed", 0}, {"blocked", 0}}},
      {"workstreams", 3},
      {"elapsed_seconds", 10.0},
      {"eta_seconds", 25.0},
      {"usage", {{"cost_usd", 0.25}, {"tokens", {{"input", 0}, {"output", 0}, {"cache_read", 0}, {"cache_write", 0}}}}},
      {"budget_usd", nullptr},
      {"pauses", json::array()}};
  EXPECT_EQ(status, expected);
}

TEST(DashboardApiTest, ARateLimitPausesItsTypeUntilItsWaitIsOver) {
  const Project project = Chain();
  StateSnapshot snapshot = Running();
  const std::string message =
      "attempt 1 of b was rate-limited: HTTP 429; agents of type claude pause for 30s, then it runs again (no "
      "attempt used up)";
  snapshot.log = {{1, "2026-01-01 12:00:00", "", "", "run_started", "run 1 started"},
                  {2, "2026-01-01 12:00:05", "b", "agent-1", "rate_limited", message}};
  EXPECT_EQ(StatusApiJson(project, snapshot)["pauses"],
            json::array({{{"kind", "rate_limit"}, {"at", "2026-01-01 12:00:05"}, {"agent_type", "claude"},
                          {"workstream", "b"}, {"seconds", 30.0}, {"until", "2026-01-01 12:00:35"},
                          {"active", true}, {"message", message}}}));
  ParseTimestamp("2026-01-01 12:00:35", &snapshot.now);
  EXPECT_EQ(StatusApiJson(project, snapshot)["pauses"][0]["active"], false);
}

TEST(DashboardApiTest, NoEtaBeforeAnythingCompletedNorAfterTheRunEnded) {
  const Project project = Chain();
  StateSnapshot snapshot = Running();
  snapshot.workstreams[0].status = WorkstreamStatus::kRunning;
  EXPECT_EQ(StatusApiJson(project, snapshot)["eta_seconds"], nullptr);
  snapshot = Running();
  snapshot.run.state = RunState::kCompleted;
  snapshot.run.ended_at = "2026-01-01 12:00:08";
  const json status = StatusApiJson(project, snapshot);
  EXPECT_EQ(status["eta_seconds"], nullptr);
  EXPECT_EQ(status["elapsed_seconds"], 8.0);
}

TEST(DashboardApiTest, AWorkstreamsDetailsNameItsNeighboursAndAttempts) {
  const Project project = Chain();
  const json detail = WorkstreamApiJson(project, Running(), 1, "");
  EXPECT_EQ(detail["depends_on"], json::parse(R"([{"id": "a", "status": "completed"}])"));
  EXPECT_EQ(detail["dependents"], json::parse(R"([{"id": "c", "status": "pending"}])"));
  EXPECT_EQ(detail["status"], "running");
  EXPECT_EQ(detail["attempts"].size(), 2u);
  EXPECT_EQ(detail["attempts"][0]["outcome"], "failed");
  EXPECT_EQ(detail["attempts"][0]["exit_code"], 3);
  EXPECT_EQ(detail["attempts"][1]["outcome"], "running");
  EXPECT_EQ(detail["attempts"][1]["exit_code"], nullptr);
  EXPECT_EQ(detail["diff"], nullptr);
  EXPECT_EQ(LatestAttempt(Running(), "b")->id, 3);
  EXPECT_EQ(LatestAttempt(Running(), "c"), nullptr);
}

TEST(DashboardApiTest, TheDiffIsOfTheLatestAttemptWithChanges) {
  const Project project = Chain();
  StateSnapshot snapshot = Running();
  snapshot.attempts[1].base_commit = "base1";
  snapshot.attempts[1].head_commit = "head1";
  EXPECT_EQ(AttemptWithChanges(snapshot, "b"), &snapshot.attempts[1]);
  const json detail = WorkstreamApiJson(project, snapshot, 1, "+line\n");
  EXPECT_EQ(detail["diff"], json::parse(R"({"attempt": 1, "base": "base1", "head": "head1", "text": "+line\n"})"));
}

// Each row takes its type and duration from its own latest attempt (the
// index built once per answer, not a search per row).
TEST(DashboardApiTest, EachRowTakesItsTypeAndDurationFromItsLatestAttempt) {
  const Project project = Chain();
  StateSnapshot snapshot = Running();
  AttemptRecord a2{.id = 4, .workstream_id = "a", .attempt = 2, .agent_id = "agent-1"};
  a2.outcome = AttemptOutcome::kSucceeded;
  a2.duration_seconds = 6;
  a2.agent_type = "codex";
  snapshot.attempts[0].agent_type = "claude";
  snapshot.attempts[2].agent_type = "gemini";
  snapshot.attempts.insert(snapshot.attempts.begin() + 1, a2);  // attempts come in id order
  snapshot.workstreams[0].attempt = 2;
  const json list = WorkstreamsApiJson(project, snapshot);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["type"], "codex");
  EXPECT_EQ(list[0]["duration_seconds"], 6.0);
  EXPECT_EQ(list[1]["type"], "gemini");
  EXPECT_EQ(list[1]["duration_seconds"], 3.0);  // running since 12:00:07, now 12:00:10
  EXPECT_EQ(list[2]["type"], "");
  EXPECT_EQ(StatusApiJson(project, snapshot)["totals"]["completed"], 1);
}

TEST(DashboardApiTest, WorkstreamsWithoutARowArePending) {
  const json list = WorkstreamsApiJson(Chain(), Running());
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[2], json::parse(R"({"id": "c", "title": "", "status": "pending", "track": "", "agent": "",
                                     "type": "", "attempts": 0, "duration_seconds": 0.0, "cost_usd": null,
                                     "reason": "", "estimate_hours": 2.0})"));
  EXPECT_EQ(list[0]["track"], "docs");
  EXPECT_EQ(list[0]["cost_usd"], 0.25);
}

}  // namespace
}  // namespace orchestra
