#include "usage_summary.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

AttemptRecord Attempt(const std::string& id, const std::string& type, int64_t input, std::optional<double> cost) {
  AttemptRecord attempt;
  attempt.workstream_id = id;
  attempt.agent_type = type;
  attempt.usage.input_tokens = input;
  attempt.usage.output_tokens = input / 4;
  attempt.usage.cost_usd = cost;
  return attempt;
}

TEST(UsageSummaryTest, SumsInAllPerWorkstreamAndPerType) {
  const UsageTotals totals = SumUsage({Attempt("a", "claude", 1000, 0.5), Attempt("a", "claude", 400, std::nullopt),
                                       Attempt("b", "", 0, std::nullopt), Attempt("c", "aider", 200, 0.25)});
  EXPECT_TRUE(totals.known);
  EXPECT_EQ(totals.total.input_tokens, 1600);
  EXPECT_EQ(totals.total.cost_usd, 0.75);
  EXPECT_EQ(totals.by_workstream.at("a").input_tokens, 1400);
  EXPECT_EQ(totals.by_workstream.at("a").cost_usd, 0.5);
  EXPECT_EQ(totals.by_workstream.count("b"), 0u);  // reported nothing
  EXPECT_EQ(totals.by_type.at("aider").cost_usd, 0.25);
  EXPECT_EQ(totals.attempts_by_type, (std::map<std::string, int>{{"-", 1}, {"aider", 1}, {"claude", 2}}));
}

TEST(UsageSummaryTest, NothingReportedIsNothingKnown) {
  const UsageTotals totals = SumUsage({Attempt("a", "sim", 0, std::nullopt)});
  EXPECT_FALSE(totals.known);
  EXPECT_EQ(UsageSummaryLine(totals, std::nullopt), "");
  EXPECT_EQ(UsageSummaryLine(totals, 5.0), "budget $0.00 of $5.00");
}

TEST(UsageSummaryTest, ABudgetReachedSaysSo) {
  const UsageTotals over = SumUsage({Attempt("a", "claude", 1000, 5.5)});
  EXPECT_EQ(UsageSummaryLine(over, 5.0), "cost $5.50; tokens 1000 in, 250 out, 0 cache read, 0 cache write; budget "
                                         "$5.50 of $5.00 (reached: nothing new starts)");
}

TEST(UsageSummaryTest, TheLineGivesCostTokensAndBudget) {
  const UsageTotals priced = SumUsage({Attempt("a", "claude", 1000, 0.5)});
  EXPECT_EQ(UsageSummaryLine(priced, std::nullopt), "cost $0.50; tokens 1000 in, 250 out, 0 cache read, 0 cache write");
  EXPECT_EQ(UsageSummaryLine(priced, 2.0),
            "cost $0.50; tokens 1000 in, 250 out, 0 cache read, 0 cache write; budget $0.50 of $2.00");
  const UsageTotals unpriced = SumUsage({Attempt("a", "claude", 1000, std::nullopt)});
  EXPECT_EQ(UsageSummaryLine(unpriced, std::nullopt),
            "cost unknown; tokens 1000 in, 250 out, 0 cache read, 0 cache write");
}

TEST(UsageSummaryTest, JsonHasEveryTokenCountAndANullUnknownCost) {
  Usage usage;
  usage.cache_write_tokens = 7;
  EXPECT_EQ(TokensJson(usage),
            nlohmann::json::parse(R"({"input": 0, "output": 0, "cache_read": 0, "cache_write": 7})"));
  EXPECT_TRUE(CostJson(usage).is_null());
  usage.cost_usd = 0.0042;
  EXPECT_EQ(CostJson(usage), 0.0042);
  EXPECT_EQ(CostCell(usage), "$0.0042");
}

}  // namespace
}  // namespace orchestra
