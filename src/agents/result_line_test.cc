#include "result_line.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(ResultLineTest, TheLastResultLineGivesOutcomeUsageAndSession) {
  AgentVerdict verdict;
  ASSERT_TRUE(ReadResultLine(
      "working\n"
      "orchestra-result: {\"outcome\": \"failed\"}\n"
      "orchestra: not the agent's\n"
      "orchestra-result: {\"outcome\": \"rate_limited\", \"reason\": \"HTTP 429\", \"retry_after_seconds\": 30, "
      "\"session_id\": \"s-9\", \"usage\": {\"input_tokens\": 100, \"output_tokens\": 20, \"cache_read_tokens\": 3, "
      "\"cache_write_tokens\": 4, \"cost_usd\": 0.5, \"model\": \"m\", \"turns\": 2}}\n"
      "trailing words",
      &verdict));
  EXPECT_EQ(verdict.outcome, AgentOutcome::kRateLimited);
  EXPECT_EQ(verdict.reason, "HTTP 429");
  EXPECT_EQ(verdict.retry_after_seconds, 30);
  EXPECT_EQ(verdict.session_id, "s-9");
  EXPECT_EQ(verdict.usage.input_tokens, 100);
  EXPECT_EQ(verdict.usage.output_tokens, 20);
  EXPECT_EQ(verdict.usage.cache_read_tokens, 3);
  EXPECT_EQ(verdict.usage.cache_write_tokens, 4);
  EXPECT_EQ(verdict.usage.cost_usd, 0.5);
  EXPECT_EQ(verdict.usage.model, "m");
  EXPECT_EQ(verdict.usage.turns, 2);
}

// A float beyond int64 in get<int64_t>() is undefined behaviour, and a
// negative count would make sums and differences of counts overflow: such
// figures read as none.
TEST(ResultLineTest, CountsThatAreNoCountsReadAsNone) {
  AgentVerdict verdict;
  ASSERT_TRUE(ReadResultLine(
      "orchestra-result: {\"outcome\": \"succeeded\", \"usage\": {\"input_tokens\": 1e300, "
      "\"output_tokens\": -5, \"cache_read_tokens\": -9223372036854775808, \"cache_write_tokens\": 7, "
      "\"turns\": 1e20}}",
      &verdict));
  EXPECT_EQ(verdict.usage.input_tokens, 0);
  EXPECT_EQ(verdict.usage.output_tokens, 0);
  EXPECT_EQ(verdict.usage.cache_read_tokens, 0);
  EXPECT_EQ(verdict.usage.cache_write_tokens, 7);
  EXPECT_EQ(verdict.usage.turns, 0);
}

TEST(ResultLineTest, NoLineIsNoVerdict) {
  AgentVerdict verdict;
  EXPECT_FALSE(ReadResultLine("", &verdict));
  EXPECT_FALSE(ReadResultLine("just output\nno result here\n", &verdict));
  EXPECT_FALSE(ReadResultLine("  orchestra-result: {}\n", &verdict));  // not at a line start
}

TEST(ResultLineTest, ABrokenLineFailsSayingWhy) {
  AgentVerdict verdict;
  ASSERT_TRUE(ReadResultLine("orchestra-result: {not json\n", &verdict));
  EXPECT_EQ(verdict.outcome, AgentOutcome::kFailed);
  EXPECT_EQ(verdict.reason, "the agent's orchestra-result line is not a JSON object");
  ASSERT_TRUE(ReadResultLine("orchestra-result: {\"outcome\": \"great\"}", &verdict));
  EXPECT_EQ(verdict.outcome, AgentOutcome::kFailed);
  EXPECT_EQ(verdict.reason,
            "the agent's orchestra-result line has an unknown outcome \"great\" (one of succeeded, failed, "
            "rate_limited, fatal)");
}

TEST(ResultLineTest, UsageWithoutOutcomeIsASuccessAndWrongTypesAreIgnored) {
  AgentVerdict verdict;
  ASSERT_TRUE(ReadResultLine("orchestra-result: {\"usage\": {\"input_tokens\": \"many\", \"output_tokens\": 7}}",
                             &verdict));
  EXPECT_TRUE(verdict.succeeded());
  EXPECT_EQ(verdict.usage.input_tokens, 0);
  EXPECT_EQ(verdict.usage.output_tokens, 7);
  EXPECT_FALSE(verdict.usage.cost_usd.has_value());
}

}  // namespace
}  // namespace orchestra
