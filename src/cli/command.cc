#include "command.h"

#include <cstdio>

#include <fmt/format.h>

#include "agent_programs.h"
#include "display.h"
#include "git.h"
#include "project_files.h"
#include "state_store_factory.h"
#include "state_url.h"
#include "validate.h"

namespace orchestra {

namespace {

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

/// Loads the project, or only the config, and prints the diagnostics.
bool LoadAndReport(const ProjectOptions& options, const Needs& needs, Project* project) {
  Diagnostics diagnostics;
  if (!needs.workstreams) {
    const bool ok = LoadProjectConfig(options, &project->config, &diagnostics);
    PrintDiagnostics(diagnostics);
    return ok;
  }
  bool ok = needs.sources != nullptr ? LoadProjectFrom(options, *needs.sources, project, &diagnostics)
                                     : LoadProject(options, project, &diagnostics);
  if (needs.agents != AgentsCheck::kIgnore) {
    const Severity severity = needs.agents == AgentsCheck::kRequire ? Severity::kError : Severity::kWarning;
    ok = CheckAgentsConfigured(project->config, project->workstreams, severity, &diagnostics) && ok;
  }
  if (needs.programs != AgentsCheck::kIgnore) {
    const Severity severity = needs.programs == AgentsCheck::kRequire ? Severity::kError : Severity::kWarning;
    ok = CheckAgentPrograms(project->config, severity, &diagnostics) && ok;
  }
  PrintDiagnostics(diagnostics);
  if (!ok) {
    std::fprintf(stderr, "orchestra: %d error(s), %d warning(s); nothing was run\n", diagnostics.ErrorCount(),
                 diagnostics.WarningCount());
  }
  return ok;
}

/// `--budget` ("200ms", "1s", or seconds) into the config; false after saying why.
bool ParseBudget(const std::string& text, Config* config) {
  double seconds = 0;
  if (!ParseDuration(text, &seconds) || !(seconds >= 0)) {
    PrintError("--budget " + text + " is not a duration (e.g. 200ms, 2s)");
    return false;
  }
  config->planner_budget_seconds = seconds;
  return true;
}

/// Maps ids to graph nodes: an exact id, else the unique id starting with
/// `id-`; each unknown id is an error with the nearest id as a suggestion.
bool ResolveTargets(const Project& project, const std::vector<std::string>& ids, std::vector<int>* nodes) {
  std::vector<std::string> all;
  for (const Workstream& workstream : project.workstreams) all.push_back(workstream.id);
  bool ok = true;
  for (const std::string& id : ids) {
    std::string match;
    std::vector<std::string> candidates;
    if (MatchTrackName(id, all, &match, &candidates)) {
      nodes->push_back(project.graph->IndexOf(match));
      continue;
    }
    const std::string nearest = NearestId(id, all);
    PrintError("unknown workstream '" + id + "'" +
               (nearest.empty() ? "" : fmt::format(" (did you mean '{}'?)", nearest)));
    ok = false;
  }
  return ok;
}

/// Takes the state lock, or says who holds it.
int LockState(const Config& config, const std::string& state, OrchestratorLock* lock) {
  LockHolder holder;
  std::string error;
  if (lock->Acquire(state, &holder, &error)) return kExitOk;
  if (!error.empty()) {
    PrintError(error + (IsPostgresUrl(state) ? StateUrlHint(config.state_url_origin) : ""));
    return kExitLocked;
  }
  const std::string kill = holder.pid && holder.local ? fmt::format(" or `kill {}`", holder.pid) : "";
  // On a shared state this host can still join the run with its agents.
  const std::string join = IsPostgresUrl(state) ? "; to add this host's agents to its plan, run `orchestra worker`" : "";
  PrintError(fmt::format("another orchestrator{} is using {}; wait for it to end, or stop it with "
                         "`orchestra pause`{}{}",
                         DescribeHolder(holder), StateDisplayName(state), kill, join));
  return kExitLocked;
}

/// Opens the state (OpenStateStore); "nothing has run yet" is a usage error,
/// a state that cannot be opened or created an internal one.
int OpenStore(const Config& config, const std::string& state, StateAccess access, Session* session) {
  const StateOpenMode mode = access == StateAccess::kCreate ? StateOpenMode::kCreate : StateOpenMode::kExisting;
  const StateStoreOptions options{.normal_durability = config.state_durability == "process",
                                  .origin = config.state_url_origin};
  bool absent = false;
  std::string error;
  session->store = OpenStateStore(state, mode, options, &session->clock, &absent, &error);
  if (session->store || (absent && access == StateAccess::kIfPresent)) return kExitOk;
  PrintError(error);
  return absent ? kExitUsage : kExitIncomplete;
}

}  // namespace

void PrintError(const std::string& message) { std::fprintf(stderr, "orchestra: %s\n", message.c_str()); }

int LoadCommandProject(const CommandArgs& args, const Needs& needs, Session* session) {
  Project& project = session->project;
  if (!LoadAndReport(args.project, needs, &project)) return kExitUsage;
  SystemGit git;
  const std::string note = MoveEarlierLayout(&git, &project.config);
  if (!note.empty()) std::fprintf(stderr, "orchestra: %s\n", note.c_str());
  if (!args.budget.empty() && !ParseBudget(args.budget, &project.config)) return kExitUsage;
  if (needs.workstreams && !ResolveTargets(project, args.ids, &session->targets)) return kExitUsage;
  return kExitOk;
}

int OpenCommandState(const Needs& needs, Session* session) {
  const std::string state = session->project.State();
  if (needs.lock) {
    if (const int code = LockState(session->project.config, state, &session->lock)) return code;
  }
  if (needs.state == StateAccess::kNone) return kExitOk;
  SystemGit git;
  std::string error;
  if (needs.state == StateAccess::kCreate && session->project.config.UsesWorktrees() &&
      !ExcludeOwnFiles(&git, session->project.config, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  return OpenStore(session->project.config, state, needs.state, session);
}

void LeaveProjectToExit(Session* session) {
  struct Kept {
    std::vector<Workstream> workstreams;
    std::unique_ptr<Graph> graph;
  };
  static auto* kept = new std::vector<Kept>();
  kept->push_back({std::move(session->project.workstreams), std::move(session->project.graph)});
}

int OpenCommand(const CommandArgs& args, const Needs& needs, Session* session) {
  if (const int code = LoadCommandProject(args, needs, session)) return code;
  return OpenCommandState(needs, session);
}

int LoadNamedAttempts(const Session& session, std::string* id, std::vector<AttemptRecord>* attempts) {
  *id = session.project.graph->id(session.targets.front());
  std::string error;
  if (session.store->LoadAttempts(*id, attempts, &error)) return kExitOk;
  PrintError(error);
  return kExitIncomplete;
}

}  // namespace orchestra
