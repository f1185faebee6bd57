#include "worker_commands.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cgroup.h"
#include "display.h"
#include "executor.h"
#include "git.h"
#include "loader.h"
#include "postgres_store.h"
#include "process_table.h"
#include "work_coordinator.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

/// "a, b, c", or for a long list its first ten and how many more.
std::string Join(const std::vector<std::string>& ids) {
  constexpr size_t kShown = 10;
  std::string text;
  for (size_t i = 0; i < ids.size() && i < kShown; ++i) text += (text.empty() ? "" : ", ") + ids[i];
  if (ids.size() > kShown) text += " and " + std::to_string(ids.size() - kShown) + " more";
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
std::string NewWorkerId(const std::string& host, const SystemClock& clock) {
  return host + ":" + std::to_string(getpid()) + ":" + std::to_string(static_cast<int64_t>(clock.Now()));
}

}  // namespace

std::vector<PlanEntry> PlanEntriesOf(const std::vector<Workstream>& workstreams) {
  std::vector<PlanEntry> entries;
  for (const Workstream& workstream : workstreams) {
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

bool SubmitProjectPlan(const Session& session, bool only_changes) {
  int64_t previous = 0;
  int64_t submission_id = 0;
  PlanChanges changes;
  std::string error;
  if ((only_changes && !session.store->LatestSubmission(&previous, &error)) ||
      !session.store->SubmitPlan(PlanEntriesOf(session.project.workstreams), &submission_id, &changes, &error)) {
    PrintError(error);
    return false;
  }
  const size_t count = session.project.workstreams.size();
  if (only_changes) {
    if (previous != 0 && !changes.empty()) {
      std::printf("the plan changed since submission %lld (%s): submission %lld\n", static_cast<long long>(previous),
                  DescribeChanges(changes).c_str(), static_cast<long long>(submission_id));
    }
  } else if (changes.empty()) {
    std::printf("submission %lld: %zu workstreams, unchanged\n", static_cast<long long>(submission_id), count);
  } else {
    std::printf("submission %lld: %zu workstreams; %s\n", static_cast<long long>(submission_id), count,
                DescribeChanges(changes).c_str());
  }
  std::fflush(stdout);
  return true;
}

bool JoinAsWorker(Session* session, WorkerOptions* options) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  options->worker_id = NewWorkerId(host, session->clock);
  options->host = host;
  WorkerRecord worker;
  worker.id = options->worker_id;
  worker.host = host;
  worker.pid = getpid();
  worker.pid_start_time = ProcessStartTime(getpid());
  std::string error;
  if (!session->store->RegisterWorker(worker, &error)) {
    PrintError(error);
    return false;
  }
  if (auto* postgres = dynamic_cast<PostgresStore*>(session->store.get())) {
    // A worker paused or cut off loses its session, and with it the merge
    // lock, a few leases after it stops polling; never sooner than a slow
    // git fetch could keep the loop from polling.
    std::string warning;
    if (!postgres->EndIdleSessionAfter(std::max(3 * options->lease_seconds, 10.0), &warning)) {
      PrintError("warning: " + warning + "; a worker stopped while merging holds the merge lock until it resumes");
    }
  }
  return true;
}

int CommandSubmit(const CommandArgs& args) {
  Session session;
  const Needs needs{.state = StateAccess::kCreate};
  if (const int code = OpenCommand(args, needs, &session)) return code;
  return SubmitProjectPlan(session, /*only_changes=*/false) ? kExitOk : kExitIncomplete;
}

namespace {

/// A submitted plan as the files it was submitted from.
std::vector<WorkstreamSource> SourcesOf(const std::vector<PlanEntry>& entries) {
  std::vector<WorkstreamSource> sources;
  sources.reserve(entries.size());
  for (const PlanEntry& entry : entries) sources.push_back({entry.source_file, entry.definition});
  return sources;
}

/// Says so on stderr when the workstream files here differ from the
/// submission the worker runs (nothing when there is no workstreams folder:
/// a worker needs the repository, not the files).
void ReportLocalChanges(const Config& config, const std::vector<PlanEntry>& submitted, int64_t submission_id) {
  const std::string dir = config.ProjectPath(config.workstreams_dir);
  std::error_code error;
  if (!fs::is_directory(dir, error)) return;
  std::vector<Workstream> local;
  Diagnostics ignored;  // a broken file here is not this worker's plan
  LoadWorkstreams(DisplayPath(dir), &local, &ignored);
  const PlanChanges changes = DiffPlans(submitted, PlanEntriesOf(local));
  if (changes.empty()) return;
  std::fprintf(stderr,
               "orchestra: warning: the workstream files here differ from submission %lld (%s): this worker runs "
               "the submission; `orchestra submit` updates it\n",
               static_cast<long long>(submission_id), DescribeChanges(changes).c_str());
}

/// Blocks SIGINT and SIGTERM while it lives, so a worker waiting for the next
/// submission (--wait) takes them as "stop" in WaitForStop, not as death.
class StopSignalsHeld {
 public:
  StopSignalsHeld() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~StopSignalsHeld() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  StopSignalsHeld(const StopSignalsHeld&) = delete;
  StopSignalsHeld& operator=(const StopSignalsHeld&) = delete;

  /// Waits up to `seconds` for SIGINT or SIGTERM; the signal, or 0.
  int WaitForStop(double seconds) {
    timespec timeout{static_cast<time_t>(seconds), static_cast<long>((seconds - static_cast<time_t>(seconds)) * 1e9)};
    const int signal = sigtimedwait(&set_, nullptr, &timeout);
    return signal > 0 ? signal : 0;
  }

 private:
  sigset_t set_;
  sigset_t old_;
};

/// How often a waiting worker (--wait) looks for a new submission.
constexpr double kSubmissionPollSeconds = 1;

/// Runs `project`'s plan (`targets` of it) as one of the workers, with
/// signals handled by the executor; the run's exit code.
int RunAsWorker(const Project& project, const std::vector<int>& targets, StateStore* store,
                WorkCoordinator* coordinator, SystemClock* clock) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  int exit_code;
  {
    UvProcessRunner runner(&loop);
    UvTimers timers(&loop);
    SystemProcessTable processes(&loop);
    SystemGit git;
    Display display(stdout, IsTerminal(stdout), UseColor(stdout), clock,
                    (fs::path(project.LogsDir()) / ("worker-" + std::to_string(getpid()) + ".log")).string());
    bool cgroups = false;
    ExecutorEffects effects{store, &runner, &processes, &git, &timers, clock,
                            &display, &loop, getpid(), DescribeContainment(&cgroups)};
    effects.coordinator = coordinator;
    Executor executor(project, effects);
    std::string error;
    const RunEnd end = executor.Run(targets, &error);
    display.Finish();
    exit_code = ExitCodeFor(end);
    if (end == RunEnd::kError) PrintError("stopped: " + error);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return exit_code;
}

}  // namespace

int CommandWorker(const CommandArgs& args) {
  Session session;
  const Needs config_only{.workstreams = false, .state = StateAccess::kCreate};
  if (const int code = LoadCommandProject(args, config_only, &session)) return code;
  if (!IsPostgres(session.project)) {
    PrintError("orchestra worker needs a shared state: pass --state postgresql://... (or set [state] url in "
               "orchestra.toml); with a state file, use `orchestra run`");
    return kExitUsage;
  }
  if (!args.remote.empty() && args.remote.front() == '-') {
    PrintError("--remote cannot start with '-': \"" + args.remote + "\" (write a remote name, a path or a URL)");
    return kExitUsage;
  }
  if (!args.remote.empty()) session.project.config.remote = args.remote;
  if (session.project.config.UsesWorktrees() && session.project.config.remote.empty()) {
    PrintError("a worker with worktree isolation needs the git repository the workers share: set remote = \"...\" "
               "in [defaults] of orchestra.toml (a remote name such as \"origin\", a path or a URL) or pass "
               "--remote; or set isolation = \"none\"");
    return kExitUsage;
  }
  if (const int code = OpenCommandState(config_only, &session)) return code;
  SystemClock& clock = session.clock;
  WorkerOptions options;
  options.lease_seconds = args.lease_seconds;
  options.track = args.track;
  if (!JoinAsWorker(&session, &options)) return kExitIncomplete;
  std::string error;
  WorkCoordinator coordinator(session.store.get(), options);
  std::printf("worker %s: lease %gs%s\n", options.worker_id.c_str(), options.lease_seconds,
              options.track.empty() ? "" : (", track " + options.track).c_str());
  std::fflush(stdout);
  int64_t ran = 0;  // the submission last run
  for (;;) {
    std::vector<PlanEntry> submitted;
    int64_t submission_id = 0;
    {
      StopSignalsHeld held;
      for (;;) {
        // Only the submission's id is polled (a plan can be 100,000 rows);
        // the plan is read once there is a new one.
        if (!session.store->LatestSubmission(&submission_id, &error)) {
          PrintError(error);
          return kExitIncomplete;
        }
        if (submission_id != 0 && submission_id != ran) break;
        if (!args.wait) {  // only before a first run: without --wait, the run's end is the worker's
          PrintError("nothing has been submitted to this state: run `orchestra submit` first");
          return kExitUsage;
        }
        if (const int signal = held.WaitForStop(kSubmissionPollSeconds)) {
          std::printf("worker %s: stopped by %s while waiting for a submission\n", options.worker_id.c_str(),
                      signal == SIGINT ? "SIGINT" : "SIGTERM");
          return kExitOk;
        }
      }
    }
    if (!session.store->LoadPlan(&submitted, &submission_id, &error)) {
      PrintError(error);
      return kExitIncomplete;
    }
    ran = submission_id;
    // The plan is the submission's, not the files here: parsed, validated and
    // checked against this host's agents like a plan read from files.
    const std::vector<WorkstreamSource> sources = SourcesOf(submitted);
    const Needs plan{.agents = AgentsCheck::kRequire, .programs = AgentsCheck::kRequire, .sources = &sources};
    session.project = Project{};
    if (const int code = LoadCommandProject(args, plan, &session)) {
      if (!args.wait) return code;
      PrintError("submission " + std::to_string(submission_id) + " cannot run here; waiting for the next");
      continue;
    }
    if (!args.remote.empty()) session.project.config.remote = args.remote;
    ReportLocalChanges(session.project.config, submitted, submission_id);
    if (args.wait) {
      std::printf("worker %s: running submission %lld (%zu workstream%s)\n", options.worker_id.c_str(),
                  static_cast<long long>(submission_id), submitted.size(), submitted.size() == 1 ? "" : "s");
      std::fflush(stdout);
    }
    const int exit_code = RunAsWorker(session.project, session.targets, session.store.get(), &coordinator, &clock);
    if (!args.wait || exit_code == kExitInterrupted) return exit_code;
    std::printf("worker %s: submission %lld ended (exit %d); waiting for the next submission\n",
                options.worker_id.c_str(), static_cast<long long>(submission_id), exit_code);
    std::fflush(stdout);
  }
}

}  // namespace orchestra
