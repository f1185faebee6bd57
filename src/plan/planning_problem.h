// The planning problem: what the planner schedules, stripped of workstreams.
// Durations, dependencies, who may run what, what may not overlap, and how many
// agents. `MakePlan` builds one from a project; the STG benchmark builds one
// from a task-graph file. Pure data and algorithms; no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace orchestra {

/// ProblemShape is what a problem's graph and durations imply, whatever the
/// agents: reverse edges, a topological order, bottom and top levels. The
/// planner asks for them many times per plan (every search, every row of the
/// agent-count table), so each problem computes them once (ShapeOf).
struct ProblemShape {
  std::vector<std::vector<int>> dependents;  // dependents[task]: tasks depending on it
  std::vector<int> order;                    // dependency order (Kahn; ties by index)
  std::vector<double> bottom;                // longest path from a task's start to the end
  std::vector<double> top;                   // longest path from the start to a task's start
  std::vector<int> by_bottom;                // tasks by bottom level, highest first, ties by index (HLFET)
  /// `dependents` in one array, for the simulator's inner loop: task t's are
  /// dependents_flat[dependents_start[t] .. dependents_start[t + 1]).
  std::vector<int> dependents_start;
  std::vector<int> dependents_flat;
  uint64_t fingerprint = 0;                  // of the durations and edges it was computed from
};

/// PlanningProblem is a set of tasks 0..n-1 to run on `agent_count` agents,
/// each task on one agent for its whole duration, none before its dependencies
/// have finished. The optional vectors are empty when they do not constrain.
struct PlanningProblem {
  std::vector<double> durations;              // per task, > = 0
  std::vector<std::vector<int>> dependencies;  // per task: tasks that must finish first
  int agent_count = 1;
  /// Optional: eligible[agent][task]; empty means every agent may run every task.
  std::vector<std::vector<bool>> eligible;
  /// Optional: conflicts[task] lists the tasks it may never run alongside.
  std::vector<std::vector<int>> conflicts;
  /// Optional: higher first, before any planned order (the user's `priority`).
  std::vector<int> priorities;

  int size() const { return static_cast<int>(durations.size()); }

  /// ShapeOf's cache: recomputed when the durations or edges change.
  mutable std::shared_ptr<const ProblemShape> shape_cache;
  /// True when no agent restriction, conflict or priority applies: plain
  /// P|prec|Cmax, for which the fast paths and the strong bounds hold.
  bool Unconstrained() const;
  /// True when every duration is a whole number (the bounds may round up).
  bool IntegralDurations() const;
};

// The graph functions of topological_order.h over a problem's dependencies.

/// The problem's shape, computed on first use and kept while its durations
/// and edges stay the same (agent_count, eligibility and conflicts may change).
const ProblemShape& ShapeOf(const PlanningProblem& problem);

/// Reverse edges: dependents[task] lists the tasks that depend on it.
std::vector<std::vector<int>> Dependents(const PlanningProblem& problem);

/// Tasks in dependency order (Kahn; ties by index). Requires a DAG.
std::vector<int> TopologicalOrder(const PlanningProblem& problem);

/// Longest path from each task's start to the end of the graph, its own
/// duration included.
std::vector<double> BottomLevels(const PlanningProblem& problem);

/// Longest path from the start of the graph to each task's start (its
/// earliest start with unlimited agents).
std::vector<double> TopLevels(const PlanningProblem& problem);

/// What no schedule can beat, and why.
struct LowerBound {
  double critical_path = 0;  // longest dependency chain
  double work = 0;           // total work / agents (rounded up for whole durations)
  double energy = 0;         // interval energy bound (0 when not computed)
  double value = 0;          // the largest of them
};

/// The lower bound on the makespan. The energy bound (Fernandez-Bussell style:
/// for a candidate makespan C every task must run inside [head, C - tail], so
/// each time window has a minimum of work that must fit on the agents) is
/// computed for whole durations and at most `energy_limit` tasks; it stops at
/// `upper_bound` (a known schedule length), as no bound can exceed it.
LowerBound ComputeLowerBound(const PlanningProblem& problem, double upper_bound, int energy_limit = 400);

}  // namespace orchestra
