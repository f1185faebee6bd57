#include "worker_commands.h"

#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <filesystem>

#include "cgroup.h"
#include "display.h"
#include "executor.h"
#include "git.h"
#include "work_coordinator.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

std::string Join(const std::vector<std::string>& ids) {
  std::string text;
  for (const std::string& id : ids) text += (text.empty() ? "" : ", ") + id;
  return text;
}

/// "added: a; removed: b; edited: c", leaving out what is empty.
std::string DescribeChanges(const PlanChanges& changes) {
  std::string text;
  auto add = [&](const char* what, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    text += (text.empty() ? "" : "; ") + std::string(what) + ": " + Join(ids);
  };
  add("added", changes.added);
  add("removed", changes.removed);
  add("edited", changes.edited);
  return text;
}

bool IsPostgres(const Project& project) { return !project.config.state_url.empty(); }

/// "host:pid:start": a worker id no other process has.
std::string NewWorkerId(const SystemClock& clock) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(static_cast<int64_t>(clock.Now()));
}

}  // namespace

std::vector<PlanEntry> PlanEntriesOf(const Project& project) {
  std::vector<PlanEntry> entries;
  for (const Workstream& workstream : project.workstreams) {
    PlanEntry entry;
    entry.workstream_id = workstream.id;
    entry.track = workstream.track;
    entry.depends_on = workstream.depends_on;
    entry.definition = workstream.Raw().dump();  // nlohmann::json keeps keys sorted: canonical
    entry.content_hash = ContentHash(entry.definition);
    entry.source_file = workstream.file;
    entries.push_back(std::move(entry));
  }
  return entries;
}

int CommandSubmit(const CommandArgs& args) {
  Session session;
  const Needs needs{.state = StateAccess::kCreate};
  if (const int code = OpenCommand(args, needs, &session)) return code;
  int64_t submission_id = 0;
  PlanChanges changes;
  std::string error;
  if (!session.store->SubmitPlan(PlanEntriesOf(session.project), &submission_id, &changes, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  const size_t count = session.project.workstreams.size();
  if (changes.empty()) {
    std::printf("submission %lld: %zu workstreams, unchanged\n", static_cast<long long>(submission_id), count);
  } else {
    std::printf("submission %lld: %zu workstreams; %s\n", static_cast<long long>(submission_id), count,
                DescribeChanges(changes).c_str());
  }
  return kExitOk;
}

int CommandWorker(const CommandArgs& args) {
  Session session;
  const Needs needs{.agents = AgentsCheck::kRequire, .programs = AgentsCheck::kRequire, .state = StateAccess::kCreate};
  if (const int code = LoadCommandProject(args, needs, &session)) return code;
  const Project& project = session.project;
  if (!IsPostgres(project)) {
    PrintError("orchestra worker needs a shared state: pass --state postgresql://... (or set [state] url in "
               "orchestra.toml); with a state file, use `orchestra run`");
    return kExitUsage;
  }
  if (project.config.UsesWorktrees()) {
    PrintError("orchestra worker does not support worktree isolation yet: set isolation = \"none\" in "
               "orchestra.toml for the workers (their agents work in the project folder)");
    return kExitUsage;
  }
  if (const int code = OpenCommandState(needs, &session)) return code;
  std::vector<PlanEntry> submitted;
  int64_t submission_id = 0;
  std::string error;
  if (!session.store->LoadPlan(&submitted, &submission_id, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  if (submission_id == 0) {
    PrintError("nothing has been submitted to this state: run `orchestra submit` first");
    return kExitUsage;
  }
  const PlanChanges changes = DiffPlans(submitted, PlanEntriesOf(project));
  if (!changes.empty()) {
    // The worker schedules from its files and claims from the submission:
    // they must agree (loading the definitions from the state comes later).
    PrintError("the workstream files differ from submission " + std::to_string(submission_id) + " (" +
               DescribeChanges(changes) + "): run `orchestra submit` to update it, or check out the files it was "
               "submitted from");
    return kExitUsage;
  }
  SystemClock& clock = session.clock;
  WorkerOptions options;
  options.worker_id = NewWorkerId(clock);
  options.lease_seconds = args.lease_seconds;
  options.track = args.track;
  WorkerRecord worker;
  worker.id = options.worker_id;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  worker.host = host;
  worker.pid = getpid();
  if (!session.store->RegisterWorker(worker, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  WorkCoordinator coordinator(session.store.get(), options);
  std::printf("worker %s: lease %gs%s\n", options.worker_id.c_str(), options.lease_seconds,
              options.track.empty() ? "" : (", track " + options.track).c_str());
  std::fflush(stdout);
  uv_loop_t loop;
  uv_loop_init(&loop);
  int exit_code;
  {
    UvProcessRunner runner(&loop);
    UvTimers timers(&loop);
    SystemProcessTable processes(&loop);
    SystemGit git;
    Display display(stdout, IsTerminal(stdout), UseColor(stdout), &clock,
                    (fs::path(project.LogsDir()) / ("worker-" + std::to_string(getpid()) + ".log")).string());
    bool cgroups = false;
    ExecutorEffects effects{session.store.get(), &runner, &processes, &git, &timers, &clock,
                            &display, &loop, getpid(), DescribeContainment(&cgroups)};
    effects.coordinator = &coordinator;
    Executor executor(project, effects);
    error.clear();
    const RunEnd end = executor.Run(session.targets, &error);
    display.Finish();
    exit_code = ExitCodeFor(end);
    if (end == RunEnd::kError) PrintError("stopped: " + error);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return exit_code;
}

}  // namespace orchestra
