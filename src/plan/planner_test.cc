#include "planner.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

/// r, p, q, q2 (after q) on two agents, estimates 1, 2, 2, 4, followed in the
/// rank r, p, q, q2.
struct ReplanFixture {
  Graph graph{std::vector<std::string>{"r", "p", "q", "q2"}, {{}, {}, {}, {2}}};
  SchedulingInputs inputs;

  ReplanFixture() {
    inputs.priorities = {0, 0, 0, 0};
    inputs.estimates = {1, 2, 2, 4};
    inputs.max_attempts = {1, 1, 1, 1};
    inputs.agent_ids = {"agent-1", "agent-2"};
    inputs.eligible.assign(2, std::vector<bool>(4, true));
    inputs.rank = {0, 1, 2, 3};
  }

  /// r is running with `remaining` hours left; p and q are ready.
  ReplanInput Input(double remaining) const {
    ReplanInput input;
    input.states = {SchedulingState::kRunning, SchedulingState::kReady, SchedulingState::kReady,
                    SchedulingState::kWaiting};
    input.remaining_hours = {remaining, 0, 0, 0};
    input.selected.assign(4, true);
    input.rank = inputs.rank;
    input.search.max_evaluations = 500;
    input.search.budget_seconds = 10;
    return input;
  }
};

// r was to take an hour but is still running with 5 hours to go. With one
// agent left, the old order (p, then q, then q2) ends at 8; starting q first
// ends at 7, so the re-plan moves q ahead of p, and the scheduler follows.
TEST(ReplanTest, ALateFinishReordersTheRemainingWork) {
  ReplanFixture fixture;
  const ReplanResult result = Replan(fixture.graph, fixture.inputs, fixture.Input(5));
  ASSERT_TRUE(result.changed);
  EXPECT_EQ(result.previous_finish_hours, 8);
  EXPECT_EQ(result.finish_hours, 7);
  EXPECT_LT(result.rank[2], result.rank[1]);  // q before p

  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  std::vector<Assignment> first = scheduler.Dispatch();  // r and p, by the old rank
  ASSERT_EQ(first.size(), 2u);
  scheduler.Requeue(first[1].workstream);  // p had not really started: compare orders on one free agent
  scheduler.SetRank(result.rank);
  std::vector<Assignment> next = scheduler.Dispatch();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(fixture.graph.id(next[0].workstream), "q");
}

// When everything went as estimated the order stays exactly as it was.
TEST(ReplanTest, NothingChangedKeepsTheOrder) {
  ReplanFixture fixture;
  const ReplanResult result = Replan(fixture.graph, fixture.inputs, fixture.Input(0));
  EXPECT_FALSE(result.changed);
  EXPECT_EQ(result.rank, fixture.inputs.rank);
  EXPECT_EQ(result.finish_hours, result.previous_finish_hours);
}

// The plan's rank, replayed by the real Scheduler, gives the makespan the
// search predicted, and the plan reports it with its bound and scaling rows.
TEST(PlanRankTest, SchedulerReplaysTheSearchedRank) {
  ReplanFixture fixture;
  fixture.inputs.rank.clear();
  SearchResult search;
  SearchOptions options;
  options.max_evaluations = 200;
  options.budget_seconds = 10;
  std::vector<int> rank = PlanRank(fixture.graph, fixture.inputs, {}, options, &search);
  SchedulingInputs inputs = fixture.inputs;
  inputs.rank = rank;
  std::vector<ScheduledTask> schedule;
  EXPECT_EQ(SimulateRun(fixture.graph, inputs, {}, &schedule), search.makespan);
  EXPECT_EQ(search.makespan, 6);  // q, q2 on one agent; r, p on the other
  EXPECT_TRUE(search.proven_optimal);
}

// A resumed run plans only what is left: with q done, q2 is ready at once and
// the best of r, p, q2 on two agents ends at 4 (q2 on one agent, r and p on
// the other), where the whole graph needs 6. The done q is ranked last.
TEST(PlanRankTest, DoneWorkstreamsAreLeftOutOfTheSearchAndRankedLast) {
  ReplanFixture fixture;
  fixture.inputs.rank.clear();
  SearchOptions options;
  options.max_evaluations = 200;
  options.budget_seconds = 10;
  const std::vector<bool> done = {false, false, true, false};
  SearchResult search;
  const std::vector<int> rank = PlanRank(fixture.graph, fixture.inputs, {}, options, &search, &done);
  EXPECT_EQ(search.makespan, 4);
  EXPECT_TRUE(search.proven_optimal);
  EXPECT_EQ(rank[2], 3);            // q, done: after the three left
  EXPECT_EQ(rank[3], 0);            // q2, the longest, first
  SchedulingInputs inputs = fixture.inputs;
  inputs.rank = rank;
  std::vector<ScheduledTask> schedule;
  EXPECT_EQ(SimulateRun(fixture.graph, inputs, {}, &schedule, nullptr, &done), 4);
}

}  // namespace
}  // namespace orchestra
