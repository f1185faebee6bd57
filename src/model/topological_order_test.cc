#include "topological_order.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

// a(0, 1h) -> b(1, 5h) -> d(3, 1h); a -> c(2, 2h) -> d; e(4, 4h) alone.
const Adjacency kDependencies{{}, {0}, {0}, {1, 2}, {}};
const std::vector<double> kDurations{1, 5, 2, 1, 4};

TEST(TopologicalOrderTest, ReverseEdgesListTheDependents) {
  EXPECT_EQ(ReverseEdges(kDependencies), (Adjacency{{1, 2}, {3}, {3}, {}, {}}));
}

TEST(TopologicalOrderTest, DependenciesFirstThenLowestIndex) {
  EXPECT_EQ(TopologicalOrder(kDependencies, ReverseEdges(kDependencies)),
            (std::vector<int>{0, 1, 2, 3, 4}));
  const Adjacency reversed_chain{{1}, {2}, {}};
  EXPECT_EQ(TopologicalOrder(reversed_chain, ReverseEdges(reversed_chain)),
            (std::vector<int>{2, 1, 0}));
}

TEST(TopologicalOrderTest, LeavesOutCyclesAndWhatFollowsThem) {
  const Adjacency cyclic{{}, {2}, {1}, {2, 0}};
  EXPECT_EQ(TopologicalOrder(cyclic, ReverseEdges(cyclic)), std::vector<int>{0});
}

TEST(TopologicalOrderTest, BottomLevelsRunToTheEndOfTheGraph) {
  EXPECT_EQ(BottomLevels(kDependencies, ReverseEdges(kDependencies), kDurations),
            (std::vector<double>{7, 6, 3, 1, 4}));
}

TEST(TopologicalOrderTest, TopLevelsAreEarliestStarts) {
  EXPECT_EQ(TopLevels(kDependencies, ReverseEdges(kDependencies), kDurations),
            (std::vector<double>{0, 1, 1, 6, 0}));
}

}  // namespace
}  // namespace orchestra
