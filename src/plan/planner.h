// The planner: predicts a run before it happens by driving the real scheduler
// with a simulated clock over the workstreams' estimates, in the order the
// schedule search found best ("one scheduler, two clocks": `run` dispatches
// with the same scheduler and the same rank on the wall clock).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "estimates.h"
#include "planning_problem.h"
#include "project.h"
#include "schedule_search.h"
#include "scheduler.h"

namespace orchestra {

/// One workstream on one agent's predicted timeline.
struct PlannedSlot {
  int workstream = -1;
  double start_hours = 0;
  double end_hours = 0;
};

/// One row of the "how many agents" table: k generic agents (untracked, any
/// type), the same dependencies, conflicts and priorities.
struct ScalingRow {
  int agents = 0;
  double makespan_hours = 0;
  double lower_bound_hours = 0;
  bool proven_optimal = false;
};

/// Plan is the prediction: what each agent does when, and when it all ends.
struct Plan {
  std::vector<std::vector<int>> waves;               // without the done workstreams
  std::vector<int> done;                             // PlanOptions::done, as nodes
  std::vector<int> critical_path;
  double critical_path_hours = 0;
  double total_hours = 0;
  double makespan_hours = 0;
  std::vector<std::vector<PlannedSlot>> timelines;  // per agent, in start order
  std::vector<int> unschedulable;                   // no agent may run them
  std::vector<int> default_estimates;               // used the config default

  // The schedule search behind the order (for the configured agents).
  std::vector<int> rank;           // per workstream, lower first: what `run` follows
  double lower_bound_hours = 0;    // no schedule of these agents can finish sooner
  bool proven_optimal = false;     // makespan_hours == lower_bound_hours
  std::string rule;                // what found the order
  double baseline_hours = 0;       // plain critical-path-first (HLFET) list scheduling
  int64_t evaluations = 0;         // candidate schedules simulated
  double search_seconds = 0;
  std::vector<ScalingRow> scaling;  // 1..max(6, configured) generic agents
  std::vector<double> estimates;         // per node: the hours planned with
  std::vector<int> corrected_estimates;  // nodes whose estimate was learned from attempts
  int observed_attempts = 0;             // succeeded attempts the correction used

  /// Workstreams never run together because their file scopes overlap
  /// (connected components of the conflict pairs); empty when not serialised.
  std::vector<std::vector<int>> scope_groups;
  std::vector<std::pair<int, int>> scope_conflicts;  // the overlapping pairs

  /// Hours agent `agent` waits between 0 and the makespan.
  double IdleHours(int agent) const;
};

/// What MakePlan searches and reports.
struct PlanOptions {
  double budget_seconds = 0.2;  // schedule search for the configured agents
  bool scaling = true;          // also plan 1..max(6, N) generic agents (budget / 4 each)
  /// Optional: estimates learned from earlier attempts, replacing the project's.
  const CorrectedEstimates* corrected = nullptr;
  /// Optional: per node, completed already (a partly done project): planned
  /// as done, so the plan covers what is left. Null: nothing is done.
  const std::vector<bool>* done = nullptr;
};

/// The scheduler inputs for `project` (priorities, estimates, attempts,
/// eligibility, and the scope conflicts when the config serialises them).
SchedulingInputs MakeSchedulingInputs(const Project& project);

/// The planning problem of the selected nodes (`include[node]`) that can run:
/// an agent may take them and every dependency can run too. `*nodes` maps the
/// problem's tasks back to graph nodes.
PlanningProblem MakePlanningProblem(const Graph& graph, const SchedulingInputs& inputs,
                                    const std::vector<bool>& include, std::vector<int>* nodes);

/// A rank over every graph node: the problem's tasks (`nodes`) in the order of
/// `task_rank`, before everything else (kept in `previous` order, or by index).
std::vector<int> RankForGraph(int graph_size, const std::vector<int>& nodes, const std::vector<int>& task_rank,
                              const std::vector<int>& previous = {});

/// Searches the order for `inputs` over the selected workstreams (all when
/// `targets` is empty) and returns it as a rank for the scheduler. `done`
/// (optional, per node) marks workstreams completed already (a resumed run):
/// they are left out of the search, as finished dependencies, and ranked last.
std::vector<int> PlanRank(const Graph& graph, const SchedulingInputs& inputs, const std::vector<int>& targets,
                          const SearchOptions& options, SearchResult* search = nullptr,
                          const std::vector<bool>* done = nullptr);

/// Runs the real Scheduler with a simulated clock: every attempt succeeds in
/// exactly its estimate; the finishes of one instant are all reported before
/// the next dispatch. Fills `schedule` in start order and `unschedulable`
/// with ready work no agent may take; returns the makespan.
/// `done` (optional, per node) marks workstreams completed before the run.
double SimulateRun(const Graph& graph, const SchedulingInputs& inputs, const std::vector<int>& targets,
                   std::vector<ScheduledTask>* schedule, std::vector<int>* unschedulable = nullptr,
                   const std::vector<bool>* done = nullptr);

/// The same for a plain problem with a rank (the benchmark's path).
double SimulateRun(const PlanningProblem& problem, const std::vector<int>& rank,
                   std::vector<ScheduledTask>* schedule = nullptr);

/// Plans the whole project (or `targets` and their dependencies).
Plan MakePlan(const Project& project, const std::vector<int>& targets, const PlanOptions& options = {});

/// What the run knows when it re-plans.
struct ReplanInput {
  std::vector<SchedulingState> states;  // per node, from the scheduler
  std::vector<double> remaining_hours;  // per node: hours left of running work (others ignored)
  std::vector<bool> selected;           // per node: part of this run
  std::vector<int> rank;                // the order being followed
  SearchOptions search;                 // budget, seed
};

/// The re-plan's answer.
struct ReplanResult {
  bool changed = false;           // adopt `rank`
  std::vector<int> rank;          // the new order (the old one when unchanged)
  double previous_finish_hours = 0;  // remaining hours with the old order
  double finish_hours = 0;           // with `rank`
};

/// Re-plans the remaining work (running work first, with the hours it has
/// left) seeded with the current order; a new order is adopted only when it
/// predicts a strictly earlier finish, so the order stays as it was unless
/// something gains from a change.
ReplanResult Replan(const Graph& graph, const SchedulingInputs& inputs, const ReplanInput& input);

}  // namespace orchestra
