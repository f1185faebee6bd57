#include "report.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace orchestra
