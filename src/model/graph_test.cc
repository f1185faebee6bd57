#include "graph.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

std::vector<Workstream> Make(const std::vector<std::pair<std::string, std::vector<std::string>>>& spec) {
  std::vector<Workstream> workstreams;
  for (const auto& [id, depends_on] : spec) {
    Workstream workstream;
    workstream.id = id;
    workstream.depends_on = depends_on;
    workstreams.push_back(workstream);
  }
  return workstreams;
}

TEST(GraphTest, EdgesSkipUnknownAndDuplicateDependencies) {
  Graph graph(Make({{"a", {}}, {"b", {"a", "a", "missing"}}}));
  EXPECT_EQ(graph.dependencies(1), std::vector<int>{0});
  EXPECT_EQ(graph.dependents(0), std::vector<int>{1});
  EXPECT_EQ(graph.IndexOf("missing"), -1);
}

TEST(GraphTest, FindsNoCycleInDag) {
  Graph graph(Make({{"a", {}}, {"b", {"a"}}, {"c", {"a", "b"}}}));
  EXPECT_TRUE(graph.FindCycles().empty());
}

TEST(GraphTest, SpellsOutTwoAndThreeCyclesAndSelfLoops) {
  Graph graph(Make({{"ws-a", {"ws-b"}},
                    {"ws-b", {"ws-a"}},
                    {"x", {"z"}},
                    {"y", {"x"}},
                    {"z", {"y"}},
                    {"self", {"self"}},
                    {"free", {"ws-a"}}}));
  std::vector<std::vector<std::string>> cycles = graph.FindCycles();
  ASSERT_EQ(cycles.size(), 3u);
  EXPECT_EQ(cycles[0], (std::vector<std::string>{"self", "self"}));
  EXPECT_EQ(cycles[1], (std::vector<std::string>{"ws-a", "ws-b", "ws-a"}));
  EXPECT_EQ(cycles[2], (std::vector<std::string>{"x", "z", "y", "x"}));
}

TEST(GraphTest, WavesAreDependencyLevels) {
  Graph graph(Make({{"a", {}}, {"b", {}}, {"c", {"a"}}, {"d", {"c", "b"}}, {"e", {"a"}}}));
  std::vector<std::vector<int>> waves = graph.Waves();
  ASSERT_EQ(waves.size(), 3u);
  EXPECT_EQ(waves[0], (std::vector<int>{0, 1}));
  EXPECT_EQ(waves[1], (std::vector<int>{2, 4}));
  EXPECT_EQ(waves[2], (std::vector<int>{3}));
}

TEST(GraphTest, BottomLevelsAndCriticalPathFollowTheLongestChain) {
  // a(1) -> b(5) -> d(1); a -> c(2) -> d
  Graph graph(Make({{"a", {}}, {"b", {"a"}}, {"c", {"a"}}, {"d", {"b", "c"}}}));
  std::vector<double> durations{1, 5, 2, 1};
  std::vector<double> bottom = graph.BottomLevels(durations);
  EXPECT_DOUBLE_EQ(bottom[0], 7);
  EXPECT_DOUBLE_EQ(bottom[1], 6);
  EXPECT_DOUBLE_EQ(bottom[2], 3);
  EXPECT_DOUBLE_EQ(bottom[3], 1);
  EXPECT_EQ(graph.CriticalPath(durations), (std::vector<int>{0, 1, 3}));
}

TEST(GraphTest, TransitiveDependentsAndSelections) {
  Graph graph(Make({{"a", {}}, {"b", {"a"}}, {"c", {"b"}}, {"d", {}}, {"e", {"d", "a"}}}));
  EXPECT_EQ(graph.TransitiveDependents(0), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(graph.WithDependencies({2}), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(graph.WithDependencies({4, 1}), (std::vector<int>{0, 1, 3, 4}));
}

TEST(GraphTest, TopologicalOrderOnALongChainDoesNotRecurse) {
  std::vector<std::pair<std::string, std::vector<std::string>>> spec;
  for (int i = 0; i < 100000; ++i) {
    spec.push_back({"n" + std::to_string(i), i ? std::vector<std::string>{"n" + std::to_string(i - 1)}
                                                : std::vector<std::string>{}});
  }
  Graph graph(Make(spec));
  EXPECT_EQ(graph.TopologicalOrder().size(), 100000u);
  EXPECT_TRUE(graph.FindCycles().empty());
}

}  // namespace
}  // namespace orchestra
