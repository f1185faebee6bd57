#include "executor.h"

#include <uv.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "agent.h"
#include "planner.h"
#include "prompt.h"
#include "validate.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

// How many trailing lines of a failing acceptance test go into the error.
constexpr int kFailureTailLines = 20;

void AppendToFile(const std::string& path, const std::string& text) {
  std::error_code ignored;
  fs::create_directories(fs::path(path).parent_path(), ignored);
  std::ofstream out(path, std::ios::app);
  out << text;
}

std::string LastLines(const std::string& path, int count) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (static_cast<int>(lines.size()) > count) lines.erase(lines.begin());
  }
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
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
  std::string phase = "agent";
  std::vector<std::string> acceptance_tests;  // commands still to run
  ProcessResult agent_result;
};

Executor::Executor(const Project& project, StateStore* store, ProcessRunner* runner, uv_loop_t* loop,
                   const Clock* clock, RunObserver* observer)
    : project_(project), store_(store), runner_(runner), loop_(loop), clock_(clock),
      observer_(observer) {}

Executor::~Executor() = default;

RunEnd Executor::Run(const std::vector<int>& targets, std::string* error) {
  const Graph& graph = *project_.graph;
  SchedulingInputs inputs = MakeSchedulingInputs(project_);
  // Dispatch follows the planner's order, the one `orchestra plan` shows,
  // over estimates corrected by the attempts of earlier runs.
  std::vector<AttemptRecord> history;
  std::string history_error;
  if (store_->LoadAttempts("", &history, &history_error)) {
    std::vector<ObservedDuration> observed;
    for (const AttemptRecord& attempt : history) {
      if (attempt.outcome == AttemptOutcome::kSucceeded) observed.push_back({attempt.workstream_id, attempt.duration_seconds});
    }
    inputs.estimates = CorrectEstimates(graph, inputs.estimates, observed).estimates;
  }
  SearchOptions search;
  search.budget_seconds = project_.config.planner_budget_seconds;
  inputs.rank = PlanRank(graph, inputs, targets, search);
  planning_inputs_ = inputs;
  scheduler_ = std::make_unique<Scheduler>(graph, std::move(inputs));
  selected_.assign(graph.size(), targets.empty());
  if (!targets.empty()) {
    scheduler_->Select(targets);
    for (int node : graph.WithDependencies(targets)) selected_[node] = true;
  }

  if (!store_->BeginRun(getpid(), &run_id_, error) || !Recover(error) || !Restore(error)) {
    if (run_id_) store_->EndRun(run_id_, RunState::kFailed, error);
    return RunEnd::kError;
  }
  Emit("", "", "run_started",
       fmt::format("run {} started: {} workstreams selected, {} agents", run_id_,
                   std::count(selected_.begin(), selected_.end(), true),
                   project_.config.agents.size()));

  for (int signal_number : {SIGINT, SIGTERM, SIGUSR1}) {
    auto* handle = new uv_signal_t;
    uv_signal_init(loop_, handle);
    handle->data = this;
    uv_signal_start(
        handle, [](uv_signal_t* h, int number) { static_cast<Executor*>(h->data)->OnSignal(number); },
        signal_number);
    signals_.push_back(handle);
  }
  tick_timer_ = new uv_timer_t;
  uv_timer_init(loop_, tick_timer_);
  tick_timer_->data = this;
  uv_timer_start(
      tick_timer_,
      [](uv_timer_t* h) {
        auto* self = static_cast<Executor*>(h->data);
        if (self->observer_) self->observer_->OnTick(self->Progress());
      },
      1000, 1000);

  CheckPauseRequest();
  Pump();
  MaybeStop();
  uv_run(loop_, UV_RUN_DEFAULT);

  RunEnd end;
  RunState state;
  if (!fatal_error_.empty()) {
    end = RunEnd::kError;
    state = RunState::kFailed;
    *error = fatal_error_;
  } else if (interrupts_ > 0) {
    end = RunEnd::kInterrupted;
    state = RunState::kInterrupted;
  } else if (paused_) {
    end = RunEnd::kPaused;
    state = RunState::kPaused;
  } else {
    bool all_done = true;
    for (int node = 0; node < graph.size(); ++node) {
      if (selected_[node] && scheduler_->state(node) != SchedulingState::kCompleted) all_done = false;
    }
    end = all_done ? RunEnd::kCompleted : RunEnd::kIncomplete;
    state = all_done ? RunState::kCompleted : RunState::kFailed;
  }
  std::string end_error;
  Emit("", "", "run_ended", fmt::format("run {} ended: {}", run_id_, RunStateName(state)));
  if (!store_->EndRun(run_id_, state, &end_error) && error->empty()) *error = end_error;
  return end;
}

bool Executor::Recover(std::string* error) {
  // Attempts still marked running belong to an orchestrator that died. Their
  // processes may live on: kill them first, then requeue the workstreams.
  std::vector<AttemptRecord> running;
  if (!store_->RunningAttempts(&running, error)) return false;
  for (const AttemptRecord& attempt : running) {
    // The pid may be missing (a crash between start and spawn) and processes
    // may have left the group; the attempt key in their environment finds them.
    bool killed = attempt.pid > 0 && KillStaleProcessGroup(attempt.pid, attempt.pid_start_time);
    killed = KillProcessesWithEnvironment(AttemptKey(attempt.id)) > 0 || killed;
    AttemptEnd end;
    end.outcome = AttemptOutcome::kAbandoned;
    end.new_status = WorkstreamStatus::kPending;
    end.error_message = "the orchestrator stopped while this attempt ran";
    end.event_type = "requeued";
    end.message = fmt::format("attempt {} was left running by a stopped orchestrator{}; requeued",
                              attempt.attempt,
                              killed ? " (its processes were still running and were killed)" : "");
    if (!store_->FinishAttempt(attempt.id, end, error)) return false;
    if (observer_) {
      LogEntry entry{0, FormatTimestamp(clock_->Now()), attempt.workstream_id, attempt.agent_id,
                     end.event_type, end.message};
      observer_->OnEvent(entry, RunProgress{});
    }
  }
  return true;
}

bool Executor::Restore(std::string* error) {
  const Graph& graph = *project_.graph;
  std::vector<std::pair<std::string, std::string>> id_tracks;
  for (const Workstream& workstream : project_.workstreams) {
    id_tracks.push_back({workstream.id, workstream.track});
  }
  std::vector<WorkstreamRecord> records;
  std::vector<AttemptRecord> attempts;
  if (!store_->SyncWorkstreams(id_tracks, error) || !store_->LoadWorkstreams(&records, error) ||
      !store_->LoadAttempts("", &attempts, error)) {
    return false;
  }
  std::map<std::string, std::vector<const AttemptRecord*>> attempts_by_id;
  for (const AttemptRecord& attempt : attempts) attempts_by_id[attempt.workstream_id].push_back(&attempt);
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
      if (outcome == AttemptOutcome::kFailed || outcome == AttemptOutcome::kTimedOut) ++failures;
      if (outcome == AttemptOutcome::kFailed || outcome == AttemptOutcome::kTimedOut) {
        last_failure_[node] = history[i]->error_message;
      }
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
  if (!blocked.empty() && !store_->MarkBlocked(blocked, "a dependency failed", error)) return false;
  if (!unblocked.empty() &&
      !store_->ResetToPending(unblocked, "unblocked", "no dependency has failed any more", error)) {
    return false;
  }
  return true;
}

void Executor::Pump() {
  if (paused_ || interrupts_ > 0 || stopped_ || !fatal_error_.empty()) return;
  for (const Assignment& assignment : scheduler_->Dispatch()) StartAttempt(assignment);
}

std::string Executor::AttemptKey(int64_t attempt_id) const {
  // Unique across projects on this machine: the state file plus the attempt row.
  return fmt::format("ORCHESTRA_ATTEMPT_KEY={}#{}", project_.StatePath(), attempt_id);
}

std::string Executor::AttemptLogPath(const std::string& id, int attempt) const {
  return (fs::path(project_.LogsDir()) / "workstreams" / id / fmt::format("attempt-{}.log", attempt))
      .string();
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
  attempt->log_path = AttemptLogPath(workstream.id, assignment.attempt);
  for (const std::string& test : workstream.acceptance_tests) {
    if (!LooksLikeProse(test)) attempt->acceptance_tests.push_back(test);
  }

  AttemptRecord record;
  record.workstream_id = workstream.id;
  record.attempt = assignment.attempt;
  record.agent_id = agent.id;
  record.log_path = attempt->log_path;
  std::string error;
  if (!store_->StartAttempt(record, &attempt->id, &error)) return Fail(error);
  Attempt* raw = attempt.get();
  attempts_[assignment.workstream] = std::move(attempt);
  Emit(workstream.id, agent.id, "started",
       fmt::format("attempt {} of {} started on {}", raw->number, workstream.id, agent.id));

  AttemptContext context;
  context.workstream = &workstream;
  context.agent = &agent;
  context.attempt = raw->number;
  auto last_failure = last_failure_.find(raw->workstream);
  context.prompt = BuildPrompt(workstream, last_failure == last_failure_.end() ? "" : last_failure->second);
  context.prompt_file = (fs::path(raw->log_path).parent_path() /
                         fmt::format("attempt-{}.prompt.md", raw->number)).string();
  context.workdir = project_.config.project_dir;
  context.workstream_file = fs::absolute(workstream.file).lexically_normal().string();
  context.log_path = raw->log_path;
  context.timeout_seconds = workstream.timeout_seconds.value_or(project_.config.timeout_seconds);
  context.kill_grace_seconds = project_.config.kill_grace_seconds;
  AppendToFile(context.prompt_file, context.prompt);

  ProcessSpec spec;
  int pid = 0;
  ProcessResult spawn_failure;
  if (!BuildAgentProcess(project_.config, context, &spec, &error)) {
    spawn_failure.spawn_error = error;
    AppendToFile(raw->log_path, "orchestra: " + error + "\n");
    return FinishAttempt(raw, AttemptOutcome::kFailed, spawn_failure, error);
  }
  spec.env.push_back(AttemptKey(raw->id));
  std::string command_line;
  for (const std::string& argument : spec.argv) command_line += " " + argument;
  AppendToFile(raw->log_path,
               fmt::format("orchestra: {} attempt {} on {} at {}\norchestra: argv:{}\n", workstream.id,
                           raw->number, agent.id, FormatTimestamp(raw->started_at), command_line));
  if (!runner_->Start(
          spec, [raw](const ProcessResult& result) { raw->executor->OnAgentExit(raw, result); },
          &raw->handle, &pid, &error)) {
    spawn_failure.spawn_error = error;
    return FinishAttempt(raw, AttemptOutcome::kFailed, spawn_failure, error);
  }
  if (!store_->SetAttemptPid(raw->id, pid, ProcessStartTime(pid), &error)) Fail(error);
}

void Executor::OnAgentExit(Attempt* attempt, const ProcessResult& result) {
  attempt->handle = 0;
  // Whatever the process started and left behind, even outside its process
  // group, ends with it.
  const int leftovers = KillProcessesWithEnvironment(AttemptKey(attempt->id));
  if (leftovers > 0) {
    AppendToFile(attempt->log_path,
                 fmt::format("orchestra: killed {} leftover process(es) of this attempt\n", leftovers));
  }
  if (interrupts_ > 0 || !fatal_error_.empty()) {
    return FinishAttempt(attempt, AttemptOutcome::kInterrupted, result, "interrupted");
  }
  if (attempt->phase == "agent") {
    attempt->agent_result = result;
    if (!result.Succeeded()) {
      const std::string reason = "agent " + result.Describe();
      return FinishAttempt(attempt, result.timed_out ? AttemptOutcome::kTimedOut : AttemptOutcome::kFailed,
                           result, reason);
    }
    attempt->phase = "acceptance";
    return RunNextAcceptanceTest(attempt);
  }
  // An acceptance test ended.
  const std::string test = attempt->acceptance_tests.front();
  attempt->acceptance_tests.erase(attempt->acceptance_tests.begin());
  if (!result.Succeeded()) {
    AppendToFile(attempt->log_path, fmt::format("orchestra: acceptance test failed ({}): {}\n",
                                                result.Describe(), test));
    const std::string reason =
        fmt::format("acceptance test `{}` failed ({}); last output:\n{}", test, result.Describe(),
                    LastLines(attempt->log_path, kFailureTailLines));
    return FinishAttempt(attempt, AttemptOutcome::kFailed, result, reason);
  }
  AppendToFile(attempt->log_path, fmt::format("orchestra: acceptance test passed: {}\n", test));
  RunNextAcceptanceTest(attempt);
}

void Executor::RunNextAcceptanceTest(Attempt* attempt) {
  if (attempt->acceptance_tests.empty()) {
    return FinishAttempt(attempt, AttemptOutcome::kSucceeded, attempt->agent_result, "");
  }
  const std::string& test = attempt->acceptance_tests.front();
  const Workstream& workstream = project_.workstreams[attempt->workstream];
  AppendToFile(attempt->log_path, fmt::format("orchestra: acceptance test: {}\n", test));
  ProcessSpec spec;
  spec.argv = {"sh", "-c", test};
  spec.cwd = project_.config.project_dir;
  spec.log_path = attempt->log_path;
  spec.timeout_seconds = project_.config.acceptance_timeout_seconds;
  spec.kill_grace_seconds = project_.config.kill_grace_seconds;
  spec.env = {"ORCHESTRA_WORKSTREAM_ID=" + workstream.id,
              "ORCHESTRA_ATTEMPT=" + std::to_string(attempt->number), AttemptKey(attempt->id)};
  int pid = 0;
  std::string error;
  if (!runner_->Start(
          spec, [attempt](const ProcessResult& result) { attempt->executor->OnAgentExit(attempt, result); },
          &attempt->handle, &pid, &error)) {
    ProcessResult failure;
    failure.spawn_error = error;
    FinishAttempt(attempt, AttemptOutcome::kFailed, failure, "acceptance test could not start: " + error);
  }
}

void Executor::FinishAttempt(Attempt* attempt, AttemptOutcome outcome, const ProcessResult& result,
                             const std::string& error_message) {
  const int node = attempt->workstream;
  const Workstream& workstream = project_.workstreams[node];
  const std::string agent_id = project_.config.agents[attempt->agent].id;
  const double duration = clock_->Now() - attempt->started_at;

  FinishResult finish;
  AttemptEnd end;
  end.outcome = outcome;
  if (result.spawn_error.empty() && result.term_signal == 0 && result.exit_code >= 0) {
    end.exit_code = result.exit_code;
  }
  if (result.term_signal != 0) end.signal = result.term_signal;
  end.duration_seconds = duration;
  end.error_message = error_message;
  if (outcome == AttemptOutcome::kInterrupted) {
    finish = scheduler_->Requeue(node);
    end.new_status = WorkstreamStatus::kPending;
    end.event_type = "interrupted";
    end.message = fmt::format("attempt {} interrupted; {} will run again on resume", attempt->number,
                              workstream.id);
  } else {
    finish = scheduler_->Finish(node, outcome == AttemptOutcome::kSucceeded);
    switch (finish.outcome) {
      case FinishResult::Outcome::kCompleted:
        end.new_status = WorkstreamStatus::kCompleted;
        end.event_type = "completed";
        end.message = fmt::format("{} completed in {} (attempt {})", workstream.id,
                                  FormatDuration(duration), attempt->number);
        observed_seconds_ += duration;
        observed_hours_ += workstream.estimate_hours.value_or(project_.config.estimate_hours);
        break;
      case FinishResult::Outcome::kRetry:
        end.new_status = WorkstreamStatus::kPending;
        end.event_type = outcome == AttemptOutcome::kTimedOut ? "timeout" : "retry";
        end.message = fmt::format("attempt {} failed: {}; retrying in {}", attempt->number,
                                  error_message.substr(0, error_message.find('\n')),
                                  FormatDuration(project_.config.backoff_seconds *
                                                 std::pow(2.0, finish.failures - 1)));
        break;
      case FinishResult::Outcome::kFailed:
      case FinishResult::Outcome::kRequeued:
        end.new_status = WorkstreamStatus::kFailed;
        end.event_type = outcome == AttemptOutcome::kTimedOut ? "timeout" : "failed";
        end.message = fmt::format("{} failed after {} attempt(s): {}", workstream.id, finish.failures,
                                  error_message.substr(0, error_message.find('\n')));
        break;
    }
  }
  const int64_t attempt_id = attempt->id;
  const int attempt_number = attempt->number;
  attempts_.erase(node);  // `attempt` is gone from here on

  std::string error;
  if (!store_->FinishAttempt(attempt_id, end, &error)) return Fail(error);
  Emit(workstream.id, agent_id, end.event_type, end.message);
  if (finish.outcome == FinishResult::Outcome::kRetry) {
    last_failure_[node] = fmt::format("Attempt {} failed: {}", attempt_number, error_message);
    ScheduleRetry(node, finish.failures);
  }
  if (!finish.blocked.empty()) {
    std::vector<std::string> blocked;
    for (int dependent : finish.blocked) blocked.push_back(project_.workstreams[dependent].id);
    const std::string reason = "dependency " + workstream.id + " failed";
    if (!store_->MarkBlocked(blocked, reason, &error)) return Fail(error);
    for (const std::string& id : blocked) Emit(id, "", "blocked", id + " blocked: " + reason);
  }
  if (finish.outcome == FinishResult::Outcome::kCompleted) MaybeReplan(node, duration);
  CheckPauseRequest();
  Pump();
  MaybeStop();
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

void Executor::ScheduleRetry(int workstream, int failures) {
  auto* timer = new uv_timer_t;
  uv_timer_init(loop_, timer);
  timer->data = this;
  retry_timers_[workstream] = timer;
  const double delay = project_.config.backoff_seconds * std::pow(2.0, failures - 1);
  uv_timer_start(
      timer,
      [](uv_timer_t* handle) {
        auto* self = static_cast<Executor*>(handle->data);
        for (auto it = self->retry_timers_.begin(); it != self->retry_timers_.end(); ++it) {
          if (it->second != handle) continue;
          self->scheduler_->RetryDue(it->first);
          self->retry_timers_.erase(it);
          break;
        }
        CloseAndDelete(handle);
        self->Pump();
        self->MaybeStop();
      },
      static_cast<uint64_t>(delay * 1000), 0);
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
    for (auto& [node, attempt] : attempts_) {
      if (attempt->handle) runner_->Terminate(attempt->handle);
    }
  } else {
    for (auto& [node, attempt] : attempts_) {
      if (attempt->handle) runner_->Kill(attempt->handle);
    }
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
  const bool stopping = paused_ || interrupts_ > 0 || !fatal_error_.empty();
  if (!attempts_.empty()) return;
  if (!stopping && !scheduler_->Finished()) return;
  stopped_ = true;
  for (auto& [node, timer] : retry_timers_) {
    uv_timer_stop(timer);
    CloseAndDelete(timer);
  }
  retry_timers_.clear();
  for (uv_signal_t* handle : signals_) {
    uv_signal_stop(handle);
    CloseAndDelete(handle);
  }
  signals_.clear();
  uv_timer_stop(tick_timer_);
  CloseAndDelete(tick_timer_);
  tick_timer_ = nullptr;
}

void Executor::Fail(const std::string& error) {
  // The state can no longer be written: stop everything rather than act on
  // changes that were never recorded. Resume picks up from what was committed.
  if (fatal_error_.empty()) fatal_error_ = error;
  for (auto& [node, attempt] : attempts_) {
    if (attempt->handle) runner_->Terminate(attempt->handle);
  }
  MaybeStop();
}

void Executor::Emit(const std::string& workstream_id, const std::string& agent_id,
                    const std::string& event_type, const std::string& message) {
  // Start/finish events are committed by their own transitions; run-level
  // events are appended here so the audit trail has them too.
  static const char* const kCommittedElsewhere[] = {"started", "completed", "retry", "timeout",
                                                    "failed", "interrupted", "blocked"};
  bool committed = false;
  for (const char* type : kCommittedElsewhere) committed = committed || event_type == type;
  std::string error;
  if (!committed && !store_->AppendLog(workstream_id, agent_id, event_type, message, &error)) {
    if (fatal_error_.empty()) fatal_error_ = error;
  }
  if (observer_) {
    LogEntry entry{0, FormatTimestamp(clock_->Now()), workstream_id, agent_id, event_type, message};
    observer_->OnEvent(entry, Progress());
  }
}

double Executor::SecondsPerEstimatedHour() const {
  if (observed_hours_ > 0) return observed_seconds_ / observed_hours_;
  double seconds = 3600;
  bool all_sim = !project_.config.agents.empty();
  double sim_scale = 0;
  for (const AgentConfig& agent : project_.config.agents) {
    auto type = project_.config.agent_types.find(agent.type);
    if (type == project_.config.agent_types.end() || type->second.kind != "sim") {
      all_sim = false;
    } else {
      sim_scale = std::max(sim_scale, type->second.time_scale);
    }
  }
  return all_sim ? sim_scale : seconds;
}

RunProgress Executor::Progress() const {
  RunProgress progress;
  if (!scheduler_) return progress;
  const Graph& graph = *project_.graph;
  double remaining_hours = 0;
  double longest_remaining = 0;
  for (int node = 0; node < graph.size(); ++node) {
    if (!selected_[node]) continue;
    ++progress.total;
    switch (scheduler_->state(node)) {
      case SchedulingState::kCompleted:
        ++progress.completed;
        continue;
      case SchedulingState::kFailed:
        ++progress.failed;
        continue;
      case SchedulingState::kBlocked:
        ++progress.blocked;
        continue;
      case SchedulingState::kRunning:
        ++progress.running;
        break;
      default:
        ++progress.waiting;
        break;
    }
    remaining_hours += project_.workstreams[node].estimate_hours.value_or(project_.config.estimate_hours);
    longest_remaining = std::max(longest_remaining, scheduler_->bottom_levels()[node]);
  }
  const double agents = std::max<double>(1, static_cast<double>(project_.config.agents.size()));
  progress.eta_seconds = std::max(remaining_hours / agents, longest_remaining) * SecondsPerEstimatedHour();
  progress.paused = paused_;
  progress.stopping = interrupts_ > 0;
  for (const auto& [node, attempt] : attempts_) {
    progress.attempts.push_back({project_.workstreams[node].id, project_.config.agents[attempt->agent].id,
                                 attempt->number, attempt->started_at, attempt->phase});
  }
  return progress;
}

}  // namespace orchestra
