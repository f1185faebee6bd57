#include "run_commands.h"

#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "display.h"
#include "cgroup.h"
#include "executor.h"
#include "git.h"
#include "git_commands.h"
#include "output_files.h"
#include "plan_commands.h"
#include "serve_command.h"
#include "sqlite_store.h"
#include "state_store_factory.h"
#include "state_url.h"
#include "work_coordinator.h"
#include "worker_commands.h"
#include "workstreams_watch.h"
#include "worktree.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

// How long one state write may block the event loop waiting for a lock.
constexpr double kRunBusyTimeoutSeconds = 0.1;

/// The end of a run with worktree isolation: where the work is and how to get it.
void PrintMergeSummary(const Config& config, int merged) {
  SystemGit git;
  std::string branch = git.Run(config.project_dir, {"symbolic-ref", "--short", "-q", "HEAD"}).Line();
  if (branch.empty()) branch = "your checkout";
  std::printf("%d workstream(s) merged into %s; `orchestra land` brings them into %s\n", merged,
              config.integration_branch.c_str(), branch.c_str());
}

/// True when the state records every selected workstream (the named ones and
/// their dependencies, or all) as completed: a run would have nothing to do.
bool EverySelectedCompleted(const Session& session) {
  const Graph& graph = *session.project.graph;
  std::string error;
  int64_t completed_rows = 0;
  // A resumed run, the usual case, has fewer completed rows than workstreams:
  // counted, not read (reading every row was 35 ms of a 10,000 resume).
  if (session.targets.empty() &&
      (!session.store->CountCompleted(&completed_rows, &error) || completed_rows < graph.size())) {
    return false;
  }
  std::vector<WorkstreamRecord> records;
  if (!session.store->LoadWorkstreams(&records, &error)) return false;
  std::vector<bool> completed(graph.size(), false);
  for (const WorkstreamRecord& record : records) {
    const int node = graph.IndexOf(record.workstream_id);
    if (node >= 0) completed[node] = record.status == WorkstreamStatus::kCompleted;
  }
  if (session.targets.empty()) return std::find(completed.begin(), completed.end(), false) == completed.end();
  for (int node : graph.WithDependencies(session.targets)) {
    if (!completed[node]) return false;
  }
  return true;
}

/// "nothing to run", and with worktree isolation whether the integration
/// branch holds work the user's branch has not taken yet.
void PrintNothingToRun(const Session& session) {
  std::printf("nothing to run: every %sworkstream is completed\n", session.targets.empty() ? "" : "selected ");
  const Config& config = session.project.config;
  if (!config.UsesWorktrees()) return;
  SystemGit git;
  const GitResult ahead = git.Run(config.project_dir, {"rev-list", "--count", "HEAD.." + config.integration_branch});
  if (!ahead.ok() || ahead.Line() == "0") return;
  std::string branch = git.Run(config.project_dir, {"symbolic-ref", "--short", "-q", "HEAD"}).Line();
  if (branch.empty()) branch = "your checkout";
  std::printf("%s has %s commit(s) not yet in %s: `orchestra land` brings them in\n",
              config.integration_branch.c_str(), ahead.Line().c_str(), branch.c_str());
}

/// What the last line of a run says about how it ended.
const char* Ending(RunEnd end) {
  switch (end) {
    case RunEnd::kCompleted: return "all selected workstreams completed";
    case RunEnd::kIncomplete: return "some workstreams failed or are blocked (see `orchestra status`; `orchestra retry --failed` to try again)";
    case RunEnd::kPaused: return "paused; `orchestra run` resumes";
    case RunEnd::kInterrupted: return "interrupted; `orchestra run` resumes";
    case RunEnd::kError: return "stopped on a state error; `orchestra run` resumes from what was recorded";
    case RunEnd::kBudgetSpent: return "stopped: budget_usd is spent (see `orchestra status`); raise it in orchestra.toml and `orchestra run` goes on";
  }
  return "";
}

/// After a run: the status table, the report and the plan-and-run chart.
void SummarizeRun(const Project& project, Session* session, double wall_seconds) {
  StateSnapshot snapshot;
  std::string error;
  if (!LoadSnapshot(session->store.get(), session->clock.Now(), 0, &snapshot, &error)) return;
  snapshot.budget_usd = project.config.budget_usd;
  std::printf("\n%s", RenderStatusTable(snapshot, UseColor(stdout)).c_str());
  session->store->LoadLog("", 0, &snapshot.log, &error);
  WriteReport(project, snapshot, wall_seconds);
  WriteChart((fs::path(project.ReportsDir()) / "gantt.html").string(), PlanAndRunCharts(project, snapshot),
             "Orchestra: plan and run", stdout);
}

/// The named workstreams (or with `all_failed` every failed one) and the
/// blocked workstreams behind them; false when one of them is running.
bool WorkstreamsToRetry(const Session& session, bool all_failed, const std::vector<WorkstreamRecord>& records,
                        std::vector<std::string>* reset) {
  const Graph& graph = *session.project.graph;
  std::map<std::string, WorkstreamStatus> status;
  for (const WorkstreamRecord& record : records) status[record.workstream_id] = record.status;
  std::vector<int> nodes = session.targets;
  if (all_failed) {
    for (const WorkstreamRecord& record : records) {
      const int node = graph.IndexOf(record.workstream_id);
      if (record.status == WorkstreamStatus::kFailed && node >= 0) nodes.push_back(node);
    }
  }
  std::vector<bool> seen(graph.size(), false);
  for (int node : nodes) {
    if (status[graph.id(node)] == WorkstreamStatus::kRunning) {
      PrintError("'" + graph.id(node) + "' is running; it cannot be retried now");
      return false;
    }
    std::vector<int> affected{node};
    for (int dependent : graph.TransitiveDependents(node)) {
      if (status[graph.id(dependent)] == WorkstreamStatus::kBlocked) affected.push_back(dependent);
    }
    for (int member : affected) {
      if (seen[member]) continue;
      seen[member] = true;
      reset->push_back(graph.id(member));
    }
  }
  return true;
}

/// Asks `question` on the terminal; true on yes.
bool UserConfirms(const std::string& question) {
  std::printf("%s [y/N] ", question.c_str());
  std::fflush(stdout);
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  std::printf("nothing changed\n");
  return false;
}

/// What `reset` does with the integration branch, from its flags; false
/// (after saying why, exit 2) when a worktree project gives no choice or a
/// project without isolation gives one.
bool CheckResetChoice(const CommandArgs& args, const Config& config, Worktrees* worktrees) {
  const bool chose = args.from_branch || args.keep_merged;
  if (!config.UsesWorktrees()) {
    if (chose) PrintError("--from-branch and --keep-merged are for worktree isolation (isolation is \"none\" here)");
    return !chose;
  }
  if (chose || worktrees->IntegrationHead().empty()) return true;
  PrintError("reset must say what happens to " + config.integration_branch +
             ", which holds the work merged so far (a plain reset would run it all again on top of itself): "
             "--from-branch starts over from your current branch (moves " + config.integration_branch +
             " back to it, removes Orchestra's worktrees and orchestra/<id> branches, every workstream runs "
             "again); --keep-merged keeps the merged work (workstreams merged into " + config.integration_branch +
             " stay completed; the others run again in fresh worktrees, the kept ones are removed)");
  return false;
}

/// reset --from-branch, the git side: the integration branch back to the
/// user's HEAD, then Orchestra's worktrees and workstream branches removed.
int StartOverFromBranch(const Config& config, Git* git, Worktrees* worktrees) {
  const std::string& dir = config.project_dir;
  const std::string branch = git->Run(dir, {"symbolic-ref", "--short", "-q", "HEAD"}).Line();
  if (branch == config.integration_branch || branch.starts_with(Worktrees::BranchOf(""))) {
    PrintError("you are on " + branch + ", one of Orchestra's branches; check out your own branch first "
               "(nothing was changed)");
    return kExitUsage;
  }
  const std::string head = ResolveCommit(git, dir, "HEAD");
  const std::string old_head = worktrees->IntegrationHead();
  std::string error;
  std::vector<std::string> removed, deleted;
  if (!worktrees->RemoveAll(&removed, &error) || !worktrees->DeleteWorkstreamBranches(&deleted, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  if (!old_head.empty()) {  // without one, the next run creates it from HEAD
    const std::vector<std::string> move{"update-ref", "-m", "orchestra: reset --from-branch",
                                        "refs/heads/" + config.integration_branch, head, old_head};
    const GitResult moved = git->Run(dir, move);
    if (!moved.ok()) {
      PrintError(moved.Describe(move));
      return kExitIncomplete;
    }
    std::printf("%s moved back to %s (%s); it was at %s\n", config.integration_branch.c_str(),
                branch.empty() ? "HEAD" : branch.c_str(), ShortCommit(head).c_str(), ShortCommit(old_head).c_str());
  }
  std::printf("%zu worktree(s) and %zu orchestra/<id> branch(es) removed\n", removed.size(), deleted.size());
  return kExitOk;
}

/// True when an attempt of `id` recorded a merge that the integration branch
/// (at `integration_head`) contains.
bool MergedInto(Session* session, Git* git, const std::string& id, const std::string& integration_head) {
  std::vector<AttemptRecord> attempts;
  std::string error;
  if (!session->store->LoadAttempts(id, &attempts, &error)) return false;
  for (const AttemptRecord& attempt : attempts) {
    if (!attempt.merge_commit.empty() &&
        IsAncestor(git, session->project.config.project_dir, attempt.merge_commit, integration_head)) {
      return true;
    }
  }
  return false;
}

/// reset --keep-merged: completed workstreams whose merge the integration
/// branch holds stay completed; every other one goes back to pending but those
/// a crashed run left running, which the next run's recovery completes (when
/// their merge landed) or requeues; kept worktrees are removed (their
/// workstreams start afresh).
int KeepMerged(Session* session, Git* git, Worktrees* worktrees) {
  std::vector<WorkstreamRecord> records;
  std::string error;
  if (!session->store->LoadWorkstreams(&records, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  const std::string integration_head = worktrees->IntegrationHead();
  std::vector<std::string> kept, reset;
  for (const WorkstreamRecord& record : records) {
    if (record.status == WorkstreamStatus::kCompleted &&
        MergedInto(session, git, record.workstream_id, integration_head)) {
      kept.push_back(record.workstream_id);
    } else if (record.status != WorkstreamStatus::kPending && record.status != WorkstreamStatus::kRunning) {
      reset.push_back(record.workstream_id);
    }
  }
  std::vector<std::string> removed;
  if (!session->store->ResetToPending(reset, "reset", "reset to pending by `orchestra reset --keep-merged`",
                                      &error) ||
      !worktrees->RemoveAll(&removed, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  const std::string& integration = worktrees->integration_branch();
  std::printf("%zu workstream(s) merged into %s stay completed:", kept.size(), integration.c_str());
  for (const std::string& id : kept) std::printf(" %s", id.c_str());
  std::printf("\n%zu workstream(s) back to pending:", reset.size());
  for (const std::string& id : reset) std::printf(" %s", id.c_str());
  std::printf("\n%s keeps the merged work; %zu kept worktree(s) removed\n", integration.c_str(), removed.size());
  return kExitOk;
}

}  // namespace

int CommandRun(const CommandArgs& args) {
  if (args.dry_run) return CommandPlan(args);
  Session session;
  const Needs needs{
      .agents = AgentsCheck::kRequire, .programs = AgentsCheck::kRequire, .lock = true, .state = StateAccess::kCreate};
  if (const int code = OpenCommand(args, needs, &session)) return code;
  // On a shared state the run is the planner (it submits the plan from its
  // files) and one of the workers: it claims under leases beside workers on
  // other hosts and recovers only what a dead worker of this host left.
  const bool shared = IsPostgresUrl(session.project.State());
  if (shared && !SubmitProjectPlan(session, /*only_changes=*/true)) return kExitIncomplete;
  if (EverySelectedCompleted(session)) {
    std::string error;  // a run that died after its last workstream, before it ended, is recorded as crashed
    if (!session.store->CloseCrashedRuns(&error)) PrintError(error);
    PrintNothingToRun(session);
    return kExitOk;
  }
  std::optional<WorkCoordinator> coordinator;
  if (shared) {
    WorkerOptions options;
    options.records_run = true;
    options.lease_seconds = args.lease_seconds;
    if (!JoinAsWorker(&session, &options)) return kExitIncomplete;
    coordinator.emplace(session.store.get(), options);
  }
  const Project& project = session.project;
  if (project.config.UsesWorktrees()) {
    if (const int code = SyncBeforeRun(project.config, coordinator ? session.store.get() : nullptr)) return code;
  }
  // The dashboard reads the state on its own read-only connections.
  std::unique_ptr<DashboardServer> dashboard;
  if (args.serve && !(dashboard = StartDashboard(project, args))) return kExitIncomplete;
  SystemClock& clock = session.clock;
  const double started = clock.Now();
  uv_loop_t loop;
  uv_loop_init(&loop);
  int exit_code;
  {
    // Short: a write that meets another process's lock must not stall the
    // loop; the executor holds it and retries (state_lock_timeout).
    if (auto* sqlite = dynamic_cast<SqliteStore*>(session.store.get())) sqlite->SetBusyTimeout(kRunBusyTimeoutSeconds);
    UvProcessRunner runner(&loop);
    UvTimers timers(&loop);
    SystemProcessTable processes(&loop);
    SystemGit git;
    Display display(stdout, IsTerminal(stdout), UseColor(stdout), &clock,
                    (fs::path(project.LogsDir()) / "orchestrator.log").string());
    bool cgroups = false;
    ExecutorEffects effects{session.store.get(), &runner, &processes, &git, &timers, &clock,
                            &display, &loop, getpid(), DescribeContainment(&cgroups)};
    if (coordinator) effects.coordinator = &*coordinator;
    Executor executor(project, effects);
    // A change to the workstreams folder is reported; the run keeps what it loaded.
    WorkstreamsWatch watch(&loop, project.config.ProjectPath(project.config.workstreams_dir),
                           [&](const std::string& message) {
                             executor.ReportOutsideEvent("workstreams_changed", message);
                           },
                           project.workstream_files);
    std::string error;
    if (!watch.Start(&error)) {
      display.OnEvent(LogEntry{0, FormatTimestamp(clock.Now()), "", "", "warning", error}, {});
      error.clear();
    }
    const RunEnd end = executor.Run(session.targets, &error);
    display.Finish();
    exit_code = ExitCodeFor(end);
    if (end == RunEnd::kError) PrintError("stopped: " + error);
    SummarizeRun(project, &session, clock.Now() - started);
    std::printf("Wall time %s: %s\n", FormatDuration(clock.Now() - started).c_str(), Ending(end));
    if (project.config.UsesWorktrees()) PrintMergeSummary(project.config, executor.merged_count());
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // frees the handles closed at the end (the watch's)
  uv_loop_close(&loop);
  if (dashboard) dashboard->Stop();
  return exit_code;
}

int CommandPause(const CommandArgs& args) {
  Session session;
  const Needs needs{.workstreams = false, .state = StateAccess::kExisting};
  if (const int code = LoadCommandProject(args, needs, &session)) return code;
  const std::string state = session.project.State();
  const LockHolder holder = OrchestratorLock::Holder(state);
  if (!holder.held) {
    PrintError("no run in progress on " + StateDisplayName(state));
    return kExitIncomplete;
  }
  if (const int code = OpenCommandState(needs, &session)) return code;
  std::string error;
  if (!session.store->RequestPause(&error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  // The flag is durable; the signal only wakes the orchestrator to read it
  // (one on another host reads it at its next look at the state).
  if (holder.local && holder.pid) kill(static_cast<pid_t>(holder.pid), SIGUSR1);
  const std::string who = !holder.pid   ? ""
                          : holder.local ? " " + std::to_string(holder.pid)
                                         : " " + std::to_string(holder.pid) + " on " + holder.host;
  std::printf("pause requested: orchestrator%s starts nothing new and exits when its running agents finish\n",
              who.c_str());
  return kExitOk;
}

int CommandRetry(const CommandArgs& args) {
  if (args.ids.empty() && !args.all_failed) {
    PrintError("name the workstreams to retry, or pass --failed");
    return kExitUsage;
  }
  Session session;
  if (const int code = OpenCommand(args, {.lock = true, .state = StateAccess::kExisting}, &session)) return code;
  std::vector<WorkstreamRecord> records;
  std::string error;
  if (!session.store->LoadWorkstreams(&records, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  std::vector<std::string> reset;
  if (!WorkstreamsToRetry(session, args.all_failed, records, &reset)) return kExitUsage;
  if (reset.empty()) {
    std::printf("nothing to retry\n");
    return kExitOk;
  }
  if (!session.store->ResetToPending(reset, "retry_requested", "reset to pending by `orchestra retry`", &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  std::printf("%zu workstream(s) back to pending:", reset.size());
  for (const std::string& id : reset) std::printf(" %s", id.c_str());
  std::printf("\nrun `orchestra run` to continue\n");
  return kExitOk;
}

int CommandReset(const CommandArgs& args) {
  Session session;
  const Needs needs{.workstreams = false, .lock = true, .state = StateAccess::kExisting};
  if (const int code = LoadCommandProject(args, needs, &session)) return code;
  const Config& config = session.project.config;
  SystemGit git;
  Worktrees worktrees(&git, config.project_dir, config.integration_branch);
  if (!CheckResetChoice(args, config, &worktrees)) return kExitUsage;
  const std::string state_path = StateDisplayName(session.project.State());
  if (!StateExists(session.project.State(), &session.clock)) {
    std::printf("no state at %s: nothing to reset\n", state_path.c_str());
    return kExitOk;
  }
  if (!args.yes && !isatty(fileno(stdin))) {
    PrintError(std::string("reset ") + (args.keep_merged ? "forgets the progress of unmerged workstreams" :
                                        "deletes all recorded progress") + "; pass --yes to confirm");
    return kExitUsage;
  }
  const std::string question =
      args.keep_merged ? "Forget the progress of every workstream not merged into " + config.integration_branch + "?"
      : args.from_branch ? "Delete all recorded progress in " + state_path + " and move " +
                               config.integration_branch + " back to your current branch?"
                         : "Delete all recorded progress in " + state_path + "?";
  if (!args.yes && !UserConfirms(question)) return kExitOk;
  if (const int code = OpenCommandState(needs, &session)) return code;
  if (args.keep_merged) return KeepMerged(&session, &git, &worktrees);
  if (args.from_branch) {
    if (const int code = StartOverFromBranch(config, &git, &worktrees)) return code;
  }
  std::string error;
  if (!session.store->ResetAll(&error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  std::printf("state reset: every workstream will run again\n");
  return kExitOk;
}

}  // namespace orchestra
