#include "cli.h"

#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "sim_agent.h"
#include "display.h"
#include "executor.h"
#include "gantt.h"
#include "graph_export.h"
#include "graphviz.h"
#include "git.h"
#include "git_commands.h"
#include "planner.h"
#include "project.h"
#include "report.h"
#include "sqlite_store.h"
#include "state_lock.h"
#include "validate.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

/// Options shared by every command.
struct GlobalOptions {
  ProjectOptions project;
  bool json = false;
};

void PrintDiagnostics(const Diagnostics& diagnostics) {
  const bool color = UseColor(stderr);
  for (const Diagnostic& diagnostic : diagnostics.items()) {
    std::string text = diagnostic.Render();
    if (color) {
      text = fmt::format("\033[{}m{}\033[0m", diagnostic.severity == Severity::kError ? "31" : "33", text);
    }
    std::fprintf(stderr, "%s\n", text.c_str());
  }
}

/// How a command treats workstreams without any agent to run them.
enum class AgentsCheck {
  kIgnore,   // it does not schedule (report, graph, retry)
  kWarn,     // it shows the plan: `run` will need agents
  kRequire,  // it runs them: an error, exit 2
};

/// Loads and validates; prints diagnostics. False means exit 2.
bool LoadValidProject(const GlobalOptions& options, Project* project, AgentsCheck agents = AgentsCheck::kIgnore) {
  Diagnostics diagnostics;
  bool ok = LoadProject(options.project, project, &diagnostics);
  if (agents != AgentsCheck::kIgnore) {
    const Severity severity = agents == AgentsCheck::kRequire ? Severity::kError : Severity::kWarning;
    ok = CheckAgentsConfigured(project->config, project->workstreams, severity, &diagnostics) && ok;
  }
  PrintDiagnostics(diagnostics);
  if (!ok) {
    std::fprintf(stderr, "orchestra: %d error(s), %d warning(s); nothing was run\n",
                 diagnostics.ErrorCount(), diagnostics.WarningCount());
  }
  return ok;
}

/// Loads the config alone (commands that need paths, not the plan); prints
/// diagnostics. False means exit 2.
bool LoadConfigOnly(const GlobalOptions& options, Config* config) {
  Diagnostics diagnostics;
  const bool ok = LoadProjectConfig(options.project, config, &diagnostics);
  PrintDiagnostics(diagnostics);
  return ok;
}

/// Maps target ids to graph nodes; unknown ids are errors with a suggestion.
bool ResolveTargets(const Project& project, const std::vector<std::string>& ids, std::vector<int>* nodes) {
  std::vector<std::string> all;
  for (const Workstream& workstream : project.workstreams) all.push_back(workstream.id);
  bool ok = true;
  for (const std::string& id : ids) {
    const int node = project.graph->IndexOf(id);
    if (node >= 0) {
      nodes->push_back(node);
      continue;
    }
    std::string match;
    std::vector<std::string> candidates;
    if (MatchTrackName(id, all, &match, &candidates)) {
      nodes->push_back(project.graph->IndexOf(match));
      continue;
    }
    const std::string nearest = NearestId(id, all);
    std::fprintf(stderr, "orchestra: unknown workstream '%s'%s\n", id.c_str(),
                 nearest.empty() ? "" : fmt::format(" (did you mean '{}'?)", nearest).c_str());
    ok = false;
  }
  return ok;
}

std::unique_ptr<SqliteStore> OpenState(const std::string& path, const Clock* clock, bool create) {
  std::string error;
  std::unique_ptr<SqliteStore> store =
      create ? SqliteStore::Open(path, clock, &error) : SqliteStore::OpenExisting(path, clock, &error);
  if (!store) std::fprintf(stderr, "orchestra: %s\n", error.c_str());
  return store;
}

/// Takes the state lock or explains who has it (exit 3).
bool LockState(const std::string& state_path, StateLock* lock) {
  long holder = 0;
  std::string error;
  if (lock->Acquire(state_path, &holder, &error)) return true;
  if (!error.empty()) {
    std::fprintf(stderr, "orchestra: cannot lock %s: %s\n", state_path.c_str(), error.c_str());
  } else {
    std::fprintf(stderr,
                 "orchestra: another orchestrator (pid %ld) is using %s; wait for it to end, "
                 "or stop it with `orchestra pause` or `kill %ld`\n",
                 holder, state_path.c_str(), holder);
  }
  return false;
}

std::string Hours(double hours) { return fmt::format("{:.1f}h", hours); }

/// `--budget` ("200ms", "1s", or seconds) into the config; false after saying why.
bool ParseBudget(const std::string& text, Config* config) {
  double seconds = 0;
  if (!ParseDuration(text, &seconds) || !(seconds >= 0)) {
    std::fprintf(stderr, "orchestra: --budget %s is not a duration (e.g. 200ms, 2s)\n", text.c_str());
    return false;
  }
  config->planner_budget_seconds = seconds;
  return true;
}

int CommandValidate(const GlobalOptions& options) {
  Project project;
  if (!LoadValidProject(options, &project, AgentsCheck::kWarn)) return kExitUsage;
  std::printf("%zu workstreams, %zu agents: valid\n", project.workstreams.size(),
              project.config.agents.size());
  return kExitOk;
}

/// Real durations of every succeeded attempt recorded in the project's state
/// (none when there is no state yet).
/// `*from_running_run` counts those of a run still in progress (started at or
/// after its start, while another orchestrator holds the state).
std::vector<ObservedDuration> LoadObservedDurations(const Project& project, int* from_running_run) {
  *from_running_run = 0;
  const std::string state_path = project.StatePath();
  if (!fs::exists(state_path)) return {};
  SystemClock clock;
  std::string error;
  std::unique_ptr<SqliteStore> store = SqliteStore::OpenExisting(state_path, &clock, &error);
  std::vector<AttemptRecord> attempts;
  if (!store || !store->LoadAttempts("", &attempts, &error)) return {};
  RunRecord run;
  bool found = false;
  const bool running = StateLock::Holder(state_path) != 0 && store->LatestRun(&run, &found, &error) && found &&
                       run.state == RunState::kRunning;
  for (const AttemptRecord& attempt : attempts) {
    if (running && attempt.outcome == AttemptOutcome::kSucceeded && attempt.started_at >= run.started_at) {
      ++*from_running_run;
    }
  }
  return SucceededDurations(attempts);
}

std::string Percent(double value) { return fmt::format("{:.1f}%", value); }

/// How far `hours` is above `bound`, in percent of the bound.
double GapPercent(double hours, double bound) { return bound > 0 ? 100.0 * (hours - bound) / bound : 0; }

void PrintPlanText(const Project& project, const Plan& plan, int observed_this_run) {
  const Graph& graph = *project.graph;
  std::printf("Plan: %zu workstreams, %zu agents, %zu waves\n\n", project.workstreams.size(),
              project.config.agents.size(), plan.waves.size());
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
      std::printf("    %7.1f - %7.1f  %s\n", slot.start_hours, slot.end_hours, graph.id(slot.workstream).c_str());
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
    const size_t shown = std::min<size_t>(largest.size(), 5);
    for (size_t i = 0; i < shown; ++i) {
      std::printf("%s %s %s->%s", i ? "," : "", graph.id(largest[i]).c_str(), Hours(written(largest[i])).c_str(),
                  Hours(plan.estimates[largest[i]]).c_str());
    }
    if (largest.size() > shown) std::printf(" and %zu more", largest.size() - shown);
    std::printf("\n");
  }
  if (!plan.default_estimates.empty()) {
    std::printf("%zu workstream(s) have no estimate and use the default of %s:",
                plan.default_estimates.size(), Hours(project.config.estimate_hours).c_str());
    for (int node : plan.default_estimates) std::printf(" %s", graph.id(node).c_str());
    std::printf("\n");
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
    for (const PlannedSlot& slot : plan.timelines[agent]) {
      timeline.push_back({{"workstream", graph.id(slot.workstream)},
                          {"start_hours", slot.start_hours},
                          {"end_hours", slot.end_hours}});
    }
    const AgentConfig& config = project.config.agents[agent];
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

/// Exit-2 check of a chart file name, before any work is done.
bool CheckGanttPath(const std::string& path) {
  GanttFormat format;
  if (path.empty() || GanttFormatFromPath(path, &format)) return true;
  std::fprintf(stderr, "orchestra: --gantt %s: name the chart file .svg or .html\n", path.c_str());
  return false;
}

/// Writes a chart file and says where; false (after the message) on failure.
bool WriteChart(const std::string& path, const std::vector<GanttChart>& charts, const std::string& title) {
  std::string error;
  if (!WriteGanttFile(path, charts, title, &error)) {
    std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return false;
  }
  std::fprintf(stderr, "Gantt chart: %s\n", DisplayPath(path).c_str());
  return true;
}

/// The plan of every workstream next to what the state records, on one page.
std::vector<GanttChart> PlanAndRunCharts(const Project& project, const StateSnapshot& snapshot) {
  // The chart needs the configured agents' schedule only, not the scaling table.
  PlanOptions options;
  options.budget_seconds = project.config.planner_budget_seconds;
  options.scaling = false;
  const Plan plan = MakePlan(project, {}, options);
  return {GanttFromPlan(project, plan), GanttFromAttempts(snapshot, project, plan.critical_path)};
}

int CommandPlan(const GlobalOptions& options, const std::vector<std::string>& target_ids,
                const std::string& budget, const std::string& gantt_path) {
  if (!CheckGanttPath(gantt_path)) return kExitUsage;
  Project project;
  if (!LoadValidProject(options, &project, AgentsCheck::kWarn)) return kExitUsage;
  if (!budget.empty() && !ParseBudget(budget, &project.config)) return kExitUsage;
  std::vector<int> targets;
  if (!ResolveTargets(project, target_ids, &targets)) return kExitUsage;
  PlanOptions plan_options;
  plan_options.budget_seconds = project.config.planner_budget_seconds;
  int from_running_run = 0;
  const std::vector<ObservedDuration> observed = LoadObservedDurations(project, &from_running_run);
  const CorrectedEstimates corrected = CorrectEstimates(*project.graph, MakeSchedulingInputs(project).estimates, observed);
  plan_options.corrected = &corrected;
  const Plan plan = MakePlan(project, targets, plan_options);
  if (options.json) {
    nlohmann::json json = PlanJson(project, plan);
    json["observed_attempts_this_run"] = from_running_run;
    std::printf("%s\n", json.dump(2).c_str());
  } else {
    PrintPlanText(project, plan, from_running_run);
  }
  if (!gantt_path.empty() && !WriteChart(gantt_path, {GanttFromPlan(project, plan)}, "Orchestra plan")) {
    return kExitIncomplete;
  }
  return kExitOk;
}

/// The end of a run with worktree isolation: where the work is and how to get it.
void PrintMergeSummary(const Config& config, int merged) {
  SystemGit git;
  std::string branch = git.Run(config.project_dir, {"symbolic-ref", "--short", "-q", "HEAD"}).Line();
  if (branch.empty()) branch = "your checkout";
  std::printf("%d workstream(s) merged into %s; `orchestra land` brings them into %s\n", merged,
              config.integration_branch.c_str(), branch.c_str());
}

int CommandRun(const GlobalOptions& options, const std::vector<std::string>& target_ids,
               const std::string& budget) {
  Project project;
  if (!LoadValidProject(options, &project, AgentsCheck::kRequire)) return kExitUsage;
  if (!budget.empty() && !ParseBudget(budget, &project.config)) return kExitUsage;
  std::vector<int> targets;
  if (!ResolveTargets(project, target_ids, &targets)) return kExitUsage;
  const std::string state_path = project.StatePath();
  StateLock lock;
  if (!LockState(state_path, &lock)) return kExitLocked;
  SystemClock clock;
  std::unique_ptr<SqliteStore> store = OpenState(state_path, &clock, true);
  if (!store) return kExitIncomplete;

  const double started = clock.Now();
  uv_loop_t loop;
  uv_loop_init(&loop);
  int exit_code;
  {
    UvProcessRunner runner(&loop);
    Display display(stdout, IsTerminal(stdout), UseColor(stdout), &clock,
                    (fs::path(project.LogsDir()) / "orchestrator.log").string());
    Executor executor(project, store.get(), &runner, &loop, &clock, &display);
    std::string error;
    const RunEnd end = executor.Run(targets, &error);
    display.Finish();
    exit_code = ExitCodeFor(end);
    if (end == RunEnd::kError) std::fprintf(stderr, "orchestra: stopped: %s\n", error.c_str());

    StateSnapshot snapshot;
    if (LoadSnapshot(store.get(), clock.Now(), 0, &snapshot, &error)) {
      std::printf("\n%s", RenderStatusTable(snapshot, UseColor(stdout)).c_str());
      store->LoadLog("", 0, &snapshot.log, &error);
      const std::string report = (fs::path(project.ReportsDir()) / "execution_report.md").string();
      if (WriteExecutionReport(report, snapshot, clock.Now() - started, &error)) {
        std::printf("Report: %s\n", DisplayPath(report).c_str());
      } else {
        std::fprintf(stderr, "orchestra: %s\n", error.c_str());
      }
      const std::string gantt = (fs::path(project.ReportsDir()) / "gantt.html").string();
      if (WriteGanttFile(gantt, PlanAndRunCharts(project, snapshot), "Orchestra: plan and run", &error)) {
        std::printf("Gantt chart: %s\n", DisplayPath(gantt).c_str());
      } else {
        std::fprintf(stderr, "orchestra: %s\n", error.c_str());
      }
    }
    const char* ending = "";
    switch (end) {
      case RunEnd::kCompleted: ending = "all selected workstreams completed"; break;
      case RunEnd::kIncomplete: ending = "some workstreams failed or are blocked (see `orchestra status`; `orchestra retry --failed` to try again)"; break;
      case RunEnd::kPaused: ending = "paused; `orchestra run` resumes"; break;
      case RunEnd::kInterrupted: ending = "interrupted; `orchestra run` resumes"; break;
      case RunEnd::kError: ending = "stopped on a state error; `orchestra run` resumes from what was recorded"; break;
    }
    std::printf("Wall time %s: %s\n", FormatDuration(clock.Now() - started).c_str(), ending);
    if (project.config.UsesWorktrees()) PrintMergeSummary(project.config, executor.merged_count());
  }
  uv_loop_close(&loop);
  return exit_code;
}

/// Seconds from the latest run's start to its end (or to `now` while it runs).
double RunWallSeconds(const StateSnapshot& snapshot) {
  double started = 0;
  double ended = snapshot.now;
  if (!snapshot.has_run || !ParseTimestamp(snapshot.run.started_at, &started)) return 0;
  if (!snapshot.run.ended_at.empty()) ParseTimestamp(snapshot.run.ended_at, &ended);
  return std::max(0.0, ended - started);
}

int CommandReport(const GlobalOptions& options, const std::string& gantt_path) {
  if (!CheckGanttPath(gantt_path)) return kExitUsage;
  Project project;
  if (!LoadValidProject(options, &project)) return kExitUsage;
  SystemClock clock;
  std::unique_ptr<SqliteStore> store = OpenState(project.StatePath(), &clock, false);
  if (!store) return kExitUsage;
  StateSnapshot snapshot;
  std::string error;
  if (!LoadSnapshot(store.get(), clock.Now(), 0, &snapshot, &error) || !store->LoadLog("", 0, &snapshot.log, &error)) {
    std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitIncomplete;
  }
  const std::string report = (fs::path(project.ReportsDir()) / "execution_report.md").string();
  if (!WriteExecutionReport(report, snapshot, RunWallSeconds(snapshot), &error)) {
    std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitIncomplete;
  }
  std::printf("Report: %s\n", DisplayPath(report).c_str());
  if (!gantt_path.empty() && !WriteChart(gantt_path, PlanAndRunCharts(project, snapshot), "Orchestra: plan and run")) {
    return kExitIncomplete;
  }
  return kExitOk;
}

/// `graph --format`: the named one, else from the output's extension, else dot.
std::string GraphFormat(const std::string& format, const std::string& output_path) {
  if (!format.empty()) return format;
  const std::string extension = fs::path(output_path).extension().string();
  if (extension == ".svg") return "svg";
  if (extension == ".mmd" || extension == ".mermaid") return "mermaid";
  return "dot";
}

int CommandGraph(const GlobalOptions& options, const std::string& format_option, const std::string& output_path) {
  const std::string format = GraphFormat(format_option, output_path);
  Project project;
  if (!LoadValidProject(options, &project)) return kExitUsage;
  GraphPicture picture;
  picture.statuses.assign(project.workstreams.size(), WorkstreamStatus::kPending);
  std::string error;
  if (fs::exists(project.StatePath())) {
    SystemClock clock;
    std::unique_ptr<SqliteStore> store = OpenState(project.StatePath(), &clock, false);
    std::vector<WorkstreamRecord> records;
    if (!store || !store->LoadWorkstreams(&records, &error)) {
      if (!error.empty()) std::fprintf(stderr, "orchestra: %s\n", error.c_str());
      return kExitIncomplete;
    }
    for (const WorkstreamRecord& record : records) {
      const int node = project.graph->IndexOf(record.workstream_id);
      if (node >= 0) picture.statuses[node] = record.status;
    }
  }
  picture.critical_path = MakePlan(project, {}).critical_path;
  std::string text = format == "mermaid" ? MermaidText(project, picture) : DotText(project, picture);
  if (format == "svg" && !RunDot(text, "svg", &text, &error)) {
    std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitIncomplete;
  }
  if (output_path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  std::ofstream out(output_path, std::ios::trunc | std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "orchestra: cannot write %s\n", output_path.c_str());
    return kExitIncomplete;
  }
  std::fprintf(stderr, "Graph: %s\n", DisplayPath(output_path).c_str());
  return kExitOk;
}

int CommandStatus(const GlobalOptions& options) {
  Config config;
  if (!LoadConfigOnly(options, &config)) return kExitUsage;
  SystemClock clock;
  const std::string state_path = config.ProjectPath(config.state_path);
  std::unique_ptr<SqliteStore> store = OpenState(state_path, &clock, false);
  if (!store) return kExitUsage;
  StateSnapshot snapshot;
  std::string error;
  if (!LoadSnapshot(store.get(), clock.Now(), 0, &snapshot, &error)) {
    std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitIncomplete;
  }
  // A run row still "running" whose orchestrator is gone crashed.
  if (snapshot.has_run && snapshot.run.state == RunState::kRunning && StateLock::Holder(state_path) == 0) {
    snapshot.run.state = RunState::kCrashed;
  }
  if (options.json) {
    std::printf("%s\n", StatusJson(snapshot).dump(2).c_str());
  } else {
    std::printf("%s", RenderStatusTable(snapshot, UseColor(stdout)).c_str());
  }
  return kExitOk;
}

int CommandLogs(const GlobalOptions& options, const std::string& id, int attempt_number, bool follow) {
  Config config;
  if (!LoadConfigOnly(options, &config)) return kExitUsage;
  SystemClock clock;
  std::unique_ptr<SqliteStore> store = OpenState(config.ProjectPath(config.state_path), &clock, false);
  if (!store) return kExitUsage;
  std::vector<AttemptRecord> attempts;
  std::string error;
  if (!store->LoadAttempts(id, &attempts, &error)) {
    std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitIncomplete;
  }
  if (attempts.empty()) {
    std::fprintf(stderr, "orchestra: no attempts recorded for '%s' (check the id with `orchestra status`)\n",
                 id.c_str());
    return kExitUsage;
  }
  const AttemptRecord* chosen = &attempts.back();
  if (attempt_number > 0) {
    chosen = nullptr;
    for (const AttemptRecord& attempt : attempts) {
      if (attempt.attempt == attempt_number) chosen = &attempt;
    }
    if (!chosen) {
      std::fprintf(stderr, "orchestra: '%s' has no attempt %d\n", id.c_str(), attempt_number);
      return kExitUsage;
    }
  }
  std::ifstream in(chosen->log_path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "orchestra: cannot read %s\n", chosen->log_path.c_str());
    return kExitIncomplete;
  }
  const int64_t attempt_id = chosen->id;
  char buffer[8192];
  int quiet_checks = 0;
  while (true) {
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      std::fwrite(buffer, 1, static_cast<size_t>(in.gcount()), stdout);
    }
    std::fflush(stdout);
    if (!follow) break;
    in.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (++quiet_checks % 5 != 0) continue;
    // Stop following once the attempt has ended and its output is drained.
    std::vector<AttemptRecord> latest;
    if (!store->LoadAttempts(id, &latest, &error)) break;
    bool still_running = false;
    for (const AttemptRecord& attempt : latest) {
      if (attempt.id == attempt_id && attempt.outcome == AttemptOutcome::kRunning) still_running = true;
    }
    if (!still_running) {
      while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        std::fwrite(buffer, 1, static_cast<size_t>(in.gcount()), stdout);
      }
      break;
    }
  }
  return kExitOk;
}

int CommandRetry(const GlobalOptions& options, const std::vector<std::string>& ids, bool all_failed) {
  Project project;
  if (!LoadValidProject(options, &project)) return kExitUsage;
  if (ids.empty() && !all_failed) {
    std::fprintf(stderr, "orchestra: name the workstreams to retry, or pass --failed\n");
    return kExitUsage;
  }
  std::vector<int> nodes;
  if (!ResolveTargets(project, ids, &nodes)) return kExitUsage;
  const std::string state_path = project.StatePath();
  StateLock lock;
  if (!LockState(state_path, &lock)) return kExitLocked;
  SystemClock clock;
  std::unique_ptr<SqliteStore> store = OpenState(state_path, &clock, false);
  if (!store) return kExitUsage;
  std::vector<WorkstreamRecord> records;
  std::string error;
  if (!store->LoadWorkstreams(&records, &error)) {
    std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitIncomplete;
  }
  std::map<std::string, WorkstreamStatus> status;
  for (const WorkstreamRecord& record : records) status[record.workstream_id] = record.status;
  if (all_failed) {
    for (const WorkstreamRecord& record : records) {
      const int node = project.graph->IndexOf(record.workstream_id);
      if (record.status == WorkstreamStatus::kFailed && node >= 0) nodes.push_back(node);
    }
  }
  // The named workstreams, plus whatever they blocked.
  std::vector<std::string> reset;
  std::vector<bool> seen(project.graph->size(), false);
  for (int node : nodes) {
    const std::string& id = project.graph->id(node);
    if (status[id] == WorkstreamStatus::kRunning) {
      std::fprintf(stderr, "orchestra: '%s' is running; it cannot be retried now\n", id.c_str());
      return kExitUsage;
    }
    std::vector<int> affected{node};
    for (int dependent : project.graph->TransitiveDependents(node)) {
      if (status[project.graph->id(dependent)] == WorkstreamStatus::kBlocked) affected.push_back(dependent);
    }
    for (int member : affected) {
      if (seen[member]) continue;
      seen[member] = true;
      reset.push_back(project.graph->id(member));
    }
  }
  if (reset.empty()) {
    std::printf("nothing to retry\n");
    return kExitOk;
  }
  if (!store->ResetToPending(reset, "retry_requested", "reset to pending by `orchestra retry`", &error)) {
    std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitIncomplete;
  }
  std::printf("%zu workstream(s) back to pending:", reset.size());
  for (const std::string& id : reset) std::printf(" %s", id.c_str());
  std::printf("\nrun `orchestra run` to continue\n");
  return kExitOk;
}

int CommandReset(const GlobalOptions& options, bool yes) {
  Config config;
  if (!LoadConfigOnly(options, &config)) return kExitUsage;
  const std::string state_path = config.ProjectPath(config.state_path);
  if (!fs::exists(state_path)) {
    std::printf("no state at %s: nothing to reset\n", state_path.c_str());
    return kExitOk;
  }
  if (!yes) {
    if (!isatty(fileno(stdin))) {
      std::fprintf(stderr, "orchestra: reset deletes all recorded progress; pass --yes to confirm\n");
      return kExitUsage;
    }
    std::printf("Delete all recorded progress in %s? [y/N] ", state_path.c_str());
    std::fflush(stdout);
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      std::printf("nothing changed\n");
      return kExitOk;
    }
  }
  StateLock lock;
  if (!LockState(state_path, &lock)) return kExitLocked;
  SystemClock clock;
  std::unique_ptr<SqliteStore> store = OpenState(state_path, &clock, false);
  std::string error;
  if (!store || !store->ResetAll(&error)) {
    if (!error.empty()) std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitIncomplete;
  }
  std::printf("state reset: every workstream will run again\n");
  return kExitOk;
}

int CommandPause(const GlobalOptions& options) {
  Config config;
  if (!LoadConfigOnly(options, &config)) return kExitUsage;
  const std::string state_path = config.ProjectPath(config.state_path);
  const long holder = StateLock::Holder(state_path);
  if (holder == 0) {
    std::fprintf(stderr, "orchestra: no run in progress on %s\n", state_path.c_str());
    return kExitIncomplete;
  }
  SystemClock clock;
  std::unique_ptr<SqliteStore> store = OpenState(state_path, &clock, false);
  std::string error;
  if (!store || !store->RequestPause(&error)) {
    if (!error.empty()) std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitIncomplete;
  }
  // The flag is durable; the signal only wakes the orchestrator to read it.
  kill(static_cast<pid_t>(holder), SIGUSR1);
  std::printf("pause requested: orchestrator %ld starts nothing new and exits when its running agents finish\n",
              holder);
  return kExitOk;
}

}  // namespace

int RunCommandLine(int argc, char** argv) {
  CLI::App app{"orchestra: run a dependency graph of workstreams on a pool of AI coding agents"};
  app.fallthrough();  // global options may follow the command: `orchestra status --json`
  GlobalOptions options;
  std::string directory;
  app.add_option("-C", directory, "Run as if started in DIR")->type_name("DIR");
  app.add_option("--workstreams", options.project.workstreams_dir, "Workstreams folder")->type_name("DIR");
  app.add_option("--config", options.project.config_file, "Config file (default: orchestra.toml)")->type_name("FILE");
  app.add_option("--state", options.project.state_path, "State database")->type_name("FILE");
  app.add_option("--agents", options.project.agents, "Use N untracked agents of the default type")
      ->type_name("N")->check(CLI::PositiveNumber);
  app.add_flag("--json", options.json, "JSON output where output is tabular");

  std::vector<std::string> targets;
  CLI::App* validate = app.add_subcommand("validate", "Check workstreams and config; exit 2 on errors");
  CLI::App* plan = app.add_subcommand("plan", "Show waves, critical path and agent order without running");
  plan->add_option("ids", targets, "Only these workstreams and their dependencies");
  std::string gantt_path;
  plan->add_option("--gantt", gantt_path, "Also write the plan as a Gantt chart (.svg or .html)")->type_name("FILE");
  std::string budget;
  plan->add_option("--budget", budget, "Time to search for a better order (default [planner] budget, 200ms)")
      ->type_name("TIME");
  CLI::App* run = app.add_subcommand("run", "Run (or resume) the plan");
  run->add_option("ids", targets, "Only these workstreams and their dependencies");
  bool dry_run = false;
  run->add_flag("--dry-run", dry_run, "Same as `plan`");
  run->add_option("--budget", budget, "Time to search for a better order before starting")->type_name("TIME");
  CLI::App* status = app.add_subcommand("status", "Show each workstream's state");
  CLI::App* logs = app.add_subcommand("logs", "Print a workstream's latest attempt log");
  std::string log_id;
  int log_attempt = 0;
  bool follow = false;
  logs->add_option("id", log_id, "Workstream id")->required();
  logs->add_option("--attempt", log_attempt, "Attempt number (default: latest)");
  logs->add_flag("-f,--follow", follow, "Keep printing while the attempt runs");
  CLI::App* retry = app.add_subcommand("retry", "Put failed workstreams (and what they blocked) back to pending");
  bool all_failed = false;
  retry->add_option("ids", targets, "Workstreams to retry");
  retry->add_flag("--failed", all_failed, "Retry every failed workstream");
  CLI::App* reset = app.add_subcommand("reset", "Forget all progress");
  bool yes = false;
  reset->add_flag("-y,--yes", yes, "Do not ask");
  CLI::App* pause = app.add_subcommand("pause", "Ask the running orchestrator to start nothing new and exit");
  CLI::App* report = app.add_subcommand("report", "Write reports/execution_report.md from the state");
  report->add_option("--gantt", gantt_path, "Also write the run beside the plan as a Gantt chart (.svg or .html)")
      ->type_name("FILE");
  CLI::App* graph = app.add_subcommand("graph", "Print the dependency graph (DOT, Mermaid or SVG)");
  std::string graph_format;
  std::string graph_output;
  graph->add_option("--format", graph_format, "dot, mermaid or svg (default: from --output's extension, else dot)")
      ->check(CLI::IsMember({"dot", "mermaid", "svg"}));
  graph->add_option("-o,--output", graph_output, "Write to FILE instead of stdout")->type_name("FILE");
  CLI::App* land = app.add_subcommand("land", "Bring the integration branch into your current branch");
  CLI::App* clean = app.add_subcommand("clean", "Remove kept worktrees and merged orchestra/<id> branches");
  CLI::App* diff = app.add_subcommand("diff", "Show what a workstream changed");
  std::string diff_id;
  bool diff_stat = false;
  diff->add_option("id", diff_id, "Workstream id")->required();
  diff->add_flag("--stat", diff_stat, "Only the changed files and line counts");
  CLI::App* sim = app.add_subcommand("sim-agent", "");  // hidden: the simulated agent process
  sim->group("");
  std::string sim_id;
  double sim_seconds = 0;
  int sim_exit_code = 0;
  sim->add_option("--id", sim_id);
  sim->add_option("--seconds", sim_seconds);
  sim->add_option("--exit-code", sim_exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (app.get_subcommands().empty()) {
    std::fprintf(stderr,
                 "orchestra: name a command: validate, plan, run, status, logs, pause, retry, reset, "
                 "report, graph, land, clean or diff "
                 "(see --help)\n");
    return kExitUsage;
  }
  if (sim->parsed()) return RunSimAgent(sim_id, sim_seconds, sim_exit_code);
  if (!directory.empty()) {
    // Paths given on the command line are relative to where the user is.
    for (std::string* path : {&options.project.workstreams_dir, &options.project.config_file,
                              &options.project.state_path, &gantt_path, &graph_output}) {
      if (!path->empty()) *path = fs::absolute(*path).string();
    }
    std::error_code error;
    fs::current_path(directory, error);
    if (error) {
      std::fprintf(stderr, "orchestra: -C %s: %s\n", directory.c_str(), error.message().c_str());
      return kExitUsage;
    }
  }
  if (validate->parsed()) return CommandValidate(options);
  if (plan->parsed() || (run->parsed() && dry_run)) return CommandPlan(options, targets, budget, gantt_path);
  if (run->parsed()) return CommandRun(options, targets, budget);
  if (status->parsed()) return CommandStatus(options);
  if (logs->parsed()) return CommandLogs(options, log_id, log_attempt, follow);
  if (retry->parsed()) return CommandRetry(options, targets, all_failed);
  if (reset->parsed()) return CommandReset(options, yes);
  if (pause->parsed()) return CommandPause(options);
  if (report->parsed()) return CommandReport(options, gantt_path);
  if (graph->parsed()) return CommandGraph(options, graph_format, graph_output);
  if (land->parsed() || clean->parsed() || diff->parsed()) {
    Config config;
    if (!LoadConfigOnly(options, &config)) return kExitUsage;
    if (land->parsed()) return LandIntegrationBranch(config);
    if (clean->parsed()) return CleanWorktrees(config);
    return ShowWorkstreamDiff(config, diff_id, diff_stat);
  }
  return kExitUsage;
}

}  // namespace orchestra
