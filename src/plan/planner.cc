#include "planner.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <numeric>
#include <queue>
#include <thread>

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

double Plan::IdleHours(int agent) const {
  double busy = 0;
  for (const PlannedSlot& slot : timelines[agent]) busy += slot.end_hours - slot.start_hours;
  return std::max(0.0, makespan_hours - busy);
}

PlanningProblem MakePlanningProblem(const Graph& graph, const SchedulingInputs& inputs,
                                    const std::vector<bool>& include, std::vector<int>* nodes) {
  const int agent_count = static_cast<int>(inputs.agent_ids.size());
  std::vector<int> task_of(graph.size(), -1);
  nodes->clear();
  for (int node : graph.TopologicalOrder()) {
    if (!include[node]) continue;
    bool runnable = false;
    for (int agent = 0; agent < agent_count && !runnable; ++agent) runnable = inputs.eligible[agent][node];
    for (int dependency : graph.dependencies(node)) {
      // A dependency outside the selection is done already (or never will be).
      if (include[dependency] && task_of[dependency] < 0) runnable = false;
    }
    if (!runnable) continue;
    task_of[node] = static_cast<int>(nodes->size());
    nodes->push_back(node);
  }
  PlanningProblem problem;
  problem.agent_count = agent_count;
  bool any_restriction = false;
  for (int node : *nodes) {
    problem.durations.push_back(inputs.estimates[node]);
    std::vector<int> dependencies;
    for (int dependency : graph.dependencies(node)) {
      if (task_of[dependency] >= 0) dependencies.push_back(task_of[dependency]);
    }
    problem.dependencies.push_back(std::move(dependencies));
    problem.priorities.push_back(inputs.priorities.empty() ? 0 : inputs.priorities[node]);
    for (int agent = 0; agent < agent_count; ++agent) any_restriction |= !inputs.eligible[agent][node];
  }
  if (any_restriction) {
    problem.eligible.assign(agent_count, std::vector<bool>(nodes->size()));
    for (int agent = 0; agent < agent_count; ++agent) {
      for (size_t task = 0; task < nodes->size(); ++task) {
        problem.eligible[agent][task] = inputs.eligible[agent][(*nodes)[task]];
      }
    }
  }
  if (!inputs.conflicts.empty()) {
    problem.conflicts.resize(nodes->size());
    for (size_t task = 0; task < nodes->size(); ++task) {
      for (int other : inputs.conflicts[(*nodes)[task]]) {
        if (task_of[other] >= 0) problem.conflicts[task].push_back(task_of[other]);
      }
    }
  }
  return problem;
}

std::vector<int> RankForGraph(int graph_size, const std::vector<int>& nodes, const std::vector<int>& task_rank,
                              const std::vector<int>& previous) {
  std::vector<int> order(nodes.size());
  for (size_t task = 0; task < nodes.size(); ++task) order[task_rank[task]] = nodes[task];
  std::vector<bool> placed(graph_size, false);
  for (int node : nodes) placed[node] = true;
  std::vector<int> rest;
  for (int node = 0; node < graph_size; ++node) {
    if (!placed[node]) rest.push_back(node);
  }
  if (!previous.empty()) {
    std::stable_sort(rest.begin(), rest.end(), [&](int a, int b) { return previous[a] < previous[b]; });
  }
  order.insert(order.end(), rest.begin(), rest.end());
  std::vector<int> rank(graph_size);
  for (int position = 0; position < graph_size; ++position) rank[order[position]] = position;
  return rank;
}

namespace {

std::vector<bool> Selection(const Graph& graph, const std::vector<int>& targets) {
  std::vector<bool> include(graph.size(), targets.empty());
  for (int node : graph.WithDependencies(targets)) include[node] = true;
  return include;
}

/// PlanRank over the nodes of `include`. `shape`, when given, is a shape
/// computed already for a problem of the same durations and edges (ShapeOf
/// checks its fingerprint and computes its own when they differ).
std::vector<int> RankSelection(const Graph& graph, const SchedulingInputs& inputs, const std::vector<bool>& include,
                               const SearchOptions& options, SearchResult* search,
                               std::shared_ptr<const ProblemShape> shape = nullptr) {
  std::vector<int> nodes;
  PlanningProblem problem = MakePlanningProblem(graph, inputs, include, &nodes);
  problem.shape_cache = std::move(shape);
  SearchResult result = SearchSchedule(problem, options);
  std::vector<int> rank = RankForGraph(graph.size(), nodes, result.rank);
  if (search) *search = std::move(result);
  return rank;
}

}  // namespace

std::vector<int> PlanRank(const Graph& graph, const SchedulingInputs& inputs, const std::vector<int>& targets,
                          const SearchOptions& options, SearchResult* search, const std::vector<bool>* done) {
  std::vector<bool> include = Selection(graph, targets);
  for (int node = 0; done && node < graph.size(); ++node) {
    if ((*done)[node]) include[node] = false;
  }
  return RankSelection(graph, inputs, include, options, search);
}

double SimulateRun(const Graph& graph, const SchedulingInputs& inputs, const std::vector<int>& targets,
                   std::vector<ScheduledTask>* schedule, std::vector<int>* unschedulable,
                   const std::vector<bool>* done) {
  const std::vector<double> estimates = inputs.estimates;
  Scheduler scheduler(graph, inputs);
  for (int node = 0; done && node < graph.size(); ++node) {
    if ((*done)[node]) scheduler.RestoreCompleted(node);
  }
  if (!targets.empty()) scheduler.Select(targets);
  scheduler.Begin();
  // Events ordered by finish time, then workstream index for determinism.
  using Event = std::pair<double, int>;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> finishing;
  double now = 0;
  if (schedule) schedule->clear();
  while (true) {
    for (const Assignment& assignment : scheduler.Dispatch()) {
      const double end = now + estimates[assignment.workstream];
      if (schedule) schedule->push_back({assignment.workstream, assignment.agent, now, end});
      finishing.push({end, assignment.workstream});
    }
    if (finishing.empty()) break;
    now = finishing.top().first;
    while (!finishing.empty() && finishing.top().first == now) {
      scheduler.Finish(finishing.top().second, true);
      finishing.pop();
    }
  }
  if (unschedulable) {
    unschedulable->clear();
    for (int node = 0; node < graph.size(); ++node) {
      if (scheduler.state(node) == SchedulingState::kReady) unschedulable->push_back(node);
    }
  }
  return now;
}

double SimulateRun(const PlanningProblem& problem, const std::vector<int>& rank,
                   std::vector<ScheduledTask>* schedule) {
  std::vector<std::string> ids;
  for (int task = 0; task < problem.size(); ++task) ids.push_back(std::to_string(task));
  const Graph graph(std::move(ids), problem.dependencies);
  SchedulingInputs inputs;
  inputs.priorities.assign(problem.size(), 0);
  inputs.estimates = problem.durations;
  inputs.max_attempts.assign(problem.size(), 1);
  for (int agent = 0; agent < problem.agent_count; ++agent) {
    inputs.agent_ids.push_back("agent-" + std::to_string(agent + 1));
    inputs.eligible.push_back(problem.eligible.empty() ? std::vector<bool>(problem.size(), true)
                                                       : problem.eligible[agent]);
  }
  inputs.conflicts = problem.conflicts;
  inputs.rank = rank;
  return SimulateRun(graph, inputs, {}, schedule);
}

Plan MakePlan(const Project& project, const std::vector<int>& targets, const PlanOptions& options) {
  const Graph& graph = *project.graph;
  SchedulingInputs inputs = MakeSchedulingInputs(project);
  Plan plan;
  if (options.corrected && !options.corrected->corrected.empty()) {
    inputs.estimates = options.corrected->estimates;
    plan.corrected_estimates = options.corrected->corrected;
  }
  if (options.corrected) plan.observed_attempts = options.corrected->observed_attempts;
  plan.estimates = inputs.estimates;
  std::vector<bool> done(graph.size(), false);
  if (options.done) done = *options.done;
  std::vector<bool> include = Selection(graph, targets);
  std::vector<double> left = inputs.estimates;  // done work takes no time
  for (int node = 0; node < graph.size(); ++node) {
    if (!done[node]) continue;
    plan.done.push_back(node);
    include[node] = false;
    left[node] = 0;
  }
  for (std::vector<int> wave : graph.Waves()) {
    std::erase_if(wave, [&](int node) { return done[node]; });
    if (!wave.empty()) plan.waves.push_back(std::move(wave));
  }
  plan.critical_path = graph.CriticalPath(left);
  std::erase_if(plan.critical_path, [&](int node) { return done[node]; });
  for (int node : plan.critical_path) plan.critical_path_hours += inputs.estimates[node];
  for (int node = 0; node < graph.size(); ++node) {
    if (done[node]) continue;
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

  SearchOptions search_options;
  search_options.budget_seconds = options.budget_seconds;

  // The agent-count table's rows: k generic agents, where tracks and agent
  // types are left out, so the rows compare pool sizes (the configured row
  // keeps every constraint). One problem for every row: only the agent count
  // differs, so the graph's shape (order, levels) is computed once, and again
  // not for the configured search when its problem has the same tasks.
  // The rows are independent searches: helper threads (one per core but
  // this one) start on them at once, while this thread runs the configured
  // search and simulation and then joins them on the rows left. On 100,000
  // workstreams the rows were a third of `plan` and the configured search
  // and simulation a fifth, one after the other.
  PlanningProblem scaling_problem;
  SearchOptions scaling_options = search_options;
  scaling_options.budget_seconds = options.budget_seconds / 4;
  const int rows = options.scaling ? std::max(6, static_cast<int>(inputs.agent_ids.size())) : 0;
  plan.scaling.resize(static_cast<size_t>(rows));
  std::atomic<int> next_row{0};
  const auto take_rows = [&] {
    PlanningProblem own = scaling_problem;
    for (int row = next_row++; row < rows; row = next_row++) {
      own.agent_count = row + 1;
      const SearchResult result = SearchSchedule(own, scaling_options);
      plan.scaling[static_cast<size_t>(row)] = {row + 1, result.makespan, result.lower_bound.value,
                                                result.proven_optimal};
    }
  };
  std::vector<std::jthread> helpers;  // joined on every way out, a throw included
  if (options.scaling) {
    SchedulingInputs generic = inputs;
    generic.agent_ids.assign(1, "agent");
    generic.eligible.assign(1, std::vector<bool>(graph.size(), true));
    std::vector<int> nodes;
    scaling_problem = MakePlanningProblem(graph, generic, include, &nodes);
    ShapeOf(scaling_problem);  // computed once, before the threads share it (read-only from here)
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned helper = 1; helper < std::min<unsigned>(cores, static_cast<unsigned>(rows)); ++helper) {
      helpers.emplace_back(take_rows);
    }
  }

  SearchResult search;
  inputs.rank = RankSelection(graph, inputs, include, search_options, &search, scaling_problem.shape_cache);
  plan.rank = inputs.rank;
  plan.lower_bound_hours = search.lower_bound.value;
  plan.rule = search.rule;
  plan.baseline_hours = search.hlfet_makespan;
  plan.evaluations = search.evaluations;
  plan.search_seconds = search.seconds;

  std::vector<ScheduledTask> schedule;
  plan.makespan_hours = SimulateRun(graph, inputs, targets, &schedule, &plan.unschedulable, &done);
  plan.proven_optimal = search.proven_optimal && plan.makespan_hours <= plan.lower_bound_hours + 1e-9;
  for (const ScheduledTask& slot : schedule) {
    plan.timelines[slot.agent].push_back({slot.task, slot.start, slot.end});
  }

  if (options.scaling) take_rows();
  for (std::jthread& helper : helpers) helper.join();
  return plan;
}

ReplanResult Replan(const Graph& graph, const SchedulingInputs& inputs, const ReplanInput& input) {
  // The remaining work: everything selected that has not completed, failed or
  // been blocked. Running work has only its remaining hours left and must be
  // first (it has started), which a top priority expresses.
  std::vector<bool> include(graph.size(), false);
  SchedulingInputs remaining = inputs;
  for (int node = 0; node < graph.size(); ++node) {
    const SchedulingState state = input.states[node];
    include[node] = input.selected[node] && state != SchedulingState::kCompleted &&
                    state != SchedulingState::kFailed && state != SchedulingState::kBlocked &&
                    state != SchedulingState::kExcluded;
    if (state == SchedulingState::kRunning) {
      remaining.estimates[node] = std::max(0.0, input.remaining_hours[node]);
      remaining.priorities[node] = INT_MAX;
    }
  }
  std::vector<int> nodes;
  const PlanningProblem problem = MakePlanningProblem(graph, remaining, include, &nodes);
  SearchOptions options = input.search;
  options.initial_rank.resize(nodes.size());
  for (size_t task = 0; task < nodes.size(); ++task) options.initial_rank[task] = input.rank[nodes[task]];
  const SearchResult search = SearchSchedule(problem, options);
  ReplanResult result;
  result.previous_finish_hours = search.initial_makespan;
  result.finish_hours = search.makespan;
  result.changed = search.makespan < search.initial_makespan - 1e-9;
  result.rank = result.changed ? RankForGraph(graph.size(), nodes, search.rank, input.rank) : input.rank;
  if (!result.changed) result.finish_hours = search.initial_makespan;
  return result;
}

}  // namespace orchestra
