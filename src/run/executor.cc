#include "executor.h"

#include <fcntl.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <memory>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "agent_kind.h"
#include "attempt_files.h"
#include "crash_point.h"
#include "lock_holders.h"
#include "outside_writes.h"
#include "log_tail.h"
#include "planner.h"
#include "prompt.h"
#include "recovery.h"
#include "scope.h"
#include "secrets.h"
#include "supervisor_status.h"
#include "validate.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

// How much of a failing acceptance test's output goes into its error: the last
// lines, each cut to a length; and the most any failure message may hold (it
// goes to the state, the next prompt, the report and the terminal).
constexpr int kFailureTailLines = 20;
constexpr size_t kFailureLineBytes = 400;
constexpr size_t kFailureMessageBytes = 16 * 1024;

// Who holds the state's write lock, for the messages: the process when
// /proc/locks says (lock_holders.h), else the usual suspect.
std::string LockHolderOf(const std::string& state_path) {
  const std::string holders = DescribeSqliteLockHolders(state_path);
  return holders.empty() ? "another process (a sqlite3 shell in a transaction?)" : holders;
}

// How much of an agent's output its kind reads to judge it: the end, where
// the result is, of at most this much.
constexpr size_t kInterpretedOutputBytes = 8 * 1024 * 1024;

// A rate limit without the provider's reset time pauses its agent type for
// the backoff doubled per rate limit in a row, at most this long; a reset time
// given is honoured up to the second bound.
constexpr double kMaxRateLimitBackoffSeconds = 10 * 60;
constexpr double kMaxRateLimitWaitSeconds = 60 * 60;

void AppendToFile(const std::string& path, const std::string& text) {
  // Its folder normally exists (ReserveAttemptFiles made it): made only when missing.
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ignored;
    fs::create_directories(fs::path(path).parent_path(), ignored);
    fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  }
  if (fd < 0) return;
  for (size_t written = 0; written < text.size();) {
    const ssize_t count = write(fd, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    written += static_cast<size_t>(count);
  }
  close(fd);
}

// How much of one agent argument the log header shows: a `{prompt}` argument
// holds the whole prompt, which has a file of its own.
constexpr size_t kLoggedArgumentBytes = 120;

std::string LoggedArgument(const std::string& argument) {
  const size_t shown = std::min({argument.size(), argument.find('\n'), kLoggedArgumentBytes});
  if (shown == argument.size()) return argument;
  return fmt::format("{}…[{} bytes]", argument.substr(0, shown), argument.size());
}

/// The verdict of an attempt whose every step went well.
StepVerdict Succeeded() {
  StepVerdict verdict;
  verdict.ends = true;
  return verdict;
}

template <typename Handle>
void CloseAndDelete(Handle* handle) {
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* closed) { delete reinterpret_cast<Handle*>(closed); });
}

}  // namespace

int ExitCodeFor(RunEnd end) {
  switch (end) {
    case RunEnd::kCompleted:
    case RunEnd::kPaused:
      return 0;
    case RunEnd::kInterrupted:
      return 130;
    case RunEnd::kIncomplete:
    case RunEnd::kError:
    case RunEnd::kBudgetSpent:
      return 1;
  }
  return 1;
}

/// Attempt is one attempt in flight: the agent, then its acceptance tests.
struct Executor::Attempt {
  Executor* executor = nullptr;
  int workstream = -1;
  int agent = -1;
  int number = 0;
  int64_t id = 0;  // attempts row
  double started_at = 0;
  int64_t handle = 0;  // current process
  std::string log_path;
  std::string prompt_path;
  AttemptPhase phase = AttemptPhase::kSetup;
  std::vector<std::string> acceptance_tests;  // commands still to run
  std::vector<std::string> test_commands;     // all of them, for the verify after merge
  ProcessResult agent_result;
  std::string workdir;  // where the agent and its acceptance tests run
  // Worktree isolation:
  std::string base_commit;     // integration head the worktree started from
  std::string head_commit;     // the workstream branch after Orchestra's commit
  std::string verify_dir;      // temporary worktree of the merge result
  PreparedMerge merge;         // the merge waiting for update-ref
  std::string conflict_paths;  // newline-separated, outcome kConflict
  // The agent's process:
  int64_t output_offset = 0;   // where its output starts in the log
  int64_t last_log_size = 0;   // for the stall watch
  double last_output_at = 0;
  bool stalled = false;        // stopped by the stall watch
  bool resumed = false;        // continues an earlier attempt's conversation
  AgentVerdict verdict;        // what its kind made of its end (usage, session)
  double rate_limit_delay = 0;  // kRateLimited: how long until it runs again
  bool awaiting_scan = false;   // its process ended; its leftovers are being sought
  std::optional<CheckoutSnapshot> checkout_before;  // worktrees: the main checkout as its agent started
};

Executor::Executor(const Project& project, const ExecutorEffects& effects)
    : project_(project), effects_(effects), store_(effects.store), runner_(effects.runner),
      clock_(effects.clock), observer_(effects.observer) {}

Executor::~Executor() = default;

RunEnd Executor::Run(const std::vector<int>& targets, std::string* error) {
  Select(targets);
  if (project_.config.UsesWorktrees() && !PrepareIsolation(error)) return RunEnd::kError;
  // A worker is one of several: no run row of its own (but `run` on a shared
  // state, the planner, has one), and what runs elsewhere is not left behind
  // (expired leases are reclaimed instead): it recovers only what a dead
  // worker of its own host left running.
  WorkCoordinator* const coordinator = effects_.coordinator;
  records_run_ = coordinator == nullptr || coordinator->options().records_run;
  if (records_run_ &&
      !CommitNow([&](std::string* e) { return store_->BeginRun(effects_.pid, &run_id_, e); }, error)) {
    return RunEnd::kError;
  }
  // Recovery first, then the state's rows read once for the scheduler (the
  // planner's history, what is done) and for Restore: a resume of 10,000
  // workstreams read them twice, the second time after recovery's writes.
  std::vector<WorkstreamRecord> records;
  std::vector<AttemptRecord> attempts;
  const bool restored = CommitNow([&](std::string* e) { return Recover(e); }, error) &&
                        store_->LoadWorkstreams(&records, error) && store_->LoadAttempts("", &attempts, error) &&
                        (BuildScheduler(targets, records, attempts), Restore(records, attempts, error));
  if (!restored) {
    std::string ignored;  // the first error is the one to report
    if (records_run_) store_->EndRun(run_id_, RunState::kFailed, &ignored);
    return RunEnd::kError;
  }
  const std::optional<double> budget = project_.config.budget_usd;
  if (budget && spent_usd_ >= *budget) {
    budget_spent_ = true;
    Emit("", "", "budget_spent",
         fmt::format("budget reached: attempts have already cost {} of budget_usd {}; starting nothing (raise "
                     "budget_usd in orchestra.toml to go on)",
                     FormatCost(spent_usd_), FormatCost(*budget)));
  }
  const bool simulated = AllAgentsSimulated();
  Emit("", "", "run_started",
       fmt::format("run {} started: {} workstreams selected, {} {}agents{}", run_id_,
                   std::count(selected_.begin(), selected_.end(), true), project_.config.agents.size(),
                   simulated ? "simulated " : "",
                   simulated ? " (they do no real work; docs/guide.md sets up real ones)" : ""));
  if (!effects_.containment.empty()) {
    Emit("", "", "containment", "agent processes are contained by " + effects_.containment);
  }
  if (AttemptLogStore* logs = store_->attempt_logs()) log_copier_ = std::make_unique<AttemptLogCopier>(logs);
  ContinueAttempts();
  InstallLoopHandles();
  if (coordinator) {
    SyncWithWorkers();
    worker_timer_ = effects_.timers->Repeat(coordinator->poll_seconds(), [this] { SyncWithWorkers(); });
  }
  CheckPauseRequest();
  Pump();
  MaybeStop();
  uv_run(effects_.loop, UV_RUN_DEFAULT);

  RunState state;
  const RunEnd end = DecideEnd(&state);
  if (end == RunEnd::kError) *error = fatal_error_;
  std::string end_error;
  const std::string message = fmt::format("run {} ended: {}", run_id_, RunStateName(state));
  Notify(LogEntry{0, "", "", "", "run_ended", message});
  if (records_run_ &&
      (!CommitNow([&](std::string* e) { return store_->AppendLog("", "", "run_ended", message, e); }, &end_error) ||
       !CommitNow([&](std::string* e) { return store_->EndRun(run_id_, state, e); }, &end_error))) {
    if (error->empty()) *error = end_error;
  }
  return end;
}

void Executor::ReportOutsideEvent(const std::string& event_type, const std::string& message) {
  if (!stopped_) Emit("", "", event_type, message);
}

void Executor::Select(const std::vector<int>& targets) {
  const Graph& graph = *project_.graph;
  selected_.assign(graph.size(), targets.empty());
  for (int node : graph.WithDependencies(targets)) selected_[node] = true;
  selected_count_ = static_cast<int>(std::count(selected_.begin(), selected_.end(), true));
}

void Executor::BuildScheduler(const std::vector<int>& targets, const std::vector<WorkstreamRecord>& records,
                              const std::vector<AttemptRecord>& history) {
  const Graph& graph = *project_.graph;
  SchedulingInputs inputs = MakeSchedulingInputs(project_);
  // One group per agent type, for its dispatch limits (TypeGate): the
  // agents' own types, and the types routes give workstreams.
  std::map<std::string, int> group_of_type;
  auto group_for = [&](const std::string& name, const AgentType* type) {
    auto [found, added] = group_of_type.emplace(name, static_cast<int>(gates_.size()));
    if (added) {
      TypeGate gate;
      gate.name = name;
      if (type != nullptr) {
        gate.max_concurrent = type->max_concurrent;
        gate.start_interval = type->requests_per_minute > 0 ? 60.0 / type->requests_per_minute : 0;
      }
      gates_.push_back(gate);
    }
    return found->second;
  };
  for (const AgentConfig& agent : project_.config.agents) {
    agent_group_.push_back(group_for(agent.type, project_.config.TypeOf(agent)));
  }
  inputs.agent_groups = agent_group_;
  if (project_.HasRoutes() && project_.route_of.size() == project_.workstreams.size()) {
    workstream_group_.assign(project_.workstreams.size(), -1);
    for (size_t node = 0; node < project_.workstreams.size(); ++node) {
      if (project_.route_of[node] < 0) continue;
      const AgentType* type = project_.config.TypeOf(project_.config.routes[project_.route_of[node]]);
      if (type != nullptr) workstream_group_[node] = group_for(type->name, type);
    }
    inputs.workstream_groups = workstream_group_;
  }
  // Dispatch follows the planner's order, the one `orchestra plan` shows,
  // over estimates corrected by the attempts of earlier runs.
  const CorrectedEstimates corrected = CorrectEstimates(graph, inputs.estimates, SucceededDurations(history));
  inputs.estimates = corrected.estimates;
  learned_seconds_per_hour_ = corrected.seconds_per_hour;
  // A resumed run searches only the work left: what the state records as
  // completed stays completed (Restore) and is never dispatched again.
  std::vector<bool> done(graph.size(), false);
  for (const WorkstreamRecord& record : records) {
    const int node = graph.IndexOf(record.workstream_id);
    if (node >= 0 && record.status == WorkstreamStatus::kCompleted) done[node] = true;
  }
  SearchOptions search;
  search.budget_seconds = project_.config.planner_budget_seconds;
  inputs.rank = PlanRank(graph, inputs, targets, search, nullptr, &done);
  planning_inputs_ = inputs;
  scheduler_ = std::make_unique<Scheduler>(graph, std::move(inputs));
  if (!targets.empty()) scheduler_->Select(targets);
}

bool Executor::PrepareIsolation(std::string* error) {
  worktrees_ = std::make_unique<Worktrees>(effects_.git, project_.config.project_dir,
                                           project_.config.integration_branch);
  merge_queue_ = std::make_unique<MergeQueue>(effects_.git, project_.config.project_dir,
                                              project_.config.integration_branch,
                                              project_.config.merge_strategy);
  if (!worktrees_->Prepare(error)) {
    *error = "worktree isolation: " + *error;
    return false;
  }
  if (effects_.coordinator == nullptr) return true;
  // A worker: the integration branch is the one the state records, shared
  // with the other workers' clones through the remote.
  if (project_.config.remote.empty() && !effects_.coordinator->options().records_run) {
    *error = "worktree isolation on a worker needs the git repository the workers share: set remote = \"...\" "
             "in [defaults] of orchestra.toml (a remote name such as \"origin\", a path or a URL) or pass "
             "--remote";
    return false;
  }
  shared_ = std::make_unique<SharedIntegration>(effects_.git, store_, project_.config.project_dir,
                                                project_.config.remote, project_.config.integration_branch);
  if (shared_->Start(error)) return true;
  *error = "the shared integration branch: " + *error;
  return false;
}

void Executor::InstallLoopHandles() {
  for (int signal_number : {SIGINT, SIGTERM, SIGUSR1}) {
    auto* handle = new uv_signal_t;
    uv_signal_init(effects_.loop, handle);
    handle->data = this;
    uv_signal_start(
        handle, [](uv_signal_t* h, int number) { static_cast<Executor*>(h->data)->OnSignal(number); },
        signal_number);
    signals_.push_back(handle);
  }
  tick_timer_ = effects_.timers->Repeat(1, [this] {
    if (observer_) observer_->OnTick(Progress());
    if (log_copier_) log_copier_->Tick(clock_->Now());
  });
}

RunEnd Executor::DecideEnd(RunState* state) const {
  if (!fatal_error_.empty()) {
    *state = RunState::kFailed;
    return RunEnd::kError;
  }
  if (interrupts_ > 0) {
    *state = RunState::kInterrupted;
    return RunEnd::kInterrupted;
  }
  if (paused_) {
    *state = RunState::kPaused;
    return RunEnd::kPaused;
  }
  for (int node = 0; node < project_.graph->size(); ++node) {
    if (selected_[node] && scheduler_->state(node) != SchedulingState::kCompleted) {
      *state = budget_spent_ ? RunState::kBudgetSpent : RunState::kFailed;
      return budget_spent_ ? RunEnd::kBudgetSpent : RunEnd::kIncomplete;
    }
  }
  *state = RunState::kCompleted;
  return RunEnd::kCompleted;
}

bool Executor::Recover(std::string* error) {
  RecoveryContext context{store_,
                          effects_.processes,
                          worktrees_.get(),
                          effects_.git,
                          project_.config.project_dir,
                          project_.config.integration_branch,
                          project_.StatePath()};
  // An agent whose supervisor outlived the stop goes on in this run when its
  // workstream and agent still exist and the workstream is selected.
  context.continued = &continued_;
  std::vector<int64_t> taken;
  if (WorkCoordinator* coordinator = effects_.coordinator) {
    if (!coordinator->TakeOverDeadWorkers(effects_.processes, &taken, error)) return false;
    if (taken.empty()) return true;
    context.only = &taken;
    context.finish = [coordinator](int64_t attempt_id, const AttemptEnd& end, std::string* e) {
      bool rejected = false;  // reclaimed meanwhile: another worker's now, nothing to record
      return coordinator->Finish(attempt_id, end, &rejected, e);
    };
  }
  context.can_continue = [this](const AttemptRecord& record) {
    const int node = project_.graph->IndexOf(record.workstream_id);
    const auto& agents = project_.config.agents;
    const bool agent_known = std::any_of(agents.begin(), agents.end(),
                                         [&](const AgentConfig& agent) { return agent.id == record.agent_id; });
    return node >= 0 && selected_[node] && agent_known;
  };
  std::vector<LogEntry> events;
  const bool ok = RecoverAttempts(context, &events, error);
  for (const LogEntry& event : events) Notify(event);
  return ok;
}

void Executor::ContinueAttempts() {
  std::vector<ContinuedAttempt> continued = std::move(continued_);
  continued_.clear();
  for (const ContinuedAttempt& found : continued) {
    const AttemptRecord& record = found.record;
    const int node = project_.graph->IndexOf(record.workstream_id);
    int agent = -1;
    for (size_t i = 0; i < project_.config.agents.size(); ++i) {
      if (project_.config.agents[i].id == record.agent_id) agent = static_cast<int>(i);
    }
    if (!scheduler_->Claim(node, agent)) {
      AbandonContinued(record);
      continue;
    }
    const Workstream& workstream = project_.workstreams[node];
    auto attempt = std::make_unique<Attempt>();
    attempt->executor = this;
    attempt->workstream = node;
    attempt->agent = agent;
    attempt->number = record.attempt;
    attempt->id = record.id;
    if (!ParseTimestamp(record.started_at, &attempt->started_at)) attempt->started_at = clock_->Now();
    attempt->log_path = record.log_path;
    attempt->workdir = project_.config.project_dir;
    if (worktrees_) {
      attempt->workdir = worktrees_->PathOf(workstream.id);
      attempt->base_commit = record.base_commit;
    }
    for (const std::string& test : workstream.acceptance_tests) {
      if (!LooksLikeProse(test)) attempt->acceptance_tests.push_back(test);
    }
    attempt->test_commands = attempt->acceptance_tests;
    const AgentType* type = project_.TypeFor(node, project_.config.agents[agent]);
    const AgentKind* kind = type != nullptr ? FindAgentKind(type->kind) : nullptr;
    attempt->resumed = kind != nullptr && kind->resumes() && resume_session_.count(node) > 0;
    attempt->phase = AttemptPhase::kAgent;
    Attempt* raw = attempt.get();
    attempts_[node] = std::move(attempt);
    // Its output starts where the supervisor began writing the log.
    auto on_exit = [raw](const ProcessResult& result) {
      if (result.log_offset >= 0) raw->output_offset = result.log_offset;
      raw->executor->OnProcessExit(raw, result);
    };
    if (!found.adopted) {
      AppendToFile(raw->log_path, "orchestra: collected by a restarted orchestrator: the agent ended meanwhile\n");
      on_exit(found.result);
      continue;
    }
    std::string error;
    if (runner_->Adopt(static_cast<int>(record.pid), record.pid_start_time, StatusPathFor(record.log_path), on_exit,
                       &raw->handle, &error)) {
      AppendToFile(raw->log_path, "orchestra: adopted by a restarted orchestrator: the agent is still running\n");
      const double stall_seconds = type != nullptr ? project_.config.StallTimeoutOf(*type) : 0;
      if (stall_seconds > 0) WatchForStall(raw, stall_seconds);
      continue;
    }
    // It ended since recovery looked: its status file says how, else nothing does.
    SupervisorStatus status;
    std::string ignored;
    ProcessResult result;
    if (ReadSupervisorStatus(record.log_path, StatusPathFor(record.log_path), &status, &ignored)) {
      result = ResultOf(status);
    } else {
      result.term_signal = SIGKILL;
      result.lost = SupervisorLoss(false, 0);
      AppendToFile(raw->log_path, "orchestra: " + result.lost + "\n");
    }
    on_exit(result);
  }
}

void Executor::AbandonContinued(const AttemptRecord& record) {
  int64_t pid = record.pid;
  bool killed = pid > 0 && effects_.processes->KillStaleGroup(pid, record.pid_start_time);
  killed = effects_.processes->KillWithEnvironment({KeyOf(record.id)})[0] > 0 || killed;
  AttemptEnd end = AbandonedEnd(record, killed);
  std::string error;
  if (!CommitNow([&](std::string* e) { return store_->FinishAttempt(record.id, end, e); }, &error)) return Fail(error);
  Notify(LogEntry{0, "", record.workstream_id, record.agent_id, end.event_type, end.message});
}

void Executor::Notify(const LogEntry& event) {
  if (observer_ == nullptr) return;
  LogEntry stamped = event;
  stamped.timestamp = FormatTimestamp(clock_->Now());
  observer_->OnEvent(stamped, Progress());  // empty before the scheduler exists (recovery)
}

bool Executor::Restore(const std::vector<WorkstreamRecord>& records, const std::vector<AttemptRecord>& attempts,
                       std::string* error) {
  const Graph& graph = *project_.graph;
  std::vector<std::pair<std::string, std::string>> id_tracks;
  for (const Workstream& workstream : project_.workstreams) {
    id_tracks.push_back({workstream.id, workstream.track});
  }
  // Rows for workstreams new to the state (pending: as the scheduler starts
  // them, so the rows read before are still what to restore).
  if (!CommitNow([&](std::string* e) { return store_->SyncWorkstreams(id_tracks, e); }, error)) return false;
  std::map<std::string, std::vector<const AttemptRecord*>> attempts_by_id;
  for (const AttemptRecord& attempt : attempts) {
    attempts_by_id[attempt.workstream_id].push_back(&attempt);
    if (!attempt.usage.cost_usd) continue;
    spent_usd_ += *attempt.usage.cost_usd;
    const int node = graph.IndexOf(attempt.workstream_id);
    if (node >= 0) workstream_spent_[node] += *attempt.usage.cost_usd;
  }
  for (const WorkstreamRecord& record : records) {
    const int node = graph.IndexOf(record.workstream_id);
    if (node < 0) continue;
    // Failures count among the attempts since the last reset: the newest
    // `record.attempt` rows of this workstream.
    const std::vector<const AttemptRecord*>& history = attempts_by_id[record.workstream_id];
    int failures = 0;
    const size_t recent = std::min<size_t>(history.size(), static_cast<size_t>(record.attempt));
    for (size_t i = history.size() - recent; i < history.size(); ++i) {
      const AttemptOutcome outcome = history[i]->outcome;
      if (!CountsAsFailure(outcome)) continue;
      ++failures;
      last_failure_[node] = BoundText(history[i]->error_message, kFailureMessageBytes);
    }
    // An unfinished conversation of the last attempt is continued.
    if (!history.empty() && !history.back()->session_id.empty() &&
        history.back()->outcome != AttemptOutcome::kSucceeded) {
      resume_session_[node] = history.back()->session_id;
    }
    switch (record.status) {
      case WorkstreamStatus::kCompleted:
        scheduler_->RestoreCompleted(node);
        break;
      case WorkstreamStatus::kFailed:
        scheduler_->RestoreFailed(node, record.attempt, failures);
        break;
      case WorkstreamStatus::kBlocked:
        scheduler_->RestoreBlocked(node);
        break;
      case WorkstreamStatus::kPending:
      case WorkstreamStatus::kRunning:
        scheduler_->RestorePending(node, record.attempt, failures);
        break;
    }
  }
  Scheduler::BeginResult begin = scheduler_->Begin();
  std::vector<std::string> blocked, unblocked;
  for (int node : begin.blocked) blocked.push_back(graph.id(node));
  for (int node : begin.unblocked) unblocked.push_back(graph.id(node));
  if (!blocked.empty() &&
      !CommitNow([&](std::string* e) { return store_->MarkBlocked(blocked, "a dependency failed", e); }, error)) {
    return false;
  }
  return unblocked.empty() || CommitNow(
                                  [&](std::string* e) {
                                    return store_->ResetToPending(unblocked, "unblocked",
                                                                  "no dependency has failed any more", e);
                                  },
                                  error);
}

void Executor::Pump() {
  if (paused_ || budget_spent_ || interrupts_ > 0 || stopped_ || !fatal_error_.empty() || !pending_writes_.empty()) {
    return;
  }
  UpdateGroupLimits();
  for (const Assignment& assignment : scheduler_->Dispatch()) {
    if (!pending_writes_.empty() || lock_timer_ != 0) {
      scheduler_->Undispatch(assignment.workstream);  // the state is locked: start it later
    } else {
      StartAttempt(assignment);
    }
  }
}

void Executor::UpdateGroupLimits() {
  if (gates_.empty()) return;
  const double now = clock_->Now();
  // Attempts of each type not yet past their agent's process: what a
  // concurrency cap counts (acceptance tests and merges call no provider).
  std::vector<int> calling(gates_.size(), 0);
  for (const auto& [node, attempt] : attempts_) {
    if (attempt->phase == AttemptPhase::kSetup || attempt->phase == AttemptPhase::kAgent) {
      ++calling[GroupOf(*attempt)];
    }
  }
  for (size_t group = 0; group < gates_.size(); ++group) {
    TypeGate& gate = gates_[group];
    const int index = static_cast<int>(group);
    if (!gate.out_reason.empty()) {
      scheduler_->SetGroupLimit(index, 0, true);
      continue;
    }
    int starts_left = -1;
    double wake_at = 0;
    if (gate.paused_until > now) {
      starts_left = 0;
      wake_at = gate.paused_until;
    } else if (gate.start_interval > 0 && gate.next_start_at > now) {
      starts_left = 0;
      wake_at = gate.next_start_at;
    } else {
      if (gate.start_interval > 0) starts_left = 1;
      if (gate.max_concurrent > 0) {
        const int room = std::max(0, gate.max_concurrent - calling[group]);
        starts_left = starts_left < 0 ? room : std::min(starts_left, room);
      }
    }
    scheduler_->SetGroupLimit(index, starts_left);
    if (wake_at > 0 && gate.timer == 0) {
      gate.timer = effects_.timers->Start(wake_at - now, [this, group] {
        gates_[group].timer = 0;
        Pump();
        MaybeStop();
      });
    }
  }
}

int Executor::GroupOf(int agent, int workstream) const {
  if (!workstream_group_.empty() && workstream_group_[workstream] >= 0) return workstream_group_[workstream];
  return agent_group_[agent];
}

int Executor::GroupOf(const Attempt& attempt) const { return GroupOf(attempt.agent, attempt.workstream); }

const AgentType* Executor::TypeOfAttempt(const Attempt& attempt) const {
  return project_.TypeFor(attempt.workstream, project_.config.agents[attempt.agent]);
}

std::string Executor::KeyOf(int64_t attempt_id) const { return AttemptKey(project_.StatePath(), attempt_id); }

std::string Executor::AttemptDir(const std::string& id) const {
  return (fs::path(project_.LogsDir()) / "workstreams" / id).string();
}

void Executor::StartAttempt(const Assignment& assignment) {
  const Workstream& workstream = project_.workstreams[assignment.workstream];
  const AgentConfig& agent = project_.config.agents[assignment.agent];
  auto attempt = std::make_unique<Attempt>();
  attempt->executor = this;
  attempt->workstream = assignment.workstream;
  attempt->agent = assignment.agent;
  attempt->number = assignment.attempt;
  attempt->started_at = clock_->Now();
  if (!gates_.empty()) {
    TypeGate& gate = gates_[GroupOf(assignment.agent, assignment.workstream)];
    gate.next_start_at = attempt->started_at + gate.start_interval;
  }
  AttemptFiles files;
  std::string error;
  if (!ReserveAttemptFiles(AttemptDir(workstream.id), assignment.attempt, &files, &error)) return Fail(error);
  attempt->log_path = files.log_path;
  attempt->prompt_path = files.prompt_path;
  attempt->workdir = project_.config.project_dir;
  for (const std::string& test : workstream.acceptance_tests) {
    if (!LooksLikeProse(test)) attempt->acceptance_tests.push_back(test);
  }
  attempt->test_commands = attempt->acceptance_tests;

  AttemptRecord record;
  record.workstream_id = workstream.id;
  record.attempt = assignment.attempt;
  record.agent_id = agent.id;
  const AgentType* type = project_.TypeFor(assignment.workstream, agent);  // a route's, else the agent's
  record.agent_type = type ? type->name : agent.type;
  record.log_path = attempt->log_path;
  if (worktrees_) {
    // Dispatch time: the worktree starts from everything merged so far,
    // which includes every dependency.
    if (shared_ && !shared_->Sync(&record.base_commit, &error)) return Fail(error);
    if (!shared_) record.base_commit = worktrees_->IntegrationHead();
    if (record.base_commit.empty()) {
      return Fail("the integration branch " + project_.config.integration_branch + " is gone");
    }
    attempt->base_commit = record.base_commit;
  }
  if (effects_.coordinator) {
    // Another worker may have it: the claim decides, and is the attempt's start.
    const WorkCoordinator::ClaimResult claim =
        effects_.coordinator->Claim(record, &attempt->id, &attempt->number, &error);
    if (claim == WorkCoordinator::ClaimResult::kError) return Fail(error);
    if (claim == WorkCoordinator::ClaimResult::kTaken) {
      scheduler_->Undispatch(assignment.workstream);
      scheduler_->HoldElsewhere(assignment.workstream);
      return;
    }
  }
  const bool grouped = JoinGroup();
  if (!effects_.coordinator && !store_->StartAttempt(record, &attempt->id, &error)) {
    if (!store_->LastCallWasBusy()) return Fail(error);
    // Nothing was recorded: the workstream waits, as if never dispatched.
    scheduler_->Undispatch(assignment.workstream);
    return WaitForLock("the start of " + workstream.id);
  }
  NoteWriteDone();
  Attempt* raw = attempt.get();
  attempts_[assignment.workstream] = std::move(attempt);
  std::string started = fmt::format("attempt {} of {} started on {}", raw->number, workstream.id, agent.id);
  if (!grouped) {
    Emit(workstream.id, agent.id, "started", started);
    return SetUpAttempt(raw);
  }
  // Nothing of the attempt starts before its start is committed, and it is
  // told after what the group recorded before it (the ends that freed its
  // agent and its dependencies).
  const int node = assignment.workstream;
  const int64_t attempt_id = raw->id;
  group_thens_.push_back([this, node, attempt_id, agent_id = agent.id, started = std::move(started)] {
    Emit(project_.workstreams[node].id, agent_id, "started", started);
    Attempt* attempt = Live(node, attempt_id);
    if (attempt == nullptr) return;  // interrupted meanwhile
    if (!fatal_error_.empty()) {
      // Stopping: it stays running in the state and is recovered on resume.
      attempts_.erase(node);
      return;
    }
    SetUpAttempt(attempt);
  });
}

void Executor::SetUpAttempt(Attempt* raw) {
  const Workstream& workstream = project_.workstreams[raw->workstream];
  if (log_copier_) log_copier_->Watch(raw->id, raw->log_path);
  std::string error;
  if (worktrees_) {
    if (!worktrees_->Create(workstream.id, raw->base_commit, &error)) {
      return FailSetup(raw, "cannot create the worktree: " + error);
    }
    raw->workdir = worktrees_->PathOf(workstream.id);
  }
  LaunchAgent(raw);
}

void Executor::LaunchAgent(Attempt* raw) {
  const Workstream& workstream = project_.workstreams[raw->workstream];
  const AgentConfig& agent = project_.config.agents[raw->agent];
  AttemptContext context;
  context.workstream = &workstream;
  context.agent_id = agent.id;
  context.attempt = raw->number;
  auto last_failure = last_failure_.find(raw->workstream);
  context.prompt = BuildPrompt(workstream, last_failure == last_failure_.end() ? "" : last_failure->second);
  context.prompt_file = raw->prompt_path;
  context.workdir = raw->workdir;
  context.workstream_file = fs::absolute(workstream.file).lexically_normal().string();
  context.log_path = raw->log_path;
  context.timeout_seconds = workstream.timeout_seconds.value_or(project_.config.timeout_seconds);
  context.kill_grace_seconds = project_.config.kill_grace_seconds;
  context.estimate_hours = workstream.estimate_hours.value_or(project_.config.estimate_hours);
  context.in_worktree = worktrees_ != nullptr;
  const AgentType* type = TypeOfAttempt(*raw);
  const AgentKind* kind = type != nullptr ? FindAgentKind(type->kind) : nullptr;
  const auto session = resume_session_.find(raw->workstream);
  if (kind != nullptr && kind->resumes() && session != resume_session_.end()) {
    context.resume_session = session->second;
    raw->resumed = true;
  }
  std::string error;
  if (!WriteFileFresh(context.prompt_file, context.prompt, &error)) return FailSetup(raw, error);

  ProcessSpec spec;
  int pid = 0;
  if (type == nullptr) error = fmt::format("agent '{}' has unknown type '{}'", agent.id, agent.type);
  if (type == nullptr || !BuildAgentProcess(*type, context, &spec, &error)) return FailSetup(raw, error);
  spec.env.push_back(KeyOf(raw->id));
  // Under orchestra-supervise, which outlives us: a restarted run collects the end it records.
  spec.status_path = StatusPathFor(raw->log_path);
  spec.redact = SecretsOf(type->env, project_.config.redact_variables);
  spec.max_log_bytes = project_.config.max_log_bytes;
  std::string command_line;
  for (const std::string& argument : spec.argv) command_line += " " + LoggedArgument(argument);
  AppendToFile(raw->log_path,
               fmt::format("orchestra: {} attempt {} on {} at {}\norchestra: argv:{}\n", workstream.id,
                           raw->number, agent.id, FormatTimestamp(raw->started_at), command_line));
  if (raw->resumed) {
    AppendToFile(raw->log_path, fmt::format("orchestra: continuing conversation {} of an earlier attempt\n",
                                            context.resume_session));
  }
  const bool reads_output = kind != nullptr && kind->reads_output();
  if (reads_output) raw->output_offset = std::max<int64_t>(0, FileSize(raw->log_path));
  raw->phase = AttemptPhase::kAgent;
  if (worktrees_) {
    CheckoutSnapshot before;
    std::string ignored;  // no snapshot (git failed): nothing to compare with, nothing reported
    if (SnapshotCheckout(effects_.git, project_.config.project_dir, &before, &ignored)) {
      raw->checkout_before = std::move(before);
    }
  }
  CrashPoint("before-agent-spawn");
  if (!runner_->Start(
          spec, [raw](const ProcessResult& result) { raw->executor->OnProcessExit(raw, result); },
          &raw->handle, &pid, &error)) {
    ProcessResult failure;
    failure.spawn_error = error;
    StepFacts facts;
    facts.phase = AttemptPhase::kAgent;
    facts.process = failure;
    facts.agent = InterpretExitCode(failure);
    Judge(raw, facts, failure);
    return;
  }
  CrashPoint("after-agent-spawn");
  const double stall_seconds = project_.config.StallTimeoutOf(*type);
  if (stall_seconds > 0) WatchForStall(raw, stall_seconds);
  const AttemptPid launched{raw->id, pid, effects_.processes->StartTime(pid)};
  // The agents a group's commit launches record their pids together, after them (WritePids).
  if (in_group_thens_) return held_pids_.push_back(launched);
  WritePids({launched});
}

void Executor::WritePids(std::vector<AttemptPid> pids) {
  if (pids.empty()) return;
  // Needs no sync of its own (SqliteStore::SetAttemptPids): joins a group, opens none.
  Commit(
      pids.size() == 1 ? fmt::format("the pid of attempt {}", pids[0].attempt_id)
                       : fmt::format("the pids of {} attempts", pids.size()),
      [this, pids = std::move(pids)](std::string* e) { return store_->SetAttemptPids(pids, e); }, {},
      /*opens_group=*/false);
}

void Executor::WatchForStall(Attempt* attempt, double stall_seconds) {
  if (attempt->last_output_at == 0) {
    attempt->last_output_at = clock_->Now();
    attempt->last_log_size = FileSize(attempt->log_path);
  }
  // Looked at four times per stall_timeout: a stall is seen within 1.25 of it.
  const double interval = std::min(stall_seconds / 4, 30.0);
  const int node = attempt->workstream;
  const int64_t attempt_id = attempt->id;
  stall_timers_[attempt_id] = effects_.timers->Start(interval, [this, node, attempt_id, stall_seconds] {
    stall_timers_.erase(attempt_id);
    if (Attempt* live = Live(node, attempt_id)) CheckStall(live, stall_seconds);
  });
}

void Executor::StopWatchingForStall(int64_t attempt_id) {
  const auto timer = stall_timers_.find(attempt_id);
  if (timer == stall_timers_.end()) return;
  effects_.timers->Cancel(timer->second);
  stall_timers_.erase(timer);
}

void Executor::CheckStall(Attempt* attempt, double stall_seconds) {
  if (attempt->phase != AttemptPhase::kAgent || attempt->handle == 0 || attempt->stalled) return;
  // Output counts when it reaches the log or only the runner (past half of
  // max_log_size the log holds the tail back until the end).
  const int64_t size = FileSize(attempt->log_path) + runner_->OutputBytes(attempt->handle);
  const double now = clock_->Now();
  if (size != attempt->last_log_size) {
    attempt->last_log_size = size;
    attempt->last_output_at = now;
  }
  if (now - attempt->last_output_at < stall_seconds) return WatchForStall(attempt, stall_seconds);
  attempt->stalled = true;
  AppendToFile(attempt->log_path, fmt::format("orchestra: no output for {} (stall_timeout): stopping the agent\n",
                                              FormatDuration(now - attempt->last_output_at)));
  runner_->Terminate(attempt->handle);
}

void Executor::FailSetup(Attempt* attempt, const std::string& error) {
  AppendToFile(attempt->log_path, "orchestra: " + error + "\n");
  ProcessResult failure;
  failure.spawn_error = error;
  StepFacts facts;
  facts.phase = AttemptPhase::kSetup;
  facts.setup_error = error;
  Judge(attempt, facts, failure);
}

bool Executor::Judge(Attempt* attempt, const StepFacts& facts, const ProcessResult& result) {
  StepVerdict verdict = JudgeStep(facts);
  verdict.message = BoundText(verdict.message, kFailureMessageBytes);
  if (!verdict.log_line.empty()) AppendToFile(attempt->log_path, "orchestra: " + verdict.log_line + "\n");
  if (!verdict.ends) return true;
  FinishAttempt(attempt, verdict, result);
  return false;
}

void Executor::OnProcessExit(Attempt* attempt, const ProcessResult& result) {
  if (attempt->phase == AttemptPhase::kAgent) CrashPoint("agent-exited");
  attempt->handle = 0;
  // Whatever the process started and left behind, even outside its process
  // group, ends with it before anything else happens to the attempt.
  attempt->awaiting_scan = true;
  ended_processes_.push_back({attempt->workstream, attempt->id, result});
  ScheduleLeftoverScan();
}

void Executor::ScheduleLeftoverScan() {
  if (scan_running_ || ended_processes_.empty()) return;
  if (effects_.loop == nullptr) return StartLeftoverScan();
  if (scan_idle_ == nullptr) {
    scan_idle_ = new uv_idle_t;
    uv_idle_init(effects_.loop, scan_idle_);
    scan_idle_->data = this;
  }
  // At the start of the next loop turn (an idle handle keeps the loop from
  // waiting meanwhile): the processes that ended in this turn share one scan.
  uv_idle_start(scan_idle_, [](uv_idle_t* idle) {
    uv_idle_stop(idle);
    static_cast<Executor*>(idle->data)->StartLeftoverScan();
  });
}

void Executor::StartLeftoverScan() {
  if (scan_running_ || ended_processes_.empty()) return;
  std::vector<EndedProcess> ended = std::move(ended_processes_);
  ended_processes_.clear();
  std::vector<std::string> keys;
  for (const EndedProcess& process : ended) keys.push_back(KeyOf(process.attempt_id));
  scan_running_ = true;
  auto go_on = [this, ended](const std::vector<int>& found) {
    scan_running_ = false;
    for (size_t i = 0; i < ended.size(); ++i) {
      Attempt* attempt = Live(ended[i].workstream, ended[i].attempt_id);
      if (attempt == nullptr) continue;
      attempt->awaiting_scan = false;
      if (i < found.size() && found[i] > 0) {
        AppendToFile(attempt->log_path,
                     fmt::format("orchestra: killed {} leftover process(es) of this attempt\n", found[i]));
      }
      AfterProcessExit(attempt, ended[i].result);
    }
    ScheduleLeftoverScan();
    MaybeStop();
  };
  // A cgroup held each of them and was killed whole by its supervisor: there
  // is nothing left to look for, so no scan of /proc (still a turn later, in order).
  if (std::all_of(ended.begin(), ended.end(), [](const EndedProcess& process) { return process.result.contained; })) {
    return go_on({});
  }
  effects_.processes->KillWithEnvironmentLater(std::move(keys), std::move(go_on));
}

void Executor::AfterProcessExit(Attempt* attempt, const ProcessResult& result) {
  StepFacts facts;
  facts.phase = attempt->phase;
  facts.interrupted = interrupts_ > 0 || !fatal_error_.empty();
  facts.process = result;
  if (attempt->phase == AttemptPhase::kAgent) {
    attempt->agent_result = result;
    StopWatchingForStall(attempt->id);
    const AgentType* type = TypeOfAttempt(*attempt);
    const AgentKind* kind = type != nullptr ? FindAgentKind(type->kind) : nullptr;
    AgentVerdict verdict = InterpretExitCode(result);
    if (kind != nullptr) {
      const std::string output =
          kind->reads_output() ? ReadFrom(attempt->log_path, attempt->output_offset, kInterpretedOutputBytes) : "";
      verdict = kind->Interpret(result, output);
    }
    if (attempt->stalled) {
      verdict.outcome = AgentOutcome::kStalled;
      verdict.reason = fmt::format("agent stalled: no output for {} (stall_timeout); stopped",
                                   FormatDuration(project_.config.StallTimeoutOf(*type)));
    }
    if (!verdict.usage.cost_usd && type != nullptr && type->price.Set() && verdict.usage.Known()) {
      verdict.usage.cost_usd = type->price.CostOf(verdict.usage);
    }
    attempt->verdict = verdict;
    facts.agent = verdict;
    const bool capped = !gates_.empty() && gates_[GroupOf(*attempt)].max_concurrent > 0;
    if (!Judge(attempt, facts, result)) return;
    if (capped) Pump();  // its type's concurrency cap has room again
    if (worktrees_) {
      ReportOutsideWrites(attempt);
      return CommitAndCheckChanges(attempt);  // goes on to the acceptance tests
    }
    attempt->phase = AttemptPhase::kAcceptance;
    return RunNextAcceptanceTest(attempt);
  }
  // An acceptance test ended.
  facts.test = attempt->acceptance_tests.front();
  attempt->acceptance_tests.erase(attempt->acceptance_tests.begin());
  // The tail is read only for a failure's message: passing tests cost no read.
  if (!result.Succeeded() || result.timed_out) {
    facts.output_tail = LogTail(attempt->log_path, kFailureTailLines, kFailureLineBytes);
  }
  facts.integration_branch = project_.config.integration_branch;
  if (Judge(attempt, facts, result)) RunNextAcceptanceTest(attempt);
}

void Executor::RunNextAcceptanceTest(Attempt* attempt) {
  if (attempt->acceptance_tests.empty()) {
    if (attempt->phase == AttemptPhase::kVerify) return CommitMerge(attempt);
    if (worktrees_) return EnqueueMerge(attempt);
    return FinishAttempt(attempt, Succeeded(), attempt->agent_result);
  }
  const std::string& test = attempt->acceptance_tests.front();
  const Workstream& workstream = project_.workstreams[attempt->workstream];
  AppendToFile(attempt->log_path, fmt::format("orchestra: acceptance test: {}\n", test));
  ProcessSpec spec;
  spec.argv = {"sh", "-c", test};
  spec.cwd = attempt->phase == AttemptPhase::kVerify ? attempt->verify_dir : attempt->workdir;
  spec.log_path = attempt->log_path;
  spec.timeout_seconds = project_.config.acceptance_timeout_seconds;
  spec.kill_grace_seconds = project_.config.kill_grace_seconds;
  spec.env = {"ORCHESTRA_WORKSTREAM_ID=" + workstream.id,
              "ORCHESTRA_ATTEMPT=" + std::to_string(attempt->number), KeyOf(attempt->id),
              "ORCHESTRA_WORKDIR=" + spec.cwd, std::string("ORCHESTRA_PHASE=") + PhaseName(attempt->phase)};
  const AgentType* type = project_.config.TypeOf(project_.config.agents[attempt->agent]);
  spec.redact = SecretsOf(type != nullptr ? type->env : std::map<std::string, std::string>{},
                          project_.config.redact_variables);
  spec.max_log_bytes = project_.config.max_log_bytes;
  int pid = 0;
  std::string error;
  if (!runner_->Start(
          spec, [attempt](const ProcessResult& result) { attempt->executor->OnProcessExit(attempt, result); },
          &attempt->handle, &pid, &error)) {
    ProcessResult failure;
    failure.spawn_error = error;
    StepFacts facts;
    facts.phase = attempt->phase;
    facts.process = failure;
    facts.test = test;
    attempt->acceptance_tests.erase(attempt->acceptance_tests.begin());
    Judge(attempt, facts, failure);
  }
}

void Executor::FinishAttempt(Attempt* attempt, const StepVerdict& step_verdict, const ProcessResult& result) {
  const int node = attempt->workstream;
  const Workstream& workstream = project_.workstreams[node];
  StepVerdict verdict = step_verdict;
  workstream_spent_[node] += attempt->verdict.usage.cost_usd.value_or(0);
  if (CountsAsFailure(verdict.outcome) && verdict.retryable && workstream.max_cost_usd &&
      workstream_spent_[node] >= *workstream.max_cost_usd) {
    // Its attempts have cost what it may: another one would cost more.
    verdict.retryable = false;
    verdict.message = fmt::format("max_cost_usd {} reached ({} spent), not retried: {}",
                                  FormatCost(*workstream.max_cost_usd), FormatCost(workstream_spent_[node]),
                                  verdict.message);
  }
  const std::string agent_id = project_.config.agents[attempt->agent].id;
  const double duration = clock_->Now() - attempt->started_at;
  bool was_merging = false;
  if (merge_queue_) {
    was_merging = merge_queue_->current() == node;
    merge_queue_->Drop(node);
  }
  if (was_merging && shared_) ReleaseMergeLock();
  if (!attempt->verify_dir.empty()) {
    std::string ignored;
    worktrees_->RemoveAt(attempt->verify_dir, &ignored);
  }
  StopWatchingForStall(attempt->id);
  const int group = gates_.empty() ? -1 : GroupOf(*attempt);
  if (verdict.outcome == AttemptOutcome::kRateLimited && group >= 0) {
    // The provider said "not now": the whole type waits, the provider's reset
    // time when it gave one, else a backoff doubling per rate limit in a row.
    TypeGate& gate = gates_[group];
    const std::optional<double> retry_after = attempt->verdict.retry_after_seconds;
    attempt->rate_limit_delay =
        retry_after ? std::clamp(*retry_after, 1.0, kMaxRateLimitWaitSeconds)
                    : std::min(std::max(project_.config.backoff_seconds, 1.0) * std::pow(2.0, gate.rate_limit_streak),
                               kMaxRateLimitBackoffSeconds);
    ++gate.rate_limit_streak;
    gate.paused_until = std::max(gate.paused_until, clock_->Now() + attempt->rate_limit_delay);
  }
  const bool succeeded = verdict.outcome == AttemptOutcome::kSucceeded;
  // A worker's end may be refused (its lease was reclaimed meanwhile): its
  // scheduler takes the end only once the shared state has accepted it.
  const bool deferred = effects_.coordinator != nullptr;
  const FinishResult finish = deferred ? PreviewEnd(node, verdict) : ApplyEnd(node, verdict);
  const double rate_limit_delay = attempt->rate_limit_delay;
  // The conversation the next attempt continues: a fresh attempt that failed
  // leaves its session to resume; a resumed one that failed starts the next afresh.
  if (succeeded || attempt->resumed) {
    resume_session_.erase(node);
  } else if (!attempt->verdict.session_id.empty()) {
    resume_session_[node] = attempt->verdict.session_id;
  }
  const AttemptEnd end = DescribeEnd(*attempt, verdict, result, finish, duration);
  if (finish.outcome == FinishResult::Outcome::kCompleted) {
    observed_seconds_ += duration;
    observed_hours_ += planning_inputs_.estimates[node];
  }
  const int attempt_number = attempt->number;
  const int64_t attempt_id = attempt->id;
  std::string copy_error;  // the log is complete: its copy for other hosts too
  if (log_copier_ && !log_copier_->Finish(attempt_id, attempt->log_path, &copy_error)) {
    Emit(workstream.id, agent_id, "log_not_copied", "other hosts cannot show this attempt's log: " + copy_error);
  }
  attempts_.erase(node);  // `attempt` is gone from here on

  // The end is recorded before anything acts on it; when another process holds
  // the state's write lock, the result waits here (held, not lost) until it is free.
  // The budget and the type's gate count the end at once: the scheduler has
  // freed the agent already, and a dispatch before the end's commit must see them.
  AccountFor(node, group, end);
  CrashPoint("before-attempt-end");
  // A worker records the end only while its lease holds (the fencing token);
  // a late one is refused, and the workstream is another worker's now.
  auto rejected = std::make_shared<bool>(false);
  Commit(
      "the end of " + workstream.id + "'s attempt " + std::to_string(attempt_number),
      [this, attempt_id, end, rejected](std::string* e) {
        if (effects_.coordinator) return effects_.coordinator->Finish(attempt_id, end, rejected.get(), e);
        return store_->FinishAttempt(attempt_id, end, e);
      },
      [this, node, agent_id, end, finish, deferred, verdict, was_merging, attempt_number, duration, rate_limit_delay,
       rejected] {
        if (*rejected) {
          // The store logged it; the display is told. The workstream is
          // another worker's: held elsewhere until the shared state says more.
          Notify(LogEntry{0, "", project_.workstreams[node].id, agent_id, "rejected_late_result",
                          fmt::format("the result of attempt {} came after its lease was reclaimed: not recorded",
                                      attempt_number)});
          scheduler_->Requeue(node);
          scheduler_->HoldElsewhere(node);
          Pump();
          MaybeStop();
          return;
        }
        AfterFinish(node, agent_id, end, deferred ? ApplyEnd(node, verdict) : finish, was_merging, attempt_number,
                    verdict.message, duration, rate_limit_delay);
      });
}

FinishResult Executor::ApplyEnd(int node, const StepVerdict& verdict) {
  switch (verdict.outcome) {
    case AttemptOutcome::kInterrupted: return scheduler_->Requeue(node);
    case AttemptOutcome::kRateLimited: return scheduler_->Postpone(node);
    default: return scheduler_->Finish(node, verdict.outcome == AttemptOutcome::kSucceeded, verdict.retryable);
  }
}

FinishResult Executor::PreviewEnd(int node, const StepVerdict& verdict) const {
  FinishResult preview;
  preview.failures = scheduler_->failures(node);
  switch (verdict.outcome) {
    case AttemptOutcome::kInterrupted: preview.outcome = FinishResult::Outcome::kRequeued; return preview;
    case AttemptOutcome::kRateLimited: preview.outcome = FinishResult::Outcome::kRetry; return preview;
    default: return scheduler_->Preview(node, verdict.outcome == AttemptOutcome::kSucceeded, verdict.retryable);
  }
}

void Executor::AccountFor(int node, int group, const AttemptEnd& end) {
  if (end.usage.cost_usd) spent_usd_ += *end.usage.cost_usd;
  if (group >= 0) {
    TypeGate& gate = gates_[group];
    if (end.outcome == AttemptOutcome::kSucceeded) gate.rate_limit_streak = 0;
    if (end.outcome == AttemptOutcome::kFatal && gate.out_reason.empty()) {
      gate.out_reason = end.error_message.substr(0, end.error_message.find('\n'));
      Emit("", "", "agent_type_stopped",
           fmt::format("agents of type {} take no more work this run: {} (from {}); fix it, then `orchestra retry "
                       "--failed` and `orchestra run`",
                       gate.name, gate.out_reason, project_.workstreams[node].id));
    }
  }
  const std::optional<double> budget = project_.config.budget_usd;
  if (budget && !budget_spent_ && spent_usd_ >= *budget) {
    budget_spent_ = true;
    Emit("", "", "budget_spent",
         fmt::format("budget reached: attempts have cost {} of budget_usd {}; starting nothing new, waiting for {} "
                     "running agent(s)",
                     FormatCost(spent_usd_), FormatCost(*budget), attempts_.size()));
  }
}

void Executor::AfterFinish(int node, const std::string& agent_id, const AttemptEnd& end, const FinishResult& finish,
                           bool was_merging, int attempt_number, const std::string& failure, double duration,
                           double rate_limit_delay) {
  const Workstream& workstream = project_.workstreams[node];
  Emit(workstream.id, agent_id, end.event_type, end.message);
  if (worktrees_ && finish.outcome == FinishResult::Outcome::kCompleted) {
    // Merged: the worktree is no longer needed (the branch stays for `diff`
    // until `orchestra clean`). Failed worktrees stay for inspection.
    std::string ignored;
    worktrees_->Remove(workstream.id, &ignored);
  }
  if (was_merging && !in_merge_next_) MergeNext();
  if (end.outcome == AttemptOutcome::kRateLimited) {
    ScheduleRetry(node, rate_limit_delay);
  } else if (finish.outcome == FinishResult::Outcome::kRetry) {
    last_failure_[node] = fmt::format("Attempt {} failed: {}", attempt_number, failure);
    ScheduleRetry(node, RetryDelay(finish.failures));
  }
  if (!finish.blocked.empty()) {
    std::vector<std::string> blocked;
    for (int dependent : finish.blocked) blocked.push_back(project_.workstreams[dependent].id);
    const std::string reason = "dependency " + workstream.id + " failed";
    Commit(
        "blocking what depends on " + workstream.id,
        [this, blocked, reason](std::string* e) { return store_->MarkBlocked(blocked, reason, e); },
        [this, blocked, reason] {
          for (const std::string& id : blocked) Emit(id, "", "blocked", id + " blocked: " + reason);
        });
  }
  if (finish.outcome == FinishResult::Outcome::kCompleted) MaybeReplan(node, duration);
  if (!in_group_thens_) CheckPauseRequest();  // else FlushGroup checked, once for the group
  Pump();
  MaybeStop();
}

AttemptEnd Executor::DescribeEnd(const Attempt& attempt, const StepVerdict& verdict, const ProcessResult& result,
                                 const FinishResult& finish, double duration) const {
  const std::string& id = project_.workstreams[attempt.workstream].id;
  const std::string first_line = CutLine(verdict.message.substr(0, verdict.message.find('\n')), kFailureLineBytes);
  AttemptEnd end;
  end.outcome = verdict.outcome;
  if (result.spawn_error.empty() && result.term_signal == 0 && result.exit_code >= 0) {
    end.exit_code = result.exit_code;
  }
  if (result.term_signal != 0) end.signal = result.term_signal;
  end.duration_seconds = duration;
  end.error_message = verdict.message;
  end.conflict_paths = attempt.conflict_paths;
  end.usage = attempt.verdict.usage;
  end.session_id = attempt.verdict.session_id;
  if (verdict.outcome == AttemptOutcome::kRateLimited) {
    const std::string& type = gates_.empty() ? project_.config.agents[attempt.agent].type : gates_[GroupOf(attempt)].name;
    end.new_status = WorkstreamStatus::kPending;
    end.event_type = "rate_limited";
    end.message = fmt::format("attempt {} of {} was rate-limited: {}; agents of type {} pause for {}, then it runs "
                              "again (no attempt used up)",
                              attempt.number, id, first_line, type, FormatDuration(attempt.rate_limit_delay));
    return end;
  }
  if (verdict.outcome == AttemptOutcome::kInterrupted) {
    end.new_status = WorkstreamStatus::kPending;
    end.event_type = "interrupted";
    end.message = fmt::format("attempt {} interrupted; {} will run again on resume", attempt.number, id);
    return end;
  }
  const bool timed_out = verdict.outcome == AttemptOutcome::kTimedOut;
  const bool stalled = verdict.outcome == AttemptOutcome::kStalled;
  switch (finish.outcome) {
    case FinishResult::Outcome::kCompleted:
      end.new_status = WorkstreamStatus::kCompleted;
      end.event_type = "completed";
      end.message = fmt::format("{} completed in {} (attempt {})", id, FormatDuration(duration), attempt.number);
      break;
    case FinishResult::Outcome::kRetry:
      end.new_status = WorkstreamStatus::kPending;
      end.event_type = timed_out ? "timeout" : stalled ? "stalled" : "retry";
      end.message = fmt::format("attempt {} of {} failed: {}; {}", attempt.number, id, first_line,
                                paused_ || interrupts_ > 0
                                    ? std::string("it runs again when the run resumes")
                                    : "retrying in " + FormatDuration(RetryDelay(finish.failures)));
      break;
    case FinishResult::Outcome::kFailed:
    case FinishResult::Outcome::kRequeued:
      end.new_status = WorkstreamStatus::kFailed;
      end.event_type = timed_out ? "timeout" : stalled ? "stalled" : "failed";
      end.message = verdict.retryable
                        ? fmt::format("{} failed after {} attempt(s): {}", id, finish.failures, first_line)
                        : fmt::format("{} failed without retrying: {}", id, first_line);
      break;
  }
  return end;
}

void Executor::MaybeReplan(int workstream, double duration_seconds) {
  // Re-plan only when an attempt ended clearly earlier or later than its
  // estimate predicted (at the rate observed so far): small noise would only
  // reshuffle an order that is as good as before.
  const double seconds_per_hour = SecondsPerEstimatedHour();
  const double expected = planning_inputs_.estimates[workstream] * seconds_per_hour;
  if (std::abs(duration_seconds - expected) <= std::max(0.25 * expected, 1.0)) return;
  const Graph& graph = *project_.graph;
  ReplanInput input;
  input.selected = selected_;
  input.rank = scheduler_->rank();
  input.states.resize(graph.size());
  input.remaining_hours.assign(graph.size(), 0);
  const double now = clock_->Now();
  for (int node = 0; node < graph.size(); ++node) input.states[node] = scheduler_->state(node);
  for (const auto& [node, attempt] : attempts_) {
    input.remaining_hours[node] = planning_inputs_.estimates[node] - (now - attempt->started_at) / seconds_per_hour;
  }
  input.search.budget_seconds = project_.config.planner_budget_seconds / 4;
  input.search.seed = static_cast<uint64_t>(++replans_);
  const ReplanResult result = Replan(graph, planning_inputs_, input);
  if (!result.changed) return;
  scheduler_->SetRank(result.rank);
  Emit(project_.workstreams[workstream].id, "", "replanned",
       fmt::format("{} took {} (estimate {}): new order predicts the rest in {:.1f}h instead of {:.1f}h",
                   project_.workstreams[workstream].id, FormatDuration(duration_seconds),
                   FormatDuration(expected), result.finish_hours, result.previous_finish_hours));
}

void Executor::ReportOutsideWrites(Attempt* attempt) {
  CheckoutSnapshot after;
  std::string error;
  if (!attempt->checkout_before ||
      !SnapshotCheckout(effects_.git, project_.config.project_dir, &after, &error)) {
    return;
  }
  std::vector<std::string> own;  // Orchestra's files where git does not ignore them
  const std::string state = project_.StatePath();
  for (const std::string& path : {state, state + "-wal", state + "-shm", state + "-journal", state + ".lock",
                                  project_.config.ProjectPath(project_.config.logs_dir),
                                  project_.config.ProjectPath(project_.config.reports_dir)}) {
    const fs::path relative = fs::path(path).lexically_relative(project_.config.project_dir);
    if (!relative.empty() && *relative.begin() != "..") own.push_back(relative.string());
  }
  const std::vector<std::string> paths = ChangedPaths(*attempt->checkout_before, after, own);
  if (paths.empty()) return;
  const Workstream& workstream = project_.workstreams[attempt->workstream];
  const std::string message =
      fmt::format("attempt {} of {}: {}", attempt->number, workstream.id,
                  DescribeOutsideWrites(project_.config.project_dir, paths, static_cast<int>(attempts_.size())));
  AppendToFile(attempt->log_path, "orchestra: " + message + "\n");
  Emit(workstream.id, project_.config.agents[attempt->agent].id, "wrote_outside", message);
}

void Executor::CommitAndCheckChanges(Attempt* attempt) {
  const Workstream& workstream = project_.workstreams[attempt->workstream];
  const AgentConfig& agent = project_.config.agents[attempt->agent];
  const std::string message =
      fmt::format("{}: {}\n\nOrchestra-Agent: {}\nOrchestra-Attempt: {}", workstream.id,
                  workstream.title.empty() ? workstream.id : workstream.title, agent.id, attempt->number);
  attempt->phase = AttemptPhase::kChanges;
  StepFacts facts;
  facts.phase = AttemptPhase::kChanges;
  std::string head, error;
  if (!worktrees_->CommitAll(workstream.id, message, &head, &error) ||
      !worktrees_->ChangedFiles(attempt->base_commit, head, &facts.changed, &error)) {
    facts.phase = AttemptPhase::kSetup;
    facts.setup_error = "cannot commit the agent's changes: " + error;
    Judge(attempt, facts, attempt->agent_result);
    return;
  }
  CrashPoint("after-worktree-commit");
  const std::vector<std::string> scope = DeclaredScope(workstream);
  for (const std::string& file : facts.changed) {
    if (!scope.empty() && !PathInScope(file, scope)) facts.outside_scope.push_back(file);
  }
  std::string summary = fmt::format("{}: {} file(s) changed in {}", workstream.id, facts.changed.size(), ShortCommit(head));
  if (!facts.outside_scope.empty()) {
    summary += fmt::format("; {} outside the declared scope: {}", facts.outside_scope.size(),
                           fmt::join(facts.outside_scope, ", "));
  }
  AppendToFile(attempt->log_path, "orchestra: " + summary + "\n");
  attempt->head_commit = head;
  facts.scope_fails = project_.config.scope_policy == "fail";
  facts.empty_allowed = workstream.allow_empty;  // simulated agents too: they write their work
  const int node = attempt->workstream;
  const int64_t id = attempt->id;
  const std::string outside = fmt::format("{}", fmt::join(facts.outside_scope, "\n"));
  // A worker records them only while its lease holds (the fencing token).
  auto rejected = std::make_shared<bool>(false);
  Commit(
      "the changes of " + workstream.id,
      [this, id, head, outside, summary, rejected](std::string* e) {
        if (effects_.coordinator) return effects_.coordinator->RecordChanges(id, head, outside, summary, rejected.get(), e);
        return store_->RecordChanges(id, head, outside, summary, e);
      },
      [this, node, id, facts, summary, rejected] {
        Attempt* attempt = Live(node, id);
        if (attempt == nullptr) return;  // ended (interrupted) while its changes waited for the state
        if (*rejected) {
          // Its end is refused too, which hands the workstream back (FinishAttempt).
          StepFacts lost;
          lost.phase = AttemptPhase::kSetup;
          lost.setup_error = "this worker's lease on the attempt was reclaimed before its changes were recorded: "
                             "not recorded";
          Judge(attempt, lost, attempt->agent_result);
          return;
        }
        Emit(project_.workstreams[node].id, project_.config.agents[attempt->agent].id, "changes", summary);
        if (!Judge(attempt, facts, attempt->agent_result)) return;
        attempt->phase = AttemptPhase::kAcceptance;
        RunNextAcceptanceTest(attempt);
      });
}

Executor::Attempt* Executor::Live(int node, int64_t attempt_id) {
  auto found = attempts_.find(node);
  return found != attempts_.end() && found->second->id == attempt_id ? found->second.get() : nullptr;
}

void Executor::EnqueueMerge(Attempt* attempt) {
  if (attempt->head_commit == attempt->base_commit) {
    // Nothing to merge (an allowed empty result).
    return FinishAttempt(attempt, Succeeded(), attempt->agent_result);
  }
  attempt->phase = AttemptPhase::kMerge;
  merge_queue_->Add(attempt->workstream);
  MergeNext();
}

void Executor::MergeNext() {
  if (in_merge_next_) return;
  in_merge_next_ = true;
  for (int node = TakeNextMerge(); node >= 0; node = TakeNextMerge()) {
    auto found = attempts_.find(node);
    if (found == attempts_.end()) {
      merge_queue_->Done();
      if (shared_) ReleaseMergeLock();
      continue;
    }
    Attempt* attempt = found->second.get();
    const Workstream& workstream = project_.workstreams[node];
    std::string shared_error;
    if (shared_ && !PrepareSharedMerge(&shared_error)) {
      attempt->merge = PreparedMerge{};
      attempt->merge.error = shared_error;
    } else {
      attempt->merge = merge_queue_->Prepare(
          MergeRequest{workstream.id, workstream.title, attempt->base_commit, attempt->head_commit});
    }
    if (shared_ && attempt->merge.outcome == PreparedMerge::Outcome::kReady &&
        !shared_->Publish(workstream.id, attempt->head_commit, attempt->merge.new_head, &shared_error)) {
      attempt->merge.outcome = PreparedMerge::Outcome::kError;
      attempt->merge.error = shared_error;
    }
    StepFacts facts;
    facts.phase = AttemptPhase::kMerge;
    facts.integration_branch = project_.config.integration_branch;
    if (attempt->merge.outcome == PreparedMerge::Outcome::kConflict) {
      attempt->conflict_paths = fmt::format("{}", fmt::join(attempt->merge.conflict_paths, "\n"));
      facts.conflict_paths = attempt->merge.conflict_paths;
      facts.other_side = attempt->merge.other_side;
    } else if (attempt->merge.outcome == PreparedMerge::Outcome::kError) {
      facts.merge_error = "cannot merge: " + attempt->merge.error;
    }
    if (!Judge(attempt, facts, attempt->agent_result)) continue;
    if (project_.config.verify_after_merge && !attempt->test_commands.empty()) {
      // The merge result gets the acceptance tests before the branch moves.
      attempt->verify_dir =
          (fs::path(project_.config.project_dir) / ".orchestra" / "verify" / workstream.id).string();
      std::string error;
      if (!worktrees_->CreateDetached(attempt->verify_dir, attempt->merge.new_head, &error)) {
        facts.merge_error = "cannot check out the merge result: " + error;
        Judge(attempt, facts, attempt->agent_result);
        continue;
      }
      AppendToFile(attempt->log_path,
                   fmt::format("orchestra: verifying the merge onto {} in {}\n",
                               project_.config.integration_branch, attempt->verify_dir));
      attempt->phase = AttemptPhase::kVerify;
      attempt->acceptance_tests = attempt->test_commands;
      in_merge_next_ = false;
      RunNextAcceptanceTest(attempt);  // goes on in CommitMerge
      return;
    }
    CommitMerge(attempt);
  }
  in_merge_next_ = false;
}

void Executor::CommitMerge(Attempt* attempt) {
  const Workstream& workstream = project_.workstreams[attempt->workstream];
  const std::string agent_id = project_.config.agents[attempt->agent].id;
  const PreparedMerge merge = attempt->merge;
  const std::string message = fmt::format("merging {} ({}) onto {} at {} as {}", workstream.id,
                                          ShortCommit(attempt->head_commit), project_.config.integration_branch,
                                          ShortCommit(merge.old_head), ShortCommit(merge.new_head));
  const int node = attempt->workstream;
  const int64_t id = attempt->id;
  if (shared_) {
    // The state moves the shared branch, under this attempt's fencing token
    // and only from the head the merge was computed on.
    IntegrationMove move{project_.config.integration_branch, merge.old_head, merge.new_head, id, 0, message};
    auto result = std::make_shared<MoveResult>(MoveResult::kMoved);
    Commit(
        "the merge of " + workstream.id,
        [this, move, result](std::string* e) { return effects_.coordinator->MoveIntegration(move, result.get(), e); },
        [this, node, id, message, result] {
          Attempt* attempt = Live(node, id);
          if (attempt == nullptr) return;
          if (*result == MoveResult::kMoved) return AdvanceMerge(attempt, message);
          StepFacts facts;
          facts.phase = AttemptPhase::kMerge;
          facts.integration_branch = project_.config.integration_branch;
          facts.merge_error = *result == MoveResult::kLeaseLost
                                  ? "this worker's lease on the attempt was reclaimed before its merge: not merged"
                                  : "the shared integration branch moved during the merge (the merge lock was lost)";
          Judge(attempt, facts, attempt->agent_result);
        });
    return;
  }
  Commit(
      "the merge of " + workstream.id,
      [this, id, merge, message](std::string* e) { return store_->RecordMerge(id, merge.new_head, message, e); },
      [this, node, id, message] {
        if (Attempt* attempt = Live(node, id)) AdvanceMerge(attempt, message);
      });
}

int Executor::TakeNextMerge() {
  if (merge_queue_->current() >= 0 || !merge_queue_->HasWaiting()) return -1;
  if (shared_) {
    // One merging worker at a time, across hosts; the others try again at
    // their next poll.
    bool acquired = false;
    std::string error;
    if (!store_->TryLockMerges(&acquired, &error)) {
      Notify(LogEntry{0, "", "", "", "merge_lock_failed", error});
      return -1;
    }
    if (!acquired) return -1;
  }
  return merge_queue_->TakeNext();
}

bool Executor::PrepareSharedMerge(std::string* error) {
  // Under the merge lock: the state's head is the one to merge onto; a remote
  // left behind by a worker that died after its merge catches up first.
  std::string head;
  if (!shared_->Sync(&head, error)) return false;
  std::string lagging;
  if (!shared_->PushHead(head, &lagging)) {
    Emit("", "", "remote_behind", lagging);
  }
  return true;
}

void Executor::ReleaseMergeLock() {
  std::string error;
  if (!store_->UnlockMerges(&error)) Notify(LogEntry{0, "", "", "", "merge_lock_failed", error});
}

void Executor::AdvanceMerge(Attempt* attempt, const std::string& message) {
  const Workstream& workstream = project_.workstreams[attempt->workstream];
  const std::string agent_id = project_.config.agents[attempt->agent].id;
  const PreparedMerge merge = attempt->merge;
  std::string error;
  Emit(workstream.id, agent_id, "merging", message);
  attempt->phase = AttemptPhase::kMerge;
  StepFacts facts;
  facts.phase = AttemptPhase::kMerge;
  facts.integration_branch = project_.config.integration_branch;
  CrashPoint("before-merge-ref");
  if (shared_) {
    // The state has moved the branch: the remote's follows, and this clone's
    // (no need to read the state again: under the merge lock nobody else moved it).
    // A push that fails is not the attempt's failure; the next merge retries it.
    if (!shared_->PushHead(merge.new_head, &error)) {
      Emit(workstream.id, agent_id, "remote_behind", error);
    }
    std::string ignored;  // a stale local branch is set again at the next Sync
    shared_->SetLocalHead(merge.new_head, &ignored);
  } else if (!merge_queue_->Advance(merge, workstream.id, &error)) {
    facts.merge_error = "the integration branch moved during the merge: " + error;
  }
  CrashPoint("after-merge-ref");
  if (!Judge(attempt, facts, attempt->agent_result)) return;
  AppendToFile(attempt->log_path, "orchestra: " + message + ": done\n");
  ++merged_count_;
  FinishAttempt(attempt, Succeeded(), attempt->agent_result);
}

double Executor::RetryDelay(int failures) const {
  return project_.config.backoff_seconds * std::pow(2.0, failures - 1);
}

void Executor::SyncWithWorkers() {
  if (stopped_) return;
  std::vector<int64_t> running, lost;
  for (const auto& [node, attempt] : attempts_) running.push_back(attempt->id);
  std::vector<WorkstreamRecord> records;
  std::string error;
  if (!effects_.coordinator->Poll(running, &records, &lost, &error)) {
    // The server is unreachable for now: the leases lapse unless a later poll
    // renews them in time; the fencing token keeps a late end out.
    Notify(LogEntry{0, "", "", "", "worker_poll_failed", error});  // shown; the state may be out of reach
    return;
  }
  // An attempt whose lease was reclaimed is another worker's now: its result
  // would be refused (the fencing token), so its agent is stopped at once
  // rather than left to spend time and money on work nobody keeps.
  for (int64_t attempt_id : lost) {
    for (const auto& [node, attempt] : attempts_) {
      if (attempt->id != attempt_id) continue;
      AppendToFile(attempt->log_path,
                   "orchestra: this worker's lease on the attempt was reclaimed by another; stopping its agent\n");
      if (attempt->handle) runner_->Terminate(attempt->handle);
    }
  }
  const Graph& graph = *project_.graph;
  for (const WorkstreamRecord& record : records) {
    const int node = graph.IndexOf(record.workstream_id);
    if (node < 0 || !selected_[node] || attempts_.count(node) > 0) continue;
    const SchedulingState state = scheduler_->state(node);
    const bool held = scheduler_->held_elsewhere(node);
    const bool free_here = held || state == SchedulingState::kWaiting || state == SchedulingState::kReady;
    switch (record.status) {
      case WorkstreamStatus::kCompleted:
        if (free_here || state == SchedulingState::kBlocked) scheduler_->CompleteElsewhere(node);
        break;
      case WorkstreamStatus::kFailed:
      case WorkstreamStatus::kBlocked:
        if (free_here) scheduler_->FailElsewhere(node, record.status == WorkstreamStatus::kBlocked);
        break;
      case WorkstreamStatus::kRunning:
        if (!held && free_here) scheduler_->HoldElsewhere(node);
        break;
      case WorkstreamStatus::kPending:
        if (held) scheduler_->ReleaseElsewhere(node);
        break;
    }
  }
  if (shared_) MergeNext();  // a merge waiting for the lock another worker held
  Pump();
  MaybeStop();
}

void Executor::ScheduleRetry(int workstream, double delay_seconds) {
  retry_timers_[workstream] = effects_.timers->Start(delay_seconds, [this, workstream] {
    retry_timers_.erase(workstream);
    scheduler_->RetryDue(workstream);
    Pump();
    MaybeStop();
  });
}

void Executor::OnSignal(int signal_number) {
  if (signal_number == SIGUSR1) {
    CheckPauseRequest();
    MaybeStop();
    return;
  }
  ++interrupts_;
  if (interrupts_ == 1) {
    Emit("", "", "interrupt",
         fmt::format("{} received: stopping {} running agent(s) (again to kill at once)",
                     signal_number == SIGINT ? "SIGINT" : "SIGTERM", attempts_.size()));
    std::vector<Attempt*> queued;  // waiting to merge: no process to stop
    for (auto& [node, attempt] : attempts_) {
      if (attempt->handle) {
        runner_->Terminate(attempt->handle);
      } else if (!attempt->awaiting_scan) {  // those are judged, interrupted, after their scan
        queued.push_back(attempt.get());
      }
    }
    for (Attempt* attempt : queued) {
      StepFacts facts;
      facts.phase = attempt->phase;
      facts.interrupted = true;
      Judge(attempt, facts, attempt->agent_result);
    }
  } else {
    for (auto& [node, attempt] : attempts_) {
      if (attempt->handle) runner_->Kill(attempt->handle);
    }
    DropHeldWrites();
  }
  MaybeStop();
}

void Executor::CheckPauseRequest() {
  if (paused_) return;
  RunRecord run;
  bool found = false;
  std::string error;
  if (!store_->LatestRun(&run, &found, &error) || !found || run.id != run_id_ || !run.pause_requested) {
    return;
  }
  paused_ = true;
  Emit("", "", "paused",
       fmt::format("pause requested: starting nothing new; waiting for {} running agent(s)",
                   attempts_.size()));
}

void Executor::MaybeStop() {
  if (stopped_) return;
  const bool stopping = paused_ || budget_spent_ || interrupts_ > 0 || !fatal_error_.empty();
  if (!attempts_.empty() || !pending_writes_.empty() || scan_running_ || !ended_processes_.empty() ||
      group_open_) {
    return;
  }
  if (!stopping && !scheduler_->Finished()) return;
  stopped_ = true;
  effects_.timers->Cancel(lock_timer_);
  lock_timer_ = 0;
  for (auto& [node, timer] : retry_timers_) effects_.timers->Cancel(timer);
  retry_timers_.clear();
  for (TypeGate& gate : gates_) {
    effects_.timers->Cancel(gate.timer);
    gate.timer = 0;
  }
  for (uv_signal_t* handle : signals_) {
    uv_signal_stop(handle);
    CloseAndDelete(handle);
  }
  signals_.clear();
  effects_.timers->Cancel(tick_timer_);
  tick_timer_ = 0;
  effects_.timers->Cancel(worker_timer_);
  worker_timer_ = 0;
  for (uv_idle_t** idle : {&scan_idle_, &group_idle_}) {
    if (*idle == nullptr) continue;
    uv_idle_stop(*idle);
    CloseAndDelete(*idle);
    *idle = nullptr;
  }
}

void Executor::Fail(const std::string& error) {
  // The state can no longer be written: stop everything rather than act on
  // changes that were never recorded. Resume picks up from what was committed.
  if (fatal_error_.empty()) fatal_error_ = error;
  pending_writes_.clear();  // never recorded: their work is redone on resume
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    if (it->second->handle || it->second->awaiting_scan) {
      if (it->second->handle) runner_->Terminate(it->second->handle);
      ++it;
    } else {
      // Waiting to merge, nothing to stop: it stays running in the state and
      // is recovered on resume.
      if (merge_queue_) {
        if (shared_ && merge_queue_->current() == it->first) ReleaseMergeLock();
        merge_queue_->Drop(it->first);
      }
      it = attempts_.erase(it);
    }
  }
  MaybeStop();
}

void Executor::Commit(const std::string& what, Write write, std::function<void()> then, bool opens_group) {
  if (pending_writes_.empty()) {
    const bool grouped = opens_group ? JoinGroup() : group_open_;
    std::string error;
    if (write(&error)) {
      NoteWriteDone();
      if (!then) return;
      if (grouped) {
        group_thens_.push_back(std::move(then));
      } else {
        then();
      }
      return;
    }
    if (!store_->LastCallWasBusy()) return Fail(error);
    pending_writes_.push_back({what, std::move(write), std::move(then)});
    return WaitForLock(what);
  }
  pending_writes_.push_back({what, std::move(write), std::move(then)});
}

bool Executor::JoinGroup() {
  if (group_open_) return true;
  if (effects_.loop == nullptr || stopped_ || !pending_writes_.empty() || lock_timer_ != 0) return false;
  std::string ignored;  // busy, or no groups: each change commits alone
  if (!store_->BeginGroup(&ignored)) return false;
  group_open_ = true;
  if (group_idle_ == nullptr) {
    group_idle_ = new uv_idle_t;
    uv_idle_init(effects_.loop, group_idle_);
    group_idle_->data = this;
  }
  uv_idle_start(group_idle_, [](uv_idle_t* idle) { static_cast<Executor*>(idle->data)->FlushGroup(); });
  return true;
}

void Executor::FlushGroup() {
  if (!group_open_) return;
  // The starts that the turn's ends made possible join the ends' group: the
  // scheduler has counted the ends already, and the starts' launches wait for
  // the commit anyway. One sync per wave instead of two.
  if (!group_thens_.empty()) {
    CheckPauseRequest();
    Pump();
  }
  group_open_ = false;
  uv_idle_stop(group_idle_);
  std::vector<std::function<void()>> thens = std::move(group_thens_);
  group_thens_.clear();
  std::string error;
  if (!store_->CommitGroup(&error)) return Fail(error);  // nothing acts on changes never recorded
  in_group_thens_ = true;
  for (const std::function<void()>& then : thens) then();
  in_group_thens_ = false;
  WritePids(std::move(held_pids_));
  held_pids_.clear();
  Pump();
  MaybeStop();
}

void Executor::WaitForLock(std::string what) {
  if (interrupts_ >= 2) return DropHeldWrites();  // interrupted twice: the user wants out now
  const double now = clock_->Now();
  if (lock_wait_started_ == 0) {
    lock_wait_started_ = now;
    Notify(LogEntry{0, "", "", "", "waiting",
                    fmt::format("the state database {} is locked by {}: holding {} until it is free, starting "
                                "nothing new; agents go on; retrying after {:g} ms, then at doubling intervals up "
                                "to {:g} s; giving up after {} (state_lock_timeout)",
                                project_.StatePath(), LockHolderOf(project_.StatePath()), what,
                                LockBackoff::kFirstWaitSeconds * 1000, LockBackoff::kMaxWaitSeconds,
                                FormatDuration(project_.config.state_lock_timeout_seconds))});
  }
  if (now - lock_wait_started_ >= project_.config.state_lock_timeout_seconds) {
    const std::string stopped =
        pending_writes_.empty()
            ? fmt::format("stopped before {}; nothing wrong was recorded", what)
            : fmt::format("stopped with {} change(s) unrecorded, starting with {}; nothing wrong was recorded, "
                          "and `orchestra run` redoes what was not",
                          pending_writes_.size(), what);
    return Fail(fmt::format("the state database {} stayed locked by {} for {} (state_lock_timeout): {}",
                            project_.StatePath(), LockHolderOf(project_.StatePath()),
                            FormatDuration(now - lock_wait_started_), stopped));
  }
  if (lock_timer_ == 0) {
    const double wait =
        lock_backoff_.Next(now - lock_wait_started_, project_.config.state_lock_timeout_seconds);
    lock_timer_ = effects_.timers->Start(wait, [this] {
      lock_timer_ = 0;
      RetryPendingWrites();
    });
  }
}

void Executor::DropHeldWrites() {
  if (pending_writes_.empty()) return;
  Notify(LogEntry{0, "", "", "", "interrupt",
                  fmt::format("stopping without waiting for the state lock: {} held change(s) are not recorded; "
                              "`orchestra run` redoes their work",
                              pending_writes_.size())});
  pending_writes_.clear();
  MaybeStop();
}

void Executor::RetryPendingWrites() {
  FlushGroup();  // what was committed before goes first
  while (!pending_writes_.empty() && fatal_error_.empty()) {
    std::string error;
    if (!pending_writes_.front().write(&error)) {
      if (!store_->LastCallWasBusy()) {
        pending_writes_.clear();
        return Fail(error);
      }
      return WaitForLock(pending_writes_.front().what);
    }
    NoteWriteDone();
    std::function<void()> then = std::move(pending_writes_.front().then);
    pending_writes_.pop_front();
    if (then) then();
  }
  Pump();  // a start that met the lock is dispatched again (and meets it again, or not)
  MaybeStop();
}

void Executor::NoteWriteDone() {
  if (lock_wait_started_ == 0) return;
  const double waited = clock_->Now() - lock_wait_started_;
  lock_wait_started_ = 0;
  lock_backoff_.Reset();
  Notify(LogEntry{0, "", "", "", "lock_released",
                  fmt::format("the state database is free again after {}; held changes are recorded",
                              FormatDuration(waited))});
}

bool Executor::CommitNow(const Write& write, std::string* error) {
  const double started = clock_->Now();
  // Interrupted twice, the user wants out now: one try, no waiting (an end
  // left unrecorded is recorded as crashed by the next run).
  const double patience = interrupts_ >= 2 ? 0 : project_.config.state_lock_timeout_seconds;
  bool told = false;
  LockBackoff backoff;
  while (!write(error)) {
    if (!store_->LastCallWasBusy()) return false;
    if (clock_->Now() - started >= patience) {
      *error += patience == 0 ? std::string(" (locked by another process; not waiting after a second interrupt)")
                              : fmt::format(" (locked by {} for {}: state_lock_timeout)",
                                            LockHolderOf(project_.StatePath()),
                                            FormatDuration(clock_->Now() - started));
      return false;
    }
    if (!told) {
      told = true;
      Notify(LogEntry{0, "", "", "", "waiting",
                      fmt::format("the state database {} is locked by {}: waiting (at most {})",
                                  project_.StatePath(), LockHolderOf(project_.StatePath()),
                                  FormatDuration(project_.config.state_lock_timeout_seconds))});
    }
    error->clear();
    // Nothing runs yet (or any more) that this could stall.
    clock_->Sleep(backoff.Next(clock_->Now() - started, patience));
  }
  return true;
}

void Executor::Emit(const std::string& workstream_id, const std::string& agent_id,
                    const std::string& event_type, const std::string& message) {
  // Start/finish events are committed by their own transitions; run-level
  // events are appended here so the audit trail has them too.
  static const char* const kCommittedElsewhere[] = {"started", "completed", "retry",        "timeout",
                                                    "failed",  "interrupted", "blocked",    "changes",
                                                    "merging", "stalled",     "rate_limited"};
  bool committed = false;
  for (const char* type : kCommittedElsewhere) committed = committed || event_type == type;
  if (!committed) {
    Commit("the " + event_type + " event", [=, this](std::string* error) {
      return store_->AppendLog(workstream_id, agent_id, event_type, message, error);
    });
  }
  if (observer_) {
    LogEntry entry{0, FormatTimestamp(clock_->Now()), workstream_id, agent_id, event_type, message};
    observer_->OnEvent(entry, Progress());
  }
}

double Executor::SecondsPerEstimatedHour() const {
  // Wall-clock seconds per estimated hour: this run's pace once something
  // finished, else the pace earlier runs showed, else the sim agents' scale,
  // else an hour is an hour.
  if (observed_hours_ > 0) return observed_seconds_ / observed_hours_;
  if (learned_seconds_per_hour_ > 0) return learned_seconds_per_hour_;
  if (!AllAgentsSimulated()) return 3600;
  double sim_scale = 0;
  for (const AgentConfig& agent : project_.config.agents) {
    sim_scale = std::max(sim_scale, project_.config.TypeOf(agent)->time_scale);
  }
  return sim_scale;
}

bool Executor::AllAgentsSimulated() const {
  return !project_.config.agents.empty() &&
         std::all_of(project_.config.agents.begin(), project_.config.agents.end(), [&](const AgentConfig& agent) {
           const AgentKind* kind = project_.config.KindOf(agent);
           return kind != nullptr && kind->simulated();
         });
}

RunProgress Executor::Progress() const {
  RunProgress progress;
  if (!scheduler_) return progress;
  // The scheduler keeps these as states change: no walk over every workstream per event.
  progress.total = selected_count_;
  progress.completed = scheduler_->SelectedIn(SchedulingState::kCompleted);
  progress.failed = scheduler_->SelectedIn(SchedulingState::kFailed);
  progress.blocked = scheduler_->SelectedIn(SchedulingState::kBlocked);
  progress.running = scheduler_->SelectedIn(SchedulingState::kRunning);
  progress.waiting = progress.total - progress.completed - progress.failed - progress.blocked - progress.running;
  // Estimates corrected by earlier runs, at the pace observed in this one.
  const double remaining_hours = scheduler_->UnfinishedHours();
  const double longest_remaining = scheduler_->LongestUnfinishedPath();
  const double agents = std::max<double>(1, static_cast<double>(project_.config.agents.size()));
  progress.eta_seconds = std::max(remaining_hours / agents, longest_remaining) * SecondsPerEstimatedHour();
  progress.paused = paused_;
  progress.stopping = interrupts_ > 0;
  progress.budget_spent = budget_spent_;
  if (spent_usd_ > 0 || project_.config.budget_usd) progress.spent_usd = spent_usd_;
  const double now = clock_->Now();
  for (const TypeGate& gate : gates_) {
    if (!gate.out_reason.empty()) {
      progress.type_notes.push_back(gate.name + ": stopped (" + gate.out_reason + ")");
    } else if (gate.paused_until > now) {
      progress.type_notes.push_back(
          fmt::format("{}: rate-limited, resuming in {}", gate.name, FormatDuration(gate.paused_until - now)));
    }
  }
  for (const auto& [node, attempt] : attempts_) {
    progress.attempts.push_back({project_.workstreams[node].id, project_.config.agents[attempt->agent].id,
                                 attempt->number, attempt->started_at, PhaseName(attempt->phase)});
  }
  return progress;
}

}  // namespace orchestra
