#include "report.h"

#include <gtest/gtest.h>

#include "json_writer.h"

namespace orchestra {
namespace {

TEST(ReasonTest, IsTheFirstLineWithoutTheLogTail) {
  EXPECT_EQ(Reason("agent exit code 1\nlast output:\norchestra: argv: /bin/agent --id a\nboom\n"),
            "agent exit code 1");
  EXPECT_EQ(Reason("dependency a failed"), "dependency a failed");
  EXPECT_EQ(Reason(""), "");
  EXPECT_EQ(Reason("timed out\r\nmore"), "timed out");
}

TEST(ReasonTest, SkipsBlankLinesAndOrchestrasOwnArgvLines) {
  EXPECT_EQ(Reason("\n  \norchestra: argv: /bin/agent\nthe agent crashed\nnext"), "the agent crashed");
  EXPECT_EQ(Reason("orchestra: argv: only this\n"), "");
}

TEST(ReasonTest, IsBoundedAtACharacterBoundary) {
  const std::string long_line(300, 'x');
  EXPECT_EQ(Reason(long_line), std::string(197, 'x') + "...");
  EXPECT_EQ(Reason(long_line).size(), 200u);
  EXPECT_EQ(Reason(std::string(200, 'y')), std::string(200, 'y'));  // fits: left whole
  // "é" is two bytes; a cut inside it backs up to before it.
  const std::string accents = "ab" + std::string("\xC3\xA9\xC3\xA9\xC3\xA9");
  EXPECT_EQ(Reason(accents, 6), "ab...");
  EXPECT_EQ(Reason(accents, 7), "ab\xC3\xA9...");
  EXPECT_EQ(Reason(accents, 8), accents);
}

/// One failed workstream whose error's first line is 100 bytes long.
StateSnapshot OneFailure() {
  StateSnapshot snapshot;
  WorkstreamRecord record;
  record.workstream_id = "ws-1";
  record.status = WorkstreamStatus::kFailed;
  record.agent_id = "agent-1";
  record.attempt = 1;
  record.error_message = std::string(100, 'e') + "\nlast output:\norchestra: argv: agent\n";
  snapshot.workstreams.push_back(record);
  return snapshot;
}

std::string Table(const std::string& reason) {
  return "WORKSTREAM  STATUS     AGENT       ATTEMPT  DURATION  TRACK  REASON\n"
         "ws-1        failed     agent-1           1         -  -      " +
         reason +
         "\n"
         "\n"
         "1 workstreams: 1 failed\n"
         "no run yet\n";
}

TEST(StatusTableTest, TheReasonFitsTheTerminalOrSixtyBytes) {
  const StateSnapshot snapshot = OneFailure();
  // 61 columns come before REASON.
  EXPECT_EQ(RenderStatusTable(snapshot, false, 100), Table(std::string(36, 'e') + "..."));
  EXPECT_EQ(RenderStatusTable(snapshot, false, 50), Table(std::string(27, 'e') + "..."));  // at least 30
  EXPECT_EQ(RenderStatusTable(snapshot, false, 0), Table(std::string(57, 'e') + "..."));   // not a terminal
  EXPECT_EQ(RenderStatusTable(snapshot, false, 200), Table(std::string(100, 'e')));
}

TEST(StatusTableTest, ACostColumnAndSummaryOnlyWhenUsageIsKnown) {
  StateSnapshot snapshot = OneFailure();
  WorkstreamRecord other;
  other.workstream_id = "ws-2";
  other.status = WorkstreamStatus::kCompleted;
  snapshot.workstreams.push_back(other);
  AttemptRecord attempt;
  attempt.workstream_id = "ws-1";
  attempt.usage.input_tokens = 10;
  attempt.usage.cost_usd = 12.5;
  snapshot.attempts.push_back(attempt);
  snapshot.attempts.push_back(attempt);
  EXPECT_EQ(RenderStatusTable(snapshot, false, 0),
            "WORKSTREAM  STATUS     AGENT       ATTEMPT  DURATION    COST  TRACK  REASON\n"
            "ws-1        failed     agent-1           1         -  $25.00  -      " +
                std::string(57, 'e') +
                "...\n"
                "ws-2        completed  -                 -         -       -  -\n"
                "\n"
                "2 workstreams: 1 completed, 1 failed\n"
                "cost $25.00; tokens 20 in, 0 out, 0 cache read, 0 cache write\n"
                "no run yet\n");
  // Tokens without a cost: no column, the summary says so; a budget is always shown.
  snapshot.attempts.resize(1);
  snapshot.attempts[0].usage.cost_usd.reset();
  snapshot.budget_usd = 3;
  const std::string table = RenderStatusTable(snapshot, false, 0);
  EXPECT_EQ(table.substr(0, table.find('\n')), "WORKSTREAM  STATUS     AGENT       ATTEMPT  DURATION  TRACK  REASON");
  EXPECT_EQ(table.substr(table.rfind("\n\n")),
            "\n\n2 workstreams: 1 completed, 1 failed\n"
            "cost unknown; tokens 10 in, 0 out, 0 cache read, 0 cache write; budget $0.00 of $3.00\n"
            "no run yet\n");
}

TEST(StatusJsonTest, GivesCostAndTokensPerWorkstreamTheTotalsAndTheBudget) {
  StateSnapshot snapshot = OneFailure();
  AttemptRecord attempt;
  attempt.workstream_id = "ws-1";
  attempt.usage.output_tokens = 5;
  attempt.usage.cost_usd = 0.5;
  snapshot.attempts.push_back(attempt);
  nlohmann::json json = StatusJson(snapshot);
  EXPECT_EQ(json["usage"], nlohmann::json::parse(R"({"cost_usd": 0.5,
      "tokens": {"input": 0, "output": 5, "cache_read": 0, "cache_write": 0}})"));
  EXPECT_FALSE(json.contains("budget_usd"));
  EXPECT_EQ(json["workstreams"][0]["cost_usd"], 0.5);
  EXPECT_EQ(json["workstreams"][0]["tokens"], json["usage"]["tokens"]);
  snapshot.attempts.clear();
  snapshot.budget_usd = 2;
  json = StatusJson(snapshot);
  EXPECT_EQ(json["budget_usd"], 2.0);
  EXPECT_EQ(json["usage"]["cost_usd"], nullptr);
  EXPECT_EQ(json["workstreams"][0]["cost_usd"], nullptr);
}

/// What `status --json` printed when it built the document: StatusJson with
/// each row's "type" added from `types`, dumped with two-space indents.
std::string DomStatus(const StateSnapshot& snapshot, const std::map<std::string, std::string>* types) {
  nlohmann::json json = StatusJson(snapshot);
  for (nlohmann::json& row : json["workstreams"]) {
    if (types) row["type"] = types->count(row["id"]) ? types->at(row["id"]) : "";
  }
  return json.dump(2) + "\n";
}

std::string StreamedStatus(const StateSnapshot& snapshot, const std::map<std::string, std::string>* types) {
  JsonWriter writer;
  WriteStatusJson(snapshot, types, &writer);
  EXPECT_TRUE(writer.Finish(true));
  return writer.Text();
}

TEST(StatusJsonTest, TheStreamedStatusIsByteForByteTheDocumentsDump) {
  // Nothing recorded yet: no run, no rows.
  StateSnapshot snapshot;
  EXPECT_EQ(StreamedStatus(snapshot, nullptr), DomStatus(snapshot, nullptr));
  // A failure with an escaped reason, a running row, a completed one with a
  // fractional duration, costs and tokens, a budget, a run and routed types.
  snapshot = OneFailure();
  snapshot.workstreams[0].error_message = "caf\xC3\xA9 \"quoted\"\ttab\nsecond line";
  snapshot.workstreams[0].exit_code = 3;
  snapshot.workstreams[0].track = "api";
  WorkstreamRecord running;
  running.workstream_id = "ws-2";
  running.status = WorkstreamStatus::kRunning;
  running.agent_id = "agent-2";
  running.attempt = 2;
  running.started_at = "2026-01-01 00:00:00";
  snapshot.workstreams.push_back(running);
  WorkstreamRecord completed;
  completed.workstream_id = "ws-3";
  completed.status = WorkstreamStatus::kCompleted;
  completed.attempt = 1;
  completed.exit_code = 0;
  completed.started_at = "2026-01-01 00:00:01";
  completed.completed_at = "2026-01-01 00:00:03";
  snapshot.workstreams.push_back(completed);
  AttemptRecord attempt;
  attempt.workstream_id = "ws-3";
  attempt.duration_seconds = 1.25;
  attempt.usage.input_tokens = 1200;
  attempt.usage.output_tokens = 34;
  attempt.usage.cache_read_tokens = 5;
  attempt.usage.cost_usd = 0.1;
  snapshot.attempts.push_back(attempt);
  attempt.workstream_id = "ws-1";
  attempt.duration_seconds = 2;
  attempt.usage.cost_usd.reset();
  snapshot.attempts.push_back(attempt);
  snapshot.now = 1767225605;  // 2026-01-01 00:00:05: ws-2 has run 5 s
  snapshot.budget_usd = 2.5;
  snapshot.has_run = true;
  snapshot.run.id = 7;
  snapshot.run.pid = 4242;
  snapshot.run.started_at = "2026-01-01 00:00:00";
  snapshot.run.state = RunState::kRunning;
  snapshot.run.pause_requested = true;
  EXPECT_EQ(StreamedStatus(snapshot, nullptr), DomStatus(snapshot, nullptr));
  const std::map<std::string, std::string> types = {{"ws-1", "claude"}, {"ws-3", "script"}};
  EXPECT_EQ(StreamedStatus(snapshot, &types), DomStatus(snapshot, &types));
  // Integral costs and no budget.
  snapshot.attempts[0].usage.cost_usd = 3.0;
  snapshot.budget_usd.reset();
  EXPECT_EQ(StreamedStatus(snapshot, &types), DomStatus(snapshot, &types));
}

}  // namespace
}  // namespace orchestra
