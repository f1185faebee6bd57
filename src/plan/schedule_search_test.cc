#include "schedule_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "planner.h"
#include "property_rounds.h"

namespace orchestra {
namespace {

PlanningProblem RandomProblem(std::mt19937& random, int count, int agents, bool constrained) {
  PlanningProblem problem;
  problem.agent_count = agents;
  for (int task = 0; task < count; ++task) {
    problem.durations.push_back(static_cast<double>(random() % 9));  // zero-length work too
    std::vector<int> dependencies;
    for (int earlier = 0; earlier < task; ++earlier) {
      if (random() % 4 == 0) dependencies.push_back(earlier);
    }
    problem.dependencies.push_back(dependencies);
  }
  if (constrained) {
    // Agent 0 takes everything; the others each take a random half.
    problem.eligible.assign(agents, std::vector<bool>(count, true));
    for (int agent = 1; agent < agents; ++agent) {
      for (int task = 0; task < count; ++task) problem.eligible[agent][task] = random() % 2 == 0;
    }
    problem.conflicts.resize(count);
    for (int pair = 0; pair < count / 3; ++pair) {
      const int a = static_cast<int>(random() % count), b = static_cast<int>(random() % count);
      if (a == b) continue;
      problem.conflicts[a].push_back(b);
      problem.conflicts[b].push_back(a);
    }
    for (int task = 0; task < count; ++task) problem.priorities.push_back(random() % 5 == 0 ? 1 : 0);
  }
  return problem;
}

/// The schedule obeys every constraint of the problem.
void ExpectValid(const PlanningProblem& problem, const std::vector<ScheduledTask>& schedule) {
  std::vector<const ScheduledTask*> of_task(problem.size(), nullptr);
  for (const ScheduledTask& slot : schedule) {
    ASSERT_EQ(of_task[slot.task], nullptr) << "task " << slot.task << " ran twice";
    of_task[slot.task] = &slot;
    EXPECT_DOUBLE_EQ(slot.end - slot.start, problem.durations[slot.task]);
    ASSERT_GE(slot.agent, 0);
    ASSERT_LT(slot.agent, problem.agent_count);
    if (!problem.eligible.empty()) {
      EXPECT_TRUE(problem.eligible[slot.agent][slot.task]);
    }
  }
  for (int task = 0; task < problem.size(); ++task) {
    ASSERT_NE(of_task[task], nullptr) << "task " << task << " never ran";
    for (int dependency : problem.dependencies[task]) {
      EXPECT_LE(of_task[dependency]->end, of_task[task]->start);
    }
  }
  for (const ScheduledTask& a : schedule) {
    for (const ScheduledTask& b : schedule) {
      if (&a == &b || a.end <= b.start || b.end <= a.start) continue;
      if (a.start == a.end || b.start == b.end) continue;
      EXPECT_NE(a.agent, b.agent) << "tasks " << a.task << " and " << b.task << " overlap on one agent";
      if (!problem.conflicts.empty()) {
        const auto& conflicts = problem.conflicts[a.task];
        EXPECT_EQ(std::find(conflicts.begin(), conflicts.end(), b.task), conflicts.end())
            << "conflicting tasks " << a.task << " and " << b.task << " overlap";
      }
    }
  }
}

// Property: on random graphs, with and without agent restrictions, conflicts
// and priorities, the searched schedule is valid, no better than the lower
// bound, no worse than HLFET, and the real Scheduler driven by the chosen
// rank produces exactly the schedule the search's simulation predicted.
TEST(ScheduleSearchTest, RandomGraphsGiveValidSchedulesTheSchedulerReproduces) {
  std::mt19937 random(11);
  for (int trial = 0; trial < 150; ++trial) {
    const bool constrained = trial % 2 == 1;
    const int count = 1 + static_cast<int>(random() % 25);
    const int agents = 1 + static_cast<int>(random() % 4);
    const PlanningProblem problem = RandomProblem(random, count, agents, constrained);
    SearchOptions options;
    options.max_evaluations = 300;
    options.budget_seconds = 10;
    const SearchResult search = SearchSchedule(problem, options);

    std::vector<ScheduledTask> simulated, scheduled;
    ListSimulator simulator(problem);
    EXPECT_EQ(simulator.Simulate(search.rank, &simulated), search.makespan);
    const double makespan = SimulateRun(problem, search.rank, &scheduled);
    ASSERT_EQ(makespan, search.makespan) << "trial " << trial;
    ASSERT_EQ(scheduled.size(), simulated.size());
    for (size_t i = 0; i < scheduled.size(); ++i) {
      EXPECT_EQ(scheduled[i].task, simulated[i].task);
      EXPECT_EQ(scheduled[i].agent, simulated[i].agent);
      EXPECT_EQ(scheduled[i].start, simulated[i].start);
    }
    ExpectValid(problem, scheduled);
    EXPECT_GE(makespan + 1e-9, search.lower_bound.value);
    EXPECT_LE(makespan, search.hlfet_makespan);
    EXPECT_EQ(search.proven_optimal, makespan <= search.lower_bound.value + 1e-9);
  }
}

// Priorities come first whatever order the search prefers.
TEST(ScheduleSearchTest, HigherPriorityStartsFirst) {
  PlanningProblem problem;
  problem.agent_count = 1;
  problem.durations = {1, 3, 3};
  problem.dependencies = {{}, {}, {1}};
  problem.priorities = {1, 0, 0};  // the longer chain 1 -> 2 would go first otherwise
  const SearchResult search = SearchSchedule(problem, SearchOptions{});
  EXPECT_EQ(search.rank[0], 0);
}

/// The optimum over every schedule, by brute force: each precedence-feasible
/// task order placed greedily (each task at its earliest start on the first
/// agent free by then) generates every active schedule, and some active
/// schedule is optimal.
double BruteForceOptimum(const PlanningProblem& problem) {
  std::vector<int> order(problem.size());
  std::iota(order.begin(), order.end(), 0);
  double best = 1e18;
  do {
    std::vector<double> end(problem.size(), -1), free_at(problem.agent_count, 0);
    bool feasible = true;
    double makespan = 0;
    for (int task : order) {
      double ready = 0;
      for (int dependency : problem.dependencies[task]) {
        if (end[dependency] < 0) feasible = false;
        ready = std::max(ready, end[dependency]);
      }
      if (!feasible) break;
      const auto agent = std::min_element(free_at.begin(), free_at.end());
      const double start = std::max(ready, *agent);
      end[task] = start + problem.durations[task];
      *agent = end[task];
      makespan = std::max(makespan, end[task]);
    }
    if (feasible) best = std::min(best, makespan);
  } while (std::next_permutation(order.begin(), order.end()));
  return best;
}

/// The best list schedule: every rank through the simulator.
double BestListSchedule(const PlanningProblem& problem) {
  std::vector<int> rank(problem.size());
  std::iota(rank.begin(), rank.end(), 0);
  ListSimulator simulator(problem);
  double best = 1e18;
  do {
    best = std::min(best, simulator.Simulate(rank));
  } while (std::next_permutation(rank.begin(), rank.end()));
  return best;
}

// On small graphs the lower bound never exceeds the true optimum, every claim
// of optimality is true, and the search finds the best list schedule.
TEST(ScheduleSearchTest, OptimalityProofsHoldAgainstBruteForce) {
  std::mt19937 random(5);
  int proofs = 0, strong_bounds = 0;
  const int trials = testing::PropertyRounds(120);
  for (int trial = 0; trial < trials; ++trial) {
    const int count = 3 + static_cast<int>(random() % 6);  // 3..8 tasks
    const int agents = 2 + static_cast<int>(random() % 2);
    PlanningProblem problem = RandomProblem(random, count, agents, false);
    for (double& duration : problem.durations) duration += 1;
    SearchOptions options;
    options.max_evaluations = 3000;
    options.budget_seconds = 10;
    const SearchResult search = SearchSchedule(problem, options);
    const double optimum = BruteForceOptimum(problem);
    EXPECT_LE(search.lower_bound.value, optimum) << "trial " << trial;
    EXPECT_GE(search.makespan, optimum);
    EXPECT_EQ(search.makespan, BestListSchedule(problem)) << "trial " << trial;
    if (search.proven_optimal) {
      EXPECT_EQ(search.makespan, optimum) << "trial " << trial;
      ++proofs;
    }
    strong_bounds += search.lower_bound.energy > std::max(search.lower_bound.critical_path, search.lower_bound.work);
  }
  EXPECT_GT(proofs, trials / 2);
  RecordProperty("proofs", proofs);
  RecordProperty("energy_bound_stronger", strong_bounds);
}

// The energy bound sees what the simple bounds miss: four tasks (3, 3, 3, 4)
// that must all end before a last task of 4 can start, on two agents.
// Critical path 8, work ceil(17 / 2) = 9; but before the last task starts,
// 13 hours of work need two agents for at least 6.5 hours: the optimum is 11.
TEST(ScheduleSearchTest, EnergyBoundBeatsCriticalPathAndWork) {
  PlanningProblem problem;
  problem.agent_count = 2;
  problem.durations = {3, 3, 3, 4, 4};
  problem.dependencies = {{}, {}, {}, {}, {0, 1, 2, 3}};
  const LowerBound bound = ComputeLowerBound(problem, 100);
  EXPECT_EQ(bound.critical_path, 8);
  EXPECT_EQ(bound.work, 9);
  EXPECT_EQ(bound.energy, 11);
  EXPECT_EQ(bound.value, BruteForceOptimum(problem));
  const SearchResult search = SearchSchedule(problem, SearchOptions{});
  EXPECT_TRUE(search.proven_optimal);
  EXPECT_EQ(search.makespan, 11);
}

// The search stops at its evaluation limit and says how far it got.
TEST(ScheduleSearchTest, StopsAtItsLimitAndCountsEvaluations) {
  std::mt19937 random(3);
  PlanningProblem problem = RandomProblem(random, 60, 3, false);
  SearchOptions options;
  options.max_evaluations = 40;
  options.budget_seconds = 100;
  const SearchResult search = SearchSchedule(problem, options);
  EXPECT_LE(search.evaluations, 42);  // the limit, plus at most one restart evaluation
  EXPECT_GT(search.evaluations, 0);
  options.max_evaluations = 0;
  options.budget_seconds = 0;  // rules only
  const SearchResult quick = SearchSchedule(problem, options);
  EXPECT_LE(quick.evaluations, 10);
}

// A previous order that is as good as anything found is kept as it is.
TEST(ScheduleSearchTest, AnEquallyGoodPreviousOrderIsKept) {
  PlanningProblem problem;
  problem.agent_count = 2;
  problem.durations = {1, 1, 1, 1};
  problem.dependencies = {{}, {}, {}, {}};
  SearchOptions options;
  options.initial_rank = {3, 2, 1, 0};
  const SearchResult search = SearchSchedule(problem, options);
  EXPECT_EQ(search.rank, options.initial_rank);
  EXPECT_EQ(search.rule, "previous plan");
  EXPECT_TRUE(search.proven_optimal);
}

}  // namespace
}  // namespace orchestra
