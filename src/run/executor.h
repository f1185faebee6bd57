// The executor: carries out the scheduler's decisions. It starts agents and
// acceptance tests, records every state change in the store before acting on
// it, reports events to the observer, and handles timeouts, retries with
// backoff, interrupts, pause and resume. It decides nothing about what runs
// next; the scheduler does.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "attempt_log_copier.h"
#include "attempt_outcome.h"
#include "clock.h"
#include "git.h"
#include "lock_backoff.h"
#include "merge_queue.h"
#include "process.h"
#include "process_table.h"
#include "project.h"
#include "recovery.h"
#include "run_observer.h"
#include "scheduler.h"
#include "shared_integration.h"
#include "state_store.h"
#include "timers.h"
#include "work_coordinator.h"
#include "worktree.h"

struct uv_idle_s;
struct uv_loop_s;
struct uv_signal_s;

namespace orchestra {

/// How a run ended.
enum class RunEnd {
  kCompleted,    // every selected workstream completed
  kIncomplete,   // some failed or are blocked (or no agent could take them)
  kPaused,       // `orchestra pause` asked; running agents finished
  kInterrupted,  // SIGINT/SIGTERM
  kError,        // the state could not be written; stopped to lose nothing
  kBudgetSpent,  // attempts cost budget_usd: nothing new started; running agents finished
};

/// Exit code for a run end: 0, 1, 0, 130, 1, 1.
int ExitCodeFor(RunEnd end);

/// ExecutorEffects are everything the executor does to the world, injected:
/// a test replaces any of them (a fake process runner, a store or git that
/// fails one call, timers in virtual time). The executor constructs none.
struct ExecutorEffects {
  StateStore* store = nullptr;
  ProcessRunner* runner = nullptr;
  ProcessTable* processes = nullptr;  // finds and kills what attempts left behind
  Git* git = nullptr;                 // used with worktree isolation only
  Timers* timers = nullptr;           // retry backoff and the display tick
  const Clock* clock = nullptr;
  RunObserver* observer = nullptr;    // may be null
  uv_loop_s* loop = nullptr;          // runs everything; SIGINT/SIGTERM/SIGUSR1 arrive on it
  int64_t pid = 0;                    // this orchestrator's pid, recorded in the run row
  std::string containment;            // what contains an attempt's processes (DescribeContainment); said at start
  /// Set: this executor is one of several workers (`orchestra worker`): it
  /// claims before it starts, records ends under the fencing token, and
  /// follows the others' progress (work_coordinator.h). Null: it owns the state.
  WorkCoordinator* coordinator = nullptr;
};

/// Executor runs one `orchestra run` over a validated project. Single-threaded:
/// everything happens on the libuv loop of its effects.
class Executor {
 public:
  Executor(const Project& project, const ExecutorEffects& effects);
  ~Executor();

  /// Runs the selected workstreams (all when `targets` is empty; otherwise
  /// those and their dependencies) until nothing more can run, or until paused
  /// or interrupted. `*error` explains a kError end.
  RunEnd Run(const std::vector<int>& targets, std::string* error);

  /// Records and shows a run-level event that happened outside the run
  /// (`workstreams_changed`: the folder changed under it), while it runs.
  void ReportOutsideEvent(const std::string& event_type, const std::string& message);

  /// The scheduler's final view (valid after Run).
  const Scheduler& scheduler() const { return *scheduler_; }

  /// Workstreams merged into the integration branch by this run (worktree isolation).
  int merged_count() const { return merged_count_; }

  /// What every attempt recorded in the state has cost so far (USD), this run's included.
  double spent_usd() const { return spent_usd_; }

 private:
  struct Attempt;
  /// The dispatch limits of one agent type (docs/agents.md): a cap on attempts
  /// running at once, a spacing between starts (requests_per_minute), a pause
  /// after the provider's rate limit, or out for the run after a fatal error.
  struct TypeGate {
    std::string name;
    int max_concurrent = 0;      // 0: no cap
    double start_interval = 0;   // seconds between starts; 0: none
    double next_start_at = 0;    // no start before this time
    double paused_until = 0;     // rate-limited until this time
    int rate_limit_streak = 0;   // rate limits since this type's last success
    std::string out_reason;      // set: takes no more work this run (a fatal error)
    int64_t timer = 0;           // wakes dispatch when the pause or the spacing ends
  };

  /// The workstreams this run is to complete: `targets` and what they need (all when empty).
  void Select(const std::vector<int>& targets);
  /// The scheduler over the state's rows as recovery left them (`records`,
  /// `attempts`: read once, for it and for Restore).
  void BuildScheduler(const std::vector<int>& targets, const std::vector<WorkstreamRecord>& records,
                      const std::vector<AttemptRecord>& attempts);
  bool PrepareIsolation(std::string* error);
  void InstallLoopHandles();
  RunEnd DecideEnd(RunState* state) const;
  bool Recover(std::string* error);
  /// Goes on with the attempts recovery continued (adopted, collected): each
  /// runs again on its agent, its agent's end awaited or judged now.
  void ContinueAttempts();
  /// An attempt recovery meant to continue that cannot be: closed as abandoned.
  void AbandonContinued(const AttemptRecord& record);
  bool Restore(const std::vector<WorkstreamRecord>& records, const std::vector<AttemptRecord>& attempts,
               std::string* error);
  void Notify(const LogEntry& event);
  void Pump();
  /// Tells the scheduler how many attempts each agent type may start now.
  void UpdateGroupLimits();
  /// The gate of the type an attempt of `workstream` on `agent` runs.
  int GroupOf(int agent, int workstream) const;
  int GroupOf(const Attempt& attempt) const;
  /// The agent type an attempt runs.
  const AgentType* TypeOfAttempt(const Attempt& attempt) const;
  /// Starts watching the attempt's log for output; kills it once it has been
  /// silent for its stall timeout.
  void WatchForStall(Attempt* attempt, double stall_seconds);
  void CheckStall(Attempt* attempt, double stall_seconds);
  void StopWatchingForStall(int64_t attempt_id);
  /// After an attempt's end: budget, rate-limit pause, a type out for the run.
  /// The scheduler takes an attempt's end (`verdict`): requeued, postponed or
  /// finished. PreviewEnd says what ApplyEnd would return, changing nothing.
  FinishResult ApplyEnd(int node, const StepVerdict& verdict);
  FinishResult PreviewEnd(int node, const StepVerdict& verdict) const;
  void AccountFor(int node, int type, const AttemptEnd& end);
  void StartAttempt(const Assignment& assignment);
  /// Once its start is committed: the worktree, then the agent.
  void SetUpAttempt(Attempt* attempt);
  /// Writes the prompt and starts the agent process of a recorded attempt.
  void LaunchAgent(Attempt* attempt);
  /// Records the pids of launched agents, in one change.
  void WritePids(std::vector<AttemptPid> pids);
  /// A step of the attempt ended: JudgeStep decides; true when it goes on.
  /// Otherwise the attempt is finished (or dropped) and gone.
  bool Judge(Attempt* attempt, const StepFacts& facts, const ProcessResult& result);
  void FailSetup(Attempt* attempt, const std::string& error);
  /// A process of the attempt ended: it waits for the next leftover scan.
  void OnProcessExit(Attempt* attempt, const ProcessResult& result);
  /// Starts the leftover scan of the processes that ended, once per loop turn
  /// and one at a time: one pass over /proc for all their attempts, off the loop.
  void ScheduleLeftoverScan();
  void StartLeftoverScan();
  /// The attempt's process ended and nothing it started is left: judge its end.
  void AfterProcessExit(Attempt* attempt, const ProcessResult& result);
  void RunNextAcceptanceTest(Attempt* attempt);
  void FinishAttempt(Attempt* attempt, const StepVerdict& verdict, const ProcessResult& result);
  // Worktree isolation: after the agent, commit and check; then the merge queue.
  /// Worktrees: reports what changed in the main checkout while the
  /// attempt's agent ran (outside_writes.h).
  void ReportOutsideWrites(Attempt* attempt);
  void CommitAndCheckChanges(Attempt* attempt);
  void EnqueueMerge(Attempt* attempt);
  void MergeNext();
  /// The next workstream to merge, when none is merging (and, for a worker
  /// sharing its integration branch, when it got the merge lock); -1 otherwise.
  int TakeNextMerge();
  /// A worker's merge, under the merge lock: this clone's integration branch
  /// set to the state's head before the merge is computed on it.
  bool PrepareSharedMerge(std::string* error);
  void ReleaseMergeLock();
  void CommitMerge(Attempt* attempt);
  void AdvanceMerge(Attempt* attempt, const std::string& message);
  /// The attempt of `node` when it is still attempt `attempt_id`, else null
  /// (it ended while a state change of it waited for the state).
  Attempt* Live(int node, int64_t attempt_id);
  void AfterFinish(int node, const std::string& agent_id, const AttemptEnd& end, const FinishResult& finish,
                   bool was_merging, int attempt_number, const std::string& failure, double duration,
                   double rate_limit_delay);

  // State changes. Each is committed before what follows it acts on it. When
  // another process holds the database's write lock, the change and
  // everything after it wait, in order, while agents go on and nothing new
  // starts; they are retried on a timer (lock_backoff.h) until the lock is
  // free, for at most `state_lock_timeout`.
  using Write = std::function<bool(std::string*)>;
  /// During the loop, the changes of one loop turn form one group (one
  /// sync): each `then` waits for the group's commit at the end of the turn.
  /// `opens_group` false: a change that needs no group of its own (joins one
  /// already open, else commits alone at once).
  void Commit(const std::string& what, Write write, std::function<void()> then = {}, bool opens_group = true);
  /// Opens this turn's group of changes if there is none; false when changes
  /// commit alone (no loop, held writes, or the store has no groups).
  bool JoinGroup();
  /// Commits this turn's group, then runs what waited for it.
  void FlushGroup();
  void WaitForLock(std::string what);
  void RetryPendingWrites();
  /// Forgets the held changes (a second interrupt): the next run redoes their work.
  void DropHeldWrites();
  void NoteWriteDone();
  /// Commits `write` before or after the loop runs (nothing it could stall),
  /// retrying while it is busy: each try waits the store's own busy timeout,
  /// then the clock sleeps as LockBackoff says; for at most state_lock_timeout.
  bool CommitNow(const Write& write, std::string* error);
  /// What the store records for an ended attempt: outcome, new status, event.
  AttemptEnd DescribeEnd(const Attempt& attempt, const StepVerdict& verdict, const ProcessResult& result,
                         const FinishResult& finish, double duration) const;
  /// The backoff before the retry that follows the `failures`-th failure.
  double RetryDelay(int failures) const;
  void ScheduleRetry(int workstream, double delay_seconds);
  void MaybeReplan(int workstream, double duration_seconds);
  /// A worker's poll: renews its leases and brings the other workers'
  /// progress into the scheduler's view (docs/state.md "Workers").
  void SyncWithWorkers();
  void OnSignal(int signal_number);
  void CheckPauseRequest();
  void MaybeStop();
  void Fail(const std::string& error);
  void Emit(const std::string& workstream_id, const std::string& agent_id,
            const std::string& event_type, const std::string& message);
  RunProgress Progress() const;
  double SecondsPerEstimatedHour() const;
  bool AllAgentsSimulated() const;
  /// logs/workstreams/<id>: where the files of the workstream's attempts go.
  std::string AttemptDir(const std::string& id) const;
  std::string KeyOf(int64_t attempt_id) const;

  const Project& project_;
  const ExecutorEffects effects_;
  StateStore* store_;
  ProcessRunner* runner_;
  const Clock* clock_;
  RunObserver* observer_;

  std::unique_ptr<Scheduler> scheduler_;
  std::vector<bool> selected_;
  int selected_count_ = 0;
  std::map<int, std::unique_ptr<Attempt>> attempts_;  // by workstream
  std::vector<ContinuedAttempt> continued_;           // found by recovery, continued after Restore
  std::map<int, int64_t> retry_timers_;                // by workstream
  std::map<int, std::string> last_failure_;            // by workstream, for retry prompts
  std::vector<uv_signal_s*> signals_;
  int64_t tick_timer_ = 0;
  int64_t worker_timer_ = 0;  // SyncWithWorkers, with a coordinator
  /// Processes that ended, waiting for the leftover scan of their attempts.
  struct EndedProcess {
    int workstream;
    int64_t attempt_id;
    ProcessResult result;
  };
  std::vector<EndedProcess> ended_processes_;
  bool scan_running_ = false;
  uv_idle_s* scan_idle_ = nullptr;  // starts the scan once the loop turn is over
  struct PendingWrite {
    std::string what;
    Write write;
    std::function<void()> then;
  };
  std::deque<PendingWrite> pending_writes_;
  bool group_open_ = false;                       // a group of changes awaits its commit
  std::vector<std::function<void()>> group_thens_;  // what acts on them, in order
  uv_idle_s* group_idle_ = nullptr;               // commits the group once the turn is over
  bool in_group_thens_ = false;                   // running a group's thens: pids wait for the end
  std::vector<AttemptPid> held_pids_;             // of the agents launched meanwhile
  int64_t lock_timer_ = 0;          // retries pending writes while the state is locked
  double lock_wait_started_ = 0;    // when a write first met the lock; 0 when not waiting
  LockBackoff lock_backoff_;        // the waits between its tries
  int64_t run_id_ = 0;
  bool records_run_ = true;  // a lone run, or `run` on a shared state: a runs row
  int interrupts_ = 0;
  bool paused_ = false;
  bool stopped_ = false;
  std::string fatal_error_;
  double observed_seconds_ = 0;  // actual durations of succeeded attempts...
  double observed_hours_ = 0;    // ...and their estimates, for the ETA
  double learned_seconds_per_hour_ = 0;  // the pace of earlier runs (0: none recorded)
  SchedulingInputs planning_inputs_;  // what the planner's rank was computed from
  int replans_ = 0;

  std::vector<TypeGate> gates_;           // by agent group (agent type)
  std::vector<int> agent_group_;          // by agent: index in gates_
  std::vector<int> workstream_group_;     // by workstream: its route's type's gate, or -1 (empty: no routes)
  std::map<int, std::string> resume_session_;  // by workstream: the conversation to continue
  std::map<int, int64_t> stall_timers_;   // by attempt id
  double spent_usd_ = 0;
  std::map<int, double> workstream_spent_;  // by workstream: what its attempts cost
  bool budget_spent_ = false;

  // Copies attempt logs into the state for other hosts; null when the store keeps no copies (SQLite).
  std::unique_ptr<AttemptLogCopier> log_copier_;

  // Worktree isolation; null with isolation "none".
  std::unique_ptr<Worktrees> worktrees_;
  std::unique_ptr<MergeQueue> merge_queue_;
  /// A worker with worktree isolation: the integration branch is the state's,
  /// shared with workers on other hosts through a git remote.
  std::unique_ptr<SharedIntegration> shared_;
  bool in_merge_next_ = false;
  int merged_count_ = 0;
};

}  // namespace orchestra
