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

}  // namespace
}  // namespace orchestra
