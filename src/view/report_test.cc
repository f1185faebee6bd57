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

}  // namespace
}  // namespace orchestra
