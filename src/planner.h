// The planner: predicts a run before it happens by driving the real scheduler
// with a simulated clock over the workstreams' estimates.
#pragma once

#include <string>
#include <vector>

#include "project.h"
#include "scheduler.h"

namespace orchestra {

/// One workstream on one agent's predicted timeline.
struct PlannedSlot {
  int workstream = -1;
  double start_hours = 0;
  double end_hours = 0;
};

/// Plan is the prediction: what each agent does when, and when it all ends.
struct Plan {
  std::vector<std::vector<int>> waves;
  std::vector<int> critical_path;
  double critical_path_hours = 0;
  double total_hours = 0;
  double makespan_hours = 0;
  std::vector<std::vector<PlannedSlot>> timelines;  // per agent
  std::vector<int> unschedulable;                   // no agent may run them
  std::vector<int> default_estimates;               // used the config default
  /// Workstreams never run together because their file scopes overlap
  /// (connected components of the conflict pairs); empty when not serialised.
  std::vector<std::vector<int>> scope_groups;
  std::vector<std::pair<int, int>> scope_conflicts;  // the overlapping pairs

};

/// The scheduler inputs for `project` (priorities, estimates, attempts,
/// eligibility, and the scope conflicts when the config serialises them).
SchedulingInputs MakeSchedulingInputs(const Project& project);

/// Simulates the whole plan (or `targets` and their dependencies) with every
/// attempt succeeding in exactly its estimate.
Plan MakePlan(const Project& project, const std::vector<int>& targets);

}  // namespace orchestra
