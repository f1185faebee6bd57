#include "estimates.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

Graph ThreeNodes() { return Graph(std::vector<std::string>{"a", "b", "c"}, {{}, {}, {}}); }

// a and b were estimated at 2h each; a took 10 s, b 30 s: the pace is
// 40 s / 4 h = 10 s per hour, so a is really 1h of work and b 3h. c was
// never observed and keeps its estimate.
TEST(EstimatesTest, CorrectsByTheProjectsObservedPace) {
  const CorrectedEstimates result = CorrectEstimates(ThreeNodes(), {2, 2, 5}, {{"a", 10}, {"b", 30}});
  EXPECT_EQ(result.estimates, (std::vector<double>{1, 3, 5}));
  EXPECT_EQ(result.corrected, (std::vector<int>{0, 1}));
  EXPECT_DOUBLE_EQ(result.seconds_per_hour, 10);
  EXPECT_EQ(result.observed_attempts, 2);
}

// Work that ran exactly at the common pace (a sim agent's time_scale) changes
// nothing, whatever the unit of the seconds.
TEST(EstimatesTest, AnEvenPaceChangesNothing) {
  const CorrectedEstimates result = CorrectEstimates(ThreeNodes(), {2, 4, 1}, {{"a", 0.1}, {"b", 0.2}, {"c", 0.05}});
  EXPECT_EQ(result.estimates, (std::vector<double>{2, 4, 1}));
  EXPECT_TRUE(result.corrected.empty());
}

TEST(EstimatesTest, OneObservedWorkstreamOnlySetsThePace) {
  const CorrectedEstimates result = CorrectEstimates(ThreeNodes(), {2, 2, 2}, {{"a", 99}, {"a", 1}, {"zzz", 5}});
  EXPECT_TRUE(result.corrected.empty());
  EXPECT_EQ(result.estimates, (std::vector<double>{2, 2, 2}));
}

// Several attempts of one workstream (after `orchestra retry` or a reset)
// count as their mean.
TEST(EstimatesTest, RepeatedAttemptsAverage) {
  const CorrectedEstimates result = CorrectEstimates(ThreeNodes(), {1, 1, 1}, {{"a", 10}, {"a", 30}, {"b", 20}});
  // pace = 60 s / 3 h = 20 s/h; a: mean 20 s -> 1h; b: 20 s -> 1h.
  EXPECT_TRUE(result.corrected.empty());
}

}  // namespace
}  // namespace orchestra
