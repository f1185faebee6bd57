#include "cost_estimate.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

AttemptRecord Attempt(const std::string& id, const std::string& type, AttemptOutcome outcome,
                      std::optional<double> cost) {
  AttemptRecord attempt;
  attempt.workstream_id = id;
  attempt.agent_type = type;
  attempt.outcome = outcome;
  attempt.usage.cost_usd = cost;
  return attempt;
}

std::optional<double> Hours(const std::string& id) {
  if (id == "a") return 1.0;
  if (id == "b") return 3.0;
  return std::nullopt;  // no longer in the project
}

TEST(CostRatesTest, AreSummedCostOverSummedHoursOfSucceededPricedAttemptsPerType) {
  const std::vector<AttemptRecord> attempts = {
      Attempt("a", "claude", AttemptOutcome::kSucceeded, 1.0),
      Attempt("b", "claude", AttemptOutcome::kSucceeded, 1.0),           // (1 + 1) / (1 + 3) = 0.5 per hour
      Attempt("a", "claude", AttemptOutcome::kFailed, 9.0),              // not succeeded
      Attempt("a", "claude", AttemptOutcome::kSucceeded, std::nullopt),  // no cost
      Attempt("gone", "claude", AttemptOutcome::kSucceeded, 9.0),        // unknown workstream
      Attempt("a", "", AttemptOutcome::kSucceeded, 9.0),                 // no type
      Attempt("b", "aider", AttemptOutcome::kSucceeded, 0.3),
  };
  const std::map<std::string, CostRate> rates = CostRatesByType(attempts, Hours);
  ASSERT_EQ(rates.size(), 2u);
  EXPECT_DOUBLE_EQ(rates.at("claude").usd_per_hour, 0.5);
  EXPECT_EQ(rates.at("claude").attempts, 2);
  EXPECT_DOUBLE_EQ(rates.at("aider").usd_per_hour, 0.1);
  EXPECT_EQ(rates.at("aider").attempts, 1);
}

TEST(CostEstimateTest, RangesFromOneAttemptToEveryAttemptAtTheRate) {
  const std::map<std::string, CostRate> rates = {{"claude", {0.5, 2}}};
  const CostEstimate estimate = EstimateCost({{2, "claude", 3, std::nullopt}, {4, "claude", 1, std::nullopt}}, rates);
  EXPECT_DOUBLE_EQ(estimate.low_usd, 1 + 2);
  EXPECT_DOUBLE_EQ(estimate.high_usd, 3 + 2);
  EXPECT_EQ(estimate.from_history, 2);
  EXPECT_EQ(estimate.unknown, 0);
  EXPECT_EQ(CostEstimateLine(estimate),
            "Estimated cost: $3.00–$5.00 (first attempt to every attempt used, at the cost per estimated hour of "
            "earlier succeeded attempts of the same agent type)");
}

TEST(CostEstimateTest, MaxCostBoundsTheHistoryAndStandsAloneWithoutIt) {
  const std::map<std::string, CostRate> rates = {{"claude", {0.5, 2}}};
  // 2h at 0.5/h, 3 attempts: 1..3, capped at 2; 8h: 4..4 capped at 2.5 (both ends); no rate for sim: 0..1.
  const CostEstimate estimate = EstimateCost(
      {{2, "claude", 3, 2.0}, {8, "claude", 1, 2.5}, {1, "sim", 3, 1.0}, {1, "sim", 3, std::nullopt}}, rates);
  EXPECT_DOUBLE_EQ(estimate.low_usd, 1 + 2.5 + 0);
  EXPECT_DOUBLE_EQ(estimate.high_usd, 2 + 2.5 + 1);
  EXPECT_EQ(estimate.from_history, 2);
  EXPECT_EQ(estimate.capped, 2);
  EXPECT_EQ(estimate.cap_only, 1);
  EXPECT_EQ(estimate.unknown, 1);
  EXPECT_EQ(CostEstimateLine(estimate),
            "Estimated cost: $3.50–$5.50 (first attempt to every attempt used, at the cost per estimated hour of "
            "earlier succeeded attempts of the same agent type; bounded by max_cost_usd); 1 workstream(s) with "
            "neither history nor max_cost_usd left out");

  const CostEstimate caps_only = EstimateCost({{1, "sim", 3, 1.0}, {1, "", 3, 0.25}, {1, "sim", 1, std::nullopt}}, {});
  EXPECT_EQ(CostEstimateLine(caps_only),
            "Estimated cost: at most $1.25 (max_cost_usd); 1 workstream(s) with neither history nor max_cost_usd "
            "left out");
}

TEST(CostEstimateTest, SaysNothingWhenNothingIsKnown) {
  const CostEstimate estimate = EstimateCost({{1, "sim", 3, std::nullopt}}, {{"claude", {0.5, 1}}});
  EXPECT_FALSE(estimate.Known());
  EXPECT_EQ(CostEstimateLine(estimate), "");
  EXPECT_EQ(CostEstimateLine(EstimateCost({}, {})), "");
}

}  // namespace
}  // namespace orchestra
