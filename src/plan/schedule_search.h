// The schedule search: finds the order (rank) in which the scheduler should
// start ready work so that everything finishes soonest. It evaluates candidate
// ranks with a lean list-scheduling simulation that makes exactly the
// decisions `Scheduler::Dispatch` makes, tries several priority rules, then
// improves the best by iterated local search within a time budget, and stops
// as soon as a schedule meets the lower bound (proven optimal).
#pragma once

#include <cstdint>
#include <string>
#include <memory>
#include <vector>

#include "planning_problem.h"

namespace orchestra {

/// One task on one agent in a simulated schedule.
struct ScheduledTask {
  int task = -1;
  int agent = -1;
  double start = 0;
  double end = 0;
};

/// ListSimulator replays list scheduling over a problem for any rank (lower
/// first), the same way the Scheduler dispatches: whenever time advances (all
/// finishes at that instant processed first), ready tasks are taken in rank
/// order; a task in conflict with a running one waits; each goes to the idle
/// eligible agent that can run the fewest tasks (lowest index on ties). Tasks
/// no agent may run, and everything after them, never start.
class ListSimulator {
 public:
  explicit ListSimulator(const PlanningProblem& problem);

  /// The makespan of the schedule `rank` gives; fills `schedule` (in start
  /// order) when not null.
  double Simulate(const std::vector<int>& rank, std::vector<ScheduledTask>* schedule = nullptr);

 private:
  double SimulateUnconstrained(const std::vector<int>& rank, std::vector<ScheduledTask>* schedule);
  double SimulateConstrained(const std::vector<int>& rank, std::vector<ScheduledTask>* schedule);

  const PlanningProblem& problem_;
  std::shared_ptr<const ProblemShape> shape_;        // kept alive for dependents_
  const std::vector<std::vector<int>>& dependents_;  // the problem's shape's
  std::vector<int> dependency_counts_;
  std::vector<int> eligible_counts_;  // per agent
  bool unconstrained_ = true;
  // Scratch, reused across calls.
  std::vector<int> waiting_;
  std::vector<int> agent_of_;  // per running task
  std::vector<int> busy_with_;
  std::vector<char> running_;
  // SimulateUnconstrained's ready set when the rank is a permutation of
  // 0..n-1 (every rank the search makes): a bit per rank, a summary bit per
  // 64 of them, and the task at each rank.
  std::vector<uint64_t> ready_bits_;
  std::vector<uint64_t> ready_summary_;
  std::vector<int> task_at_rank_;
};

/// How long and how hard to search.
struct SearchOptions {
  double budget_seconds = 0.2;
  /// Stop after this many candidate evaluations (0: only the budget limits).
  int64_t max_evaluations = 0;
  uint64_t seed = 1;
  /// A rank to start from (e.g. the one a run follows); it competes with the
  /// rules and, on ties, wins, which keeps the order stable.
  std::vector<int> initial_rank;
  bool local_search = true;
};

/// The search's answer.
struct SearchResult {
  std::vector<int> rank;       // lower first; a permutation of 0..n-1
  double makespan = 0;         // of `rank`
  LowerBound lower_bound;
  bool proven_optimal = false;  // makespan == lower bound
  std::string rule;            // the rule (or "local search") that found it
  double hlfet_makespan = 0;   // plain bottom-level list scheduling, for comparison
  double initial_makespan = 0;  // of options.initial_rank (0 when none)
  int64_t evaluations = 0;
  double seconds = 0;
};

/// Bottom-level (HLFET) rank: longest path to the end first, ties by index.
std::vector<int> HlfetRank(const PlanningProblem& problem);

/// Turns an order (first to start first) into a rank, moving higher
/// priorities first when the problem has priorities.
std::vector<int> RankFromOrder(const PlanningProblem& problem, const std::vector<int>& order);

/// Searches for the rank with the smallest makespan.
SearchResult SearchSchedule(const PlanningProblem& problem, const SearchOptions& options);

}  // namespace orchestra
