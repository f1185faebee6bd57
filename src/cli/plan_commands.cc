#include "plan_commands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "cost_estimate.h"
#include "estimates.h"
#include "graph_export.h"
#include "graphviz.h"
#include "output_files.h"
#include "planner.h"
#include "state_store_factory.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

std::string Hours(double hours) { return fmt::format("{:.1f}h", hours); }

/// Real durations of every succeeded attempt recorded in the project's state
/// (none when there is no state yet).
/// `*from_running_run` counts those of a run still in progress (started at or
/// after its start, while another orchestrator holds the state). `*done`
/// (per node) marks the workstreams the state records as completed;
/// `*attempts` gets every recorded attempt.
std::vector<ObservedDuration> LoadObservedDurations(const Project& project, int* from_running_run,
                                                    std::vector<bool>* done, std::vector<AttemptRecord>* attempts) {
  *from_running_run = 0;
  done->assign(project.workstreams.size(), false);
  const std::string state = project.State();
  SystemClock clock;
  if (!StateExists(state, &clock)) return {};
  std::string error;
  bool absent = false;
  std::unique_ptr<StateStore> store =
      OpenStateStore(state, StateOpenMode::kExisting, {}, &clock, &absent, &error);
  std::vector<WorkstreamRecord> records;
  if (!store || !store->LoadAttempts("", attempts, &error) || !store->LoadWorkstreams(&records, &error)) return {};
  for (const WorkstreamRecord& record : records) {
    const int node = project.graph->IndexOf(record.workstream_id);
    if (node >= 0 && record.status == WorkstreamStatus::kCompleted) (*done)[node] = true;
  }
  RunRecord run;
  bool found = false;
  const bool running = OrchestratorLock::Holder(state).held && store->LatestRun(&run, &found, &error) && found &&
                       run.state == RunState::kRunning;
  for (const AttemptRecord& attempt : *attempts) {
    if (running && attempt.outcome == AttemptOutcome::kSucceeded && attempt.started_at >= run.started_at) {
      ++*from_running_run;
    }
  }
  return SucceededDurations(*attempts);
}

/// The cost of the planned workstreams (CostEstimate's rule): each at the
/// rate of the type of the agent the plan gives it, with its written estimate
/// (the unit the rates are measured in), its attempts and its max_cost_usd.
CostEstimate PlanCost(const Project& project, const Plan& plan, const std::map<std::string, CostRate>& rates) {
  auto input = [&](int node, const std::string& type) {
    const Workstream& workstream = project.workstreams[node];
    return CostInput{workstream.estimate_hours.value_or(project.config.estimate_hours), type,
                     workstream.max_attempts.value_or(project.config.max_attempts), workstream.max_cost_usd};
  };
  std::vector<CostInput> inputs;
  for (size_t agent = 0; agent < plan.timelines.size(); ++agent) {
    for (const PlannedSlot& slot : plan.timelines[agent]) {
      inputs.push_back(input(slot.workstream, project.config.agents[agent].type));
    }
  }
  for (int node : plan.unschedulable) inputs.push_back(input(node, ""));
  return EstimateCost(inputs, rates);
}

/// The plan's "cost" in JSON: null when nothing is known.
nlohmann::json CostJson(const CostEstimate& estimate, const std::map<std::string, CostRate>& rates) {
  if (!estimate.Known()) return nullptr;
  nlohmann::json by_type = nlohmann::json::object();
  for (const auto& [type, rate] : rates) {
    by_type[type] = {{"usd_per_estimated_hour", rate.usd_per_hour}, {"succeeded_attempts", rate.attempts}};
  }
  return {{"low_usd", estimate.low_usd},
          {"high_usd", estimate.high_usd},
          {"workstreams_from_history", estimate.from_history},
          {"workstreams_capped", estimate.capped},
          {"workstreams_max_cost_only", estimate.cap_only},
          {"workstreams_unknown", estimate.unknown},
          {"rates", by_type}};
}

/// " a, b, c, d, e and 95 more": the first five of `nodes` as `name` writes
/// them, so that a line of the plan stays one line however many workstreams
/// it is about (the JSON output lists them all).
std::string FirstFew(const std::vector<int>& nodes, const std::function<std::string(int)>& name) {
  const size_t shown = std::min<size_t>(nodes.size(), 5);
  std::string text;
  for (size_t i = 0; i < shown; ++i) text += (i ? ", " : " ") + name(nodes[i]);
  if (nodes.size() > shown) text += fmt::format(" and {} more", nodes.size() - shown);
  return text;
}

std::string Percent(double value) { return fmt::format("{:.1f}%", value); }

/// How far `hours` is above `bound`, in percent of the bound.
double GapPercent(double hours, double bound) { return bound > 0 ? 100.0 * (hours - bound) / bound : 0; }

/// "  (type NAME)" after a workstream of the plan when [[routes]] exist (the
/// type a route gives it, else its agent's); "" without routes.
std::string RoutedType(const Project& project, int node, const AgentConfig& agent) {
  if (!project.HasRoutes()) return "";
  const AgentType* type = project.TypeFor(node, agent);
  return "  (type " + (type ? type->name : agent.type) + ")";
}

void PrintPlanText(const Project& project, const Plan& plan, int observed_this_run) {
  const Graph& graph = *project.graph;
  if (plan.done.size() == project.workstreams.size()) {
    std::printf("Nothing left to plan: every workstream is completed (`orchestra plan --all` plans them all)\n");
    return;
  }
  if (plan.done.empty()) {
    std::printf("Plan: %zu workstreams, %zu agents, %zu waves\n\n", project.workstreams.size(),
                project.config.agents.size(), plan.waves.size());
  } else {
    std::printf("Plan: %zu of %zu workstreams left (%zu completed; --all plans them all), %zu agents, %zu waves\n\n",
                project.workstreams.size() - plan.done.size(), project.workstreams.size(), plan.done.size(),
                project.config.agents.size(), plan.waves.size());
  }
  for (size_t wave = 0; wave < plan.waves.size(); ++wave) {
    std::printf("Wave %zu (%zu):", wave + 1, plan.waves[wave].size());
    for (int node : plan.waves[wave]) std::printf(" %s", graph.id(node).c_str());
    std::printf("\n");
  }
  std::printf("\nCritical path (%s):", Hours(plan.critical_path_hours).c_str());
  for (size_t i = 0; i < plan.critical_path.size(); ++i) {
    std::printf("%s%s", i ? " -> " : " ", graph.id(plan.critical_path[i]).c_str());
  }
  std::printf("\n\nAgent order (each workstream at its predicted start, estimates in hours):\n");
  for (size_t agent = 0; agent < plan.timelines.size(); ++agent) {
    const AgentConfig& config = project.config.agents[agent];
    double busy = 0;
    for (const PlannedSlot& slot : plan.timelines[agent]) busy += slot.end_hours - slot.start_hours;
    std::printf("  %s (%s%s): %zu workstreams, %s busy, %s idle\n", config.id.c_str(), config.type.c_str(),
                config.track.empty() ? "" : (", track " + config.track).c_str(), plan.timelines[agent].size(),
                Hours(busy).c_str(), Hours(plan.IdleHours(static_cast<int>(agent))).c_str());
    for (const PlannedSlot& slot : plan.timelines[agent]) {
      std::printf("    %7.1f - %7.1f  %s%s\n", slot.start_hours, slot.end_hours, graph.id(slot.workstream).c_str(),
                  RoutedType(project, slot.workstream, config).c_str());
    }
  }
  std::printf("\nTotal work %s; predicted finish with these agents %s (critical path %s)\n",
              Hours(plan.total_hours).c_str(), Hours(plan.makespan_hours).c_str(),
              Hours(plan.critical_path_hours).c_str());
  if (plan.proven_optimal) {
    std::printf("Lower bound %s: this order is optimal\n", Hours(plan.lower_bound_hours).c_str());
  } else {
    std::printf("Lower bound %s: at most %s above the best possible\n", Hours(plan.lower_bound_hours).c_str(),
                Percent(GapPercent(plan.makespan_hours, plan.lower_bound_hours)).c_str());
  }
  std::printf("Order: %s; plain critical-path-first order: %s\n", plan.rule.c_str(),
              Hours(plan.baseline_hours).c_str());
  if (!plan.scaling.empty()) {
    std::printf("\nAgents  Finish    Speedup  Lower bound  Gap\n");
    const double single = plan.scaling.front().makespan_hours;
    for (const ScalingRow& row : plan.scaling) {
      const bool configured = row.agents == static_cast<int>(project.config.agents.size());
      std::string line = fmt::format(
          "{:5}{}  {:<8}  {:6.2f}x  {:<11}  {:<5}{}", row.agents, configured ? "*" : " ",
          Hours(row.makespan_hours), row.makespan_hours > 0 ? single / row.makespan_hours : 1.0,
          Hours(row.lower_bound_hours), Percent(GapPercent(row.makespan_hours, row.lower_bound_hours)),
          row.proven_optimal ? "  optimal" : "");
      line.erase(line.find_last_not_of(' ') + 1);
      std::printf("%s\n", line.c_str());
    }
    std::printf("(k generic agents: any agent takes any workstream, so tracks and agent types are left out;\n"
                " dependencies and priorities hold. * the configured count; its real constraints are above.)\n");
  }
  if (!plan.corrected_estimates.empty()) {
    std::printf("Estimates corrected by %d observed attempt(s) (%d from earlier runs, %d from the run in progress):",
                plan.observed_attempts, plan.observed_attempts - observed_this_run, observed_this_run);
    // The largest corrections tell the story; the JSON output has them all.
    auto written = [&](int node) {
      return project.workstreams[node].estimate_hours.value_or(project.config.estimate_hours);
    };
    auto change = [&](int node) { return std::abs(plan.estimates[node] / written(node) - 1.0); };
    std::vector<int> largest = plan.corrected_estimates;
    std::stable_sort(largest.begin(), largest.end(), [&](int a, int b) { return change(a) > change(b); });
    std::printf("%s\n", FirstFew(largest, [&](int node) {
                          return fmt::format("{} {}->{}", graph.id(node), Hours(written(node)),
                                             Hours(plan.estimates[node]));
                        }).c_str());
  }
  if (!plan.default_estimates.empty()) {
    std::printf("%zu workstream(s) have no estimate and use the default of %s:%s\n",
                plan.default_estimates.size(), Hours(project.config.estimate_hours).c_str(),
                FirstFew(plan.default_estimates, [&](int node) { return graph.id(node); }).c_str());
  }
  if (!plan.scope_groups.empty()) {
    std::printf("\nSerialised by overlapping file scopes (%zu overlapping pair(s); within a group, "
                "workstreams whose scopes overlap never run at the same time):\n",
                plan.scope_conflicts.size());
    for (const std::vector<int>& group : plan.scope_groups) {
      std::printf(" ");
      for (int node : group) std::printf(" %s", graph.id(node).c_str());
      std::printf("\n");
    }
  }
  if (!plan.unschedulable.empty()) {
    std::printf("No agent may run:");
    for (int node : plan.unschedulable) std::printf(" %s", graph.id(node).c_str());
    std::printf("\n");
  }
}

nlohmann::json PlanJson(const Project& project, const Plan& plan) {
  const Graph& graph = *project.graph;
  auto ids = [&](const std::vector<int>& nodes) {
    nlohmann::json list = nlohmann::json::array();
    for (int node : nodes) list.push_back(graph.id(node));
    return list;
  };
  nlohmann::json json;
  json["workstreams"] = project.workstreams.size();
  json["completed"] = ids(plan.done);  // left out of the plan (empty with --all)
  json["waves"] = nlohmann::json::array();
  for (const std::vector<int>& wave : plan.waves) json["waves"].push_back(ids(wave));
  json["critical_path"] = ids(plan.critical_path);
  json["critical_path_hours"] = plan.critical_path_hours;
  json["total_hours"] = plan.total_hours;
  json["makespan_hours"] = plan.makespan_hours;
  json["lower_bound_hours"] = plan.lower_bound_hours;
  json["proven_optimal"] = plan.proven_optimal;
  json["baseline_hours"] = plan.baseline_hours;
  json["search"] = {{"rule", plan.rule},
                    {"evaluations", plan.evaluations},
                    {"seconds", plan.search_seconds},
                    {"budget_seconds", project.config.planner_budget_seconds}};
  std::vector<int> order(graph.size());
  for (int node = 0; node < graph.size() && !plan.rank.empty(); ++node) order[plan.rank[node]] = node;
  json["order"] = ids(plan.rank.empty() ? std::vector<int>{} : order);
  json["default_estimates"] = ids(plan.default_estimates);
  json["corrected_estimates"] = ids(plan.corrected_estimates);
  json["observed_attempts"] = plan.observed_attempts;
  json["unschedulable"] = ids(plan.unschedulable);
  json["isolation"] = project.config.isolation;
  json["scope_conflicts"] = nlohmann::json::array();
  for (const auto& [a, b] : plan.scope_conflicts) json["scope_conflicts"].push_back({graph.id(a), graph.id(b)});
  json["scope_groups"] = nlohmann::json::array();
  for (const std::vector<int>& group : plan.scope_groups) json["scope_groups"].push_back(ids(group));
  json["agents"] = nlohmann::json::array();
  for (size_t agent = 0; agent < plan.timelines.size(); ++agent) {
    nlohmann::json timeline = nlohmann::json::array();
    const AgentConfig& config = project.config.agents[agent];
    for (const PlannedSlot& slot : plan.timelines[agent]) {
      timeline.push_back({{"workstream", graph.id(slot.workstream)},
                          {"start_hours", slot.start_hours},
                          {"end_hours", slot.end_hours}});
      const AgentType* type = project.TypeFor(slot.workstream, config);
      if (project.HasRoutes()) timeline.back()["type"] = type ? type->name : config.type;
    }
    json["agents"].push_back({{"id", config.id},
                              {"type", config.type},
                              {"track", config.track},
                              {"idle_hours", plan.IdleHours(static_cast<int>(agent))},
                              {"timeline", timeline}});
  }
  json["scaling"] = nlohmann::json::array();
  for (const ScalingRow& row : plan.scaling) {
    json["scaling"].push_back({{"agents", row.agents},
                               {"makespan_hours", row.makespan_hours},
                               {"lower_bound_hours", row.lower_bound_hours},
                               {"speedup", row.makespan_hours > 0 ? plan.scaling.front().makespan_hours /
                                                                        row.makespan_hours
                                                                  : 1.0},
                               {"proven_optimal", row.proven_optimal}});
  }
  json["tracks"] = nlohmann::json::object();
  for (const Workstream& workstream : project.workstreams) {
    if (!workstream.track.empty()) json["tracks"][workstream.track].push_back(workstream.id);
  }
  return json;
}

/// `graph --format`: the named one, else from the output's extension, else dot.
std::string GraphFormat(const std::string& format, const std::string& output_path) {
  if (!format.empty()) return format;
  const std::string extension = fs::path(output_path).extension().string();
  if (extension == ".svg") return "svg";
  if (extension == ".mmd" || extension == ".mermaid") return "mermaid";
  return "dot";
}

}  // namespace

int CommandValidate(const CommandArgs& args) {
  Session session;
  const Needs needs{.agents = AgentsCheck::kWarn, .programs = AgentsCheck::kRequire};
  if (const int code = OpenCommand(args, needs, &session)) return code;
  std::printf("%zu workstreams, %zu agents: valid\n", session.project.workstreams.size(),
              session.project.config.agents.size());
  LeaveProjectToExit(&session);
  return kExitOk;
}

int CommandPlan(const CommandArgs& args) {
  if (!CheckGanttPath(args.gantt_path)) return kExitUsage;
  Session session;
  const Needs needs{.agents = AgentsCheck::kWarn, .programs = AgentsCheck::kWarn};
  if (const int code = OpenCommand(args, needs, &session)) return code;
  const Project& project = session.project;
  PlanOptions plan_options;
  plan_options.budget_seconds = project.config.planner_budget_seconds;
  int from_running_run = 0;
  std::vector<bool> done;
  std::vector<AttemptRecord> attempts;
  const std::vector<ObservedDuration> observed = LoadObservedDurations(project, &from_running_run, &done, &attempts);
  // The estimates MakeSchedulingInputs gives, without its agent-by-workstream
  // eligibility (16 agents x 100,000 workstreams), which MakePlan works out.
  std::vector<double> estimates;
  estimates.reserve(project.workstreams.size());
  for (const Workstream& workstream : project.workstreams) {
    estimates.push_back(workstream.estimate_hours.value_or(project.config.estimate_hours));
  }
  const CorrectedEstimates corrected = CorrectEstimates(*project.graph, estimates, observed);
  plan_options.corrected = &corrected;
  if (!args.all) plan_options.done = &done;
  const Plan plan = MakePlan(project, session.targets, plan_options);
  const std::map<std::string, CostRate> rates = CostRatesByType(attempts, [&](const std::string& id) {
    const int node = project.graph->IndexOf(id);
    if (node < 0) return std::optional<double>();
    return std::optional<double>(project.workstreams[node].estimate_hours.value_or(project.config.estimate_hours));
  });
  const CostEstimate cost = PlanCost(project, plan, rates);
  if (args.json) {
    nlohmann::json json = PlanJson(project, plan);
    json["observed_attempts_this_run"] = from_running_run;
    json["cost"] = CostJson(cost, rates);
    std::printf("%s\n", json.dump(2).c_str());
  } else {
    PrintPlanText(project, plan, from_running_run);
    if (cost.Known()) std::printf("%s\n", CostEstimateLine(cost).c_str());
  }
  if (!args.gantt_path.empty() &&
      !WriteChart(args.gantt_path, {GanttFromPlan(project, plan)}, "Orchestra plan", stderr)) {
    return kExitIncomplete;
  }
  LeaveProjectToExit(&session);
  return kExitOk;
}

int CommandGraph(const CommandArgs& args) {
  const std::string format = GraphFormat(args.graph_format, args.output_path);
  Session session;
  if (const int code = OpenCommand(args, {.state = StateAccess::kIfPresent}, &session)) return code;
  const Project& project = session.project;
  GraphPicture picture;
  picture.statuses.assign(project.workstreams.size(), WorkstreamStatus::kPending);
  std::string error;
  std::vector<WorkstreamRecord> records;
  if (session.store && !session.store->LoadWorkstreams(&records, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  for (const WorkstreamRecord& record : records) {
    const int node = project.graph->IndexOf(record.workstream_id);
    if (node >= 0) picture.statuses[node] = record.status;
  }
  picture.critical_path = MakePlan(project, {}).critical_path;
  std::string text = format == "mermaid" ? MermaidText(project, picture) : DotText(project, picture);
  if (format == "svg" && !RunDot(text, "svg", &text, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  if (args.output_path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  std::ofstream out(args.output_path, std::ios::trunc | std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    PrintError("cannot write " + args.output_path);
    return kExitIncomplete;
  }
  std::fprintf(stderr, "Graph: %s\n", DisplayPath(args.output_path).c_str());
  return kExitOk;
}

}  // namespace orchestra
