#include "planner.h"

#include <queue>

#include "scope.h"
#include "validate.h"

namespace orchestra {

SchedulingInputs MakeSchedulingInputs(const Project& project) {
  SchedulingInputs inputs;
  for (const Workstream& workstream : project.workstreams) {
    inputs.priorities.push_back(workstream.priority);
    inputs.estimates.push_back(workstream.estimate_hours.value_or(project.config.estimate_hours));
    inputs.max_attempts.push_back(workstream.max_attempts.value_or(project.config.max_attempts));
  }
  for (const AgentConfig& agent : project.config.agents) {
    inputs.agent_ids.push_back(agent.id);
    std::vector<bool> eligible;
    for (const Workstream& workstream : project.workstreams) {
      eligible.push_back(AgentCanRun(project.config, agent, workstream));
    }
    inputs.eligible.push_back(std::move(eligible));
  }
  if (project.config.SerializesOverlappingScopes()) {
    inputs.conflicts.resize(project.workstreams.size());
    for (const auto& [a, b] : ScopeConflictPairs(project.workstreams)) {
      inputs.conflicts[a].push_back(b);
      inputs.conflicts[b].push_back(a);
    }
  }
  return inputs;
}

Plan MakePlan(const Project& project, const std::vector<int>& targets) {
  const Graph& graph = *project.graph;
  SchedulingInputs inputs = MakeSchedulingInputs(project);
  Plan plan;
  plan.waves = graph.Waves();
  plan.critical_path = graph.CriticalPath(inputs.estimates);
  for (int node : plan.critical_path) plan.critical_path_hours += inputs.estimates[node];
  for (int node = 0; node < graph.size(); ++node) {
    plan.total_hours += inputs.estimates[node];
    if (project.workstreams[node].estimate_source == EstimateSource::kDefault) {
      plan.default_estimates.push_back(node);
    }
  }
  if (!inputs.conflicts.empty()) {
    std::vector<std::pair<int, int>> pairs;
    for (int node = 0; node < graph.size(); ++node) {
      for (int other : inputs.conflicts[node]) {
        if (node < other) pairs.push_back({node, other});
      }
    }
    plan.scope_groups = ConflictGroups(graph.size(), pairs);
    plan.scope_conflicts = std::move(pairs);
  }
  plan.timelines.resize(inputs.agent_ids.size());
  const std::vector<double> estimates = inputs.estimates;

  Scheduler scheduler(graph, std::move(inputs));
  if (!targets.empty()) scheduler.Select(targets);
  scheduler.Begin();
  // Events ordered by finish time, then workstream index for determinism.
  using Event = std::pair<double, int>;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> finishing;
  double now = 0;
  while (true) {
    for (const Assignment& assignment : scheduler.Dispatch()) {
      const double end = now + estimates[assignment.workstream];
      plan.timelines[assignment.agent].push_back({assignment.workstream, now, end});
      finishing.push({end, assignment.workstream});
    }
    if (finishing.empty()) break;
    auto [time, workstream] = finishing.top();
    finishing.pop();
    now = time;
    scheduler.Finish(workstream, true);
  }
  plan.makespan_hours = now;
  for (int node = 0; node < graph.size(); ++node) {
    if (scheduler.state(node) == SchedulingState::kReady) plan.unschedulable.push_back(node);
  }
  return plan;
}

}  // namespace orchestra
