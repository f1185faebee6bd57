// The state store: every state change of a run, durable. The interface is what
// the orchestrator needs; `SqliteStore` (sqlite_store.h) is the embedded
// implementation, and docs/state.md documents the tables.
//
// Contract: each mutating call is one transaction, committed before it returns
// (the orchestrator acts on a change only after it is durable). Calls return
// false and set `*error` on failure, leaving the state as it was.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "usage.h"

namespace orchestra {

class AttemptLogStore;  // attempt_log_store.h

/// A workstream's status, as stored in workstream_status.status.
enum class WorkstreamStatus { kPending, kRunning, kCompleted, kFailed, kBlocked };

const char* StatusName(WorkstreamStatus status);
bool ParseStatus(const std::string& name, WorkstreamStatus* status);

/// One row of workstream_status (the seed's table, queried by users verbatim).
struct WorkstreamRecord {
  std::string workstream_id;
  WorkstreamStatus status = WorkstreamStatus::kPending;
  std::string agent_id;
  std::string track;
  std::string started_at;
  std::string completed_at;
  std::optional<int> exit_code;
  int attempt = 0;  // number of the latest attempt, 0 before the first
  std::string error_message;
};

/// How an attempt ended (attempts.outcome).
enum class AttemptOutcome {
  kRunning,      // still going, or the orchestrator died while it was
  kSucceeded,    // agent exited 0 and acceptance tests passed
  kFailed,       // non-zero exit, signal, failed acceptance test, spawn error
  kTimedOut,     // killed after its timeout
  kInterrupted,  // stopped by SIGINT/SIGTERM to the orchestrator
  kAbandoned,    // found running after the orchestrator died; requeued
  kConflict,     // its merge into the integration branch conflicted (worktree isolation)
  kRateLimited,  // the provider refused for now (HTTP 429): requeued, no attempt used up
  kFatal,        // authentication or configuration error: not retried
  kStalled,      // no output for the stall timeout: killed (retried like a failure)
};

const char* OutcomeName(AttemptOutcome outcome);
/// True for the outcomes that use up one of a workstream's attempts: failed,
/// timed_out, conflict, fatal, stalled (not a rate limit, an interruption or
/// an abandoned attempt, which the orchestrator stopped).
bool CountsAsFailure(AttemptOutcome outcome);
bool ParseOutcome(const std::string& name, AttemptOutcome* outcome);

/// One row of attempts: one run of one agent on one workstream.
struct AttemptRecord {
  int64_t id = 0;
  std::string workstream_id;
  int attempt = 0;  // 1-based
  std::string agent_id;
  int64_t pid = 0;             // also the process group id
  int64_t pid_start_time = 0;  // /proc/<pid>/stat start time, to detect pid reuse
  std::string started_at;
  std::string ended_at;
  AttemptOutcome outcome = AttemptOutcome::kRunning;
  std::optional<int> exit_code;
  std::optional<int> signal;
  double duration_seconds = 0;
  std::string log_path;
  std::string error_message;
  // Worktree isolation only (empty otherwise):
  std::string base_commit;         // integration head the worktree started from
  std::string head_commit;         // the workstream branch after Orchestra's commit
  std::string merge_commit;        // what the integration branch is (about to be) moved to
  std::string conflict_paths;      // newline-separated, when the merge conflicted
  std::string out_of_scope_paths;  // newline-separated changed files outside the declared scope
  // Coding agents:
  std::string agent_type;  // the agent type that ran it
  Usage usage;             // tokens and cost, as far as known
  std::string session_id;  // the agent's conversation, for a resume
};

/// One row of execution_log, the append-only audit trail.
struct LogEntry {
  int64_t id = 0;
  std::string timestamp;
  std::string workstream_id;  // may be empty for run-level events
  std::string agent_id;
  std::string event_type;  // started, completed, failed, retry, timeout, blocked, ...
  std::string message;
};

/// The end of an attempt and what it does to its workstream.
struct AttemptEnd {
  AttemptOutcome outcome = AttemptOutcome::kFailed;
  std::optional<int> exit_code;
  std::optional<int> signal;
  double duration_seconds = 0;
  std::string error_message;
  std::string conflict_paths;  // newline-separated; outcome kConflict
  Usage usage;                 // what the agent reported (or was priced at)
  std::string session_id;      // the agent's conversation, when it named one
  WorkstreamStatus new_status = WorkstreamStatus::kFailed;  // pending for a retry
  std::string event_type;                                   // logged with `message`
  std::string message;
};

/// The process of one attempt, once spawned (SetAttemptPids).
struct AttemptPid {
  int64_t attempt_id = 0;
  int64_t pid = 0;
  int64_t pid_start_time = 0;
};

/// A run's state (runs.state).
enum class RunState { kRunning, kPaused, kCompleted, kFailed, kInterrupted, kCrashed, kBudgetSpent };

const char* RunStateName(RunState state);
bool ParseRunState(const std::string& name, RunState* state);

/// One row of runs: one invocation of `orchestra run`.
struct RunRecord {
  int64_t id = 0;
  int64_t pid = 0;
  std::string started_at;
  std::string ended_at;
  RunState state = RunState::kRunning;
  bool pause_requested = false;
};

/// One workstream of a submitted plan (`orchestra submit`): its definition as
/// loaded, so that workers on other hosts run what was submitted and a change
/// of its file is noticed.
struct PlanEntry {
  std::string workstream_id;
  std::string track;
  std::vector<std::string> depends_on;
  std::string definition;    // the workstream object as canonical JSON (keys sorted)
  std::string content_hash;  // of `definition` (ContentHash)
  std::string source_file;   // the file it came from, as the submitter named it
};

/// How a submission differs from the one before (ids, sorted).
struct PlanChanges {
  std::vector<std::string> added;
  std::vector<std::string> removed;
  std::vector<std::string> edited;  // same id, another content hash
  bool empty() const { return added.empty() && removed.empty() && edited.empty(); }
};

/// What `entries` changes relative to `stored` (both any order).
PlanChanges DiffPlans(const std::vector<PlanEntry>& stored, const std::vector<PlanEntry>& entries);
/// The content hash of a definition: 16 hex digits of FNV-1a 64.
std::string ContentHash(const std::string& text);

/// One worker process (`orchestra worker`, or `orchestra run` on a shared
/// state), in the workers table.
struct WorkerRecord {
  std::string id;  // unique per process: host:pid:start
  std::string host;
  int64_t pid = 0;
  int64_t pid_start_time = 0;  // /proc/<pid>/stat start time: is `pid` still this worker? 0: unknown
  std::string started_at;
  std::string heartbeat_at;
};

/// A request to claim one ready workstream and start its attempt.
struct ClaimRequest {
  std::string worker_id;
  double lease_seconds = 30;
  std::string track;                    // only workstreams of this track; empty: any
  std::vector<std::string> candidates;  // only these, best first; empty: any ready one, by id
  /// The attempt to start: agent_id, agent_type, log_path, base_commit (the
  /// workstream and the attempt number come from the claim).
  AttemptRecord attempt;
};

/// A claimed workstream: its attempt is running under a lease that ends unless
/// renewed, and only the holder of `fencing_token` may record its end.
struct Claim {
  std::string workstream_id;
  int64_t attempt_id = 0;
  int attempt = 0;
  int64_t fencing_token = 0;
};

/// One move of an integration branch shared by several workers (each with
/// its own clone): from `old_head` to `new_head`, the merge of an attempt
/// claimed under `fencing_token`. The state, not any clone, holds the
/// branch's head; a move is accepted only from the head it was computed on.
struct IntegrationMove {
  std::string branch;
  std::string old_head;
  std::string new_head;
  int64_t attempt_id = 0;
  int64_t fencing_token = 0;
  std::string message;  // logged as `merging`
};

/// What became of an IntegrationMove.
enum class MoveResult {
  kMoved,        // the branch is at new_head; the attempt's merge_commit records it
  kLeaseLost,    // the attempt's lease was reclaimed (or it ended): nothing moved
  kBranchMoved,  // the branch is no longer at old_head: nothing moved, merge again
};

/// StateStore is the durable record of workstreams, attempts, the audit log and
/// runs. Not thread-safe: one orchestrator thread uses it; other processes may
/// read the same database concurrently.
class StateStore {
 public:
  virtual ~StateStore() = default;

  /// Makes sure each (id, track) has a row: missing ones are inserted as pending;
  /// the track of existing non-running rows is updated. Rows for ids no longer
  /// in the plan are left alone.
  virtual bool SyncWorkstreams(const std::vector<std::pair<std::string, std::string>>& id_tracks,
                               std::string* error) = 0;
  virtual bool LoadWorkstreams(std::vector<WorkstreamRecord>* records, std::string* error) = 0;
  /// How many rows are completed (of any id, in the plan or not): fewer than
  /// the plan's workstreams means a run has something to do, without reading
  /// every row. By default LoadWorkstreams, counted.
  virtual bool CountCompleted(int64_t* completed, std::string* error) {
    std::vector<WorkstreamRecord> records;
    if (!LoadWorkstreams(&records, error)) return false;
    *completed = std::count_if(records.begin(), records.end(), [](const WorkstreamRecord& record) {
      return record.status == WorkstreamStatus::kCompleted;
    });
    return true;
  }
  /// Attempts of one workstream, or of all when `workstream_id` is empty, by id.
  virtual bool LoadAttempts(const std::string& workstream_id, std::vector<AttemptRecord>* attempts,
                            std::string* error) = 0;
  /// Every attempt, by id, with only what usage and duration totals need:
  /// workstream_id, attempt, agent_type, duration_seconds and the usage's
  /// tokens and cost (the rest left empty). A status of 100,000 workstreams
  /// reads this instead of every column. By default LoadAttempts.
  virtual bool LoadAttemptUsage(std::vector<AttemptRecord>* attempts, std::string* error) {
    return LoadAttempts("", attempts, error);
  }
  /// The last `limit` log entries (all when 0) of one workstream or of all, oldest first.
  virtual bool LoadLog(const std::string& workstream_id, int limit, std::vector<LogEntry>* entries,
                       std::string* error) = 0;

  /// Workstream -> running (agent, attempt, started_at set; completed_at, exit
  /// code and error cleared); inserts the attempt row (outcome running); logs
  /// `started`. Sets `*attempt_id`. Fails if the workstream has no row or is
  /// already running (its attempt must be finished first).
  virtual bool StartAttempt(const AttemptRecord& attempt, int64_t* attempt_id,
                            std::string* error) = 0;
  /// Attempts still marked running, by id. At resume these are the work a dead
  /// orchestrator left behind: the caller kills their processes, then closes each
  /// with FinishAttempt (outcome abandoned, new_status pending).
  virtual bool RunningAttempts(std::vector<AttemptRecord>* attempts, std::string* error) = 0;
  /// Records the process (group) id once the agent is spawned.
  virtual bool SetAttemptPid(int64_t attempt_id, int64_t pid, int64_t pid_start_time,
                             std::string* error) = 0;
  /// SetAttemptPid for several attempts at once (those launched in one loop
  /// turn), in one transaction where the store can: all or nothing. By
  /// default one SetAttemptPid each, stopping at the first failure.
  virtual bool SetAttemptPids(const std::vector<AttemptPid>& pids, std::string* error) {
    for (const AttemptPid& pid : pids) {
      if (!SetAttemptPid(pid.attempt_id, pid.pid, pid.pid_start_time, error)) return false;
    }
    return true;
  }
  /// Records what an attempt changed (worktree isolation): its branch head and
  /// the changed files outside its declared scope (newline-separated, may be
  /// empty). Logs `changes` with `message`.
  virtual bool RecordChanges(int64_t attempt_id, const std::string& head_commit,
                             const std::string& out_of_scope_paths, const std::string& message,
                             std::string* error) = 0;
  /// Records that the integration branch is about to move to `merge_commit`
  /// for this attempt (logged as `merging`). Written before the ref moves, so a
  /// resumed run can tell whether the merge happened: it did exactly when
  /// `merge_commit` is in the integration branch's history.
  virtual bool RecordMerge(int64_t attempt_id, const std::string& merge_commit,
                           const std::string& message, std::string* error) = 0;
  /// Closes the attempt and moves its workstream to `end.new_status` (exit code,
  /// error_message, completed_at for completed/failed), logging `end.event_type`.
  /// Fails for an unknown or already ended attempt, or a `running` end.
  virtual bool FinishAttempt(int64_t attempt_id, const AttemptEnd& end, std::string* error) = 0;
  /// Workstreams -> blocked, each logged as `blocked` with `reason`, which
  /// becomes its error_message. All or nothing: fails if any id is unknown or
  /// running.
  virtual bool MarkBlocked(const std::vector<std::string>& workstream_ids, const std::string& reason,
                           std::string* error) = 0;
  /// Workstreams -> pending with attempt counter 0 (retry), each logged with
  /// `event_type` and `message`. All or nothing: fails if any id is unknown or
  /// running.
  virtual bool ResetToPending(const std::vector<std::string>& workstream_ids,
                              const std::string& event_type, const std::string& message,
                              std::string* error) = 0;
  /// Appends one audit entry.
  virtual bool AppendLog(const std::string& workstream_id, const std::string& agent_id,
                         const std::string& event_type, const std::string& message,
                         std::string* error) = 0;

  /// Starts a run row (state running) for this orchestrator's `pid`. The caller
  /// holds the state lock, so runs still `running` belong to orchestrators that
  /// died: they are recorded as `crashed` (logged as `crashed`) first.
  /// `*run_id` is set only when the run was committed.
  virtual bool BeginRun(int64_t pid, int64_t* run_id, std::string* error) = 0;
  /// What BeginRun does first, alone: runs a dead orchestrator left `running`
  /// become `crashed`, each logged. For a `run` with nothing to do, whose
  /// predecessor died after its last workstream, before it ended.
  virtual bool CloseCrashedRuns(std::string* error) = 0;
  virtual bool EndRun(int64_t run_id, RunState state, std::string* error) = 0;
  /// The newest run, if any (`found` false when there is none).
  virtual bool LatestRun(RunRecord* run, bool* found, std::string* error) = 0;
  /// Asks the newest running run to pause (sets pause_requested).
  virtual bool RequestPause(std::string* error) = 0;

  // --- Several workers (docs/state.md "Workers"). ---

  /// Stores `entries` as the submitted plan, replacing the one before, and
  /// makes sure each has a workstream_status row (SyncWorkstreams). `*changes`
  /// says what differs from the stored plan; nothing is written when nothing
  /// does. Logs `submitted` with the changes. `*submission_id` is the id of
  /// the plan now stored.
  virtual bool SubmitPlan(const std::vector<PlanEntry>& entries, int64_t* submission_id, PlanChanges* changes,
                          std::string* error) {
    (void)entries, (void)submission_id, (void)changes;
    *error = "this state store keeps no submitted plan";
    return false;
  }
  /// The submitted plan, by id (`*submission_id` 0 and no entries when none).
  virtual bool LoadPlan(std::vector<PlanEntry>* entries, int64_t* submission_id, std::string* error) {
    (void)entries, (void)submission_id;
    *error = "this state store keeps no submitted plan";
    return false;
  }
  /// The id of the submitted plan (0 when none), without reading it: what a
  /// waiting worker polls. By default LoadPlan's.
  virtual bool LatestSubmission(int64_t* submission_id, std::string* error) {
    std::vector<PlanEntry> entries;
    return LoadPlan(&entries, submission_id, error);
  }
  /// Records a worker (or its heartbeat, when it is known already).
  virtual bool RegisterWorker(const WorkerRecord& worker, std::string* error) {
    (void)worker;
    *error = "this state store has no workers";
    return false;
  }
  /// Every worker ever registered, live or not, by id.
  virtual bool LoadWorkers(std::vector<WorkerRecord>* workers, std::string* error) {
    (void)workers;
    *error = "this state store has no workers";
    return false;
  }
  /// Gives `to_worker` the attempts `from_worker` left running (each under a
  /// new fencing token and a lease of `lease_seconds`, logged
  /// `lease_taken_over`): a worker that found a dead predecessor on its own
  /// host recovers them as a lone run does, instead of waiting for their
  /// leases to lapse. `*taken` lists them.
  virtual bool TakeOverAttempts(const std::string& from_worker, const std::string& to_worker, double lease_seconds,
                                std::vector<Claim>* taken, std::string* error) {
    (void)from_worker, (void)to_worker, (void)lease_seconds, (void)taken;
    *error = "this state store has no leases";
    return false;
  }
  /// Atomically picks a pending workstream of the submitted plan whose
  /// dependencies are all completed (one of `candidates` when given, the first
  /// in their order), reclaiming expired leases first, and starts its attempt
  /// (as StartAttempt) under a lease of `lease_seconds` owned by the worker,
  /// with a new fencing token. `*claim` is empty when none could be claimed.
  virtual bool ClaimWorkstream(const ClaimRequest& request, std::optional<Claim>* claim, std::string* error) {
    (void)request, (void)claim;
    *error = "this state store has no claims";
    return false;
  }
  /// The worker's heartbeat: extends the leases of its running `attempt_ids`
  /// by `lease_seconds`; `*lost` lists those it no longer holds (reclaimed).
  virtual bool RenewLeases(const std::string& worker_id, double lease_seconds, const std::vector<int64_t>& attempt_ids,
                           std::vector<int64_t>* lost, std::string* error) {
    (void)worker_id, (void)lease_seconds, (void)attempt_ids, (void)lost;
    *error = "this state store has no leases";
    return false;
  }
  /// FinishAttempt, only while `fencing_token` is still the attempt's current
  /// one and the attempt is running. Otherwise nothing changes but the log:
  /// `*rejected` is set and `rejected_late_result` is logged.
  virtual bool FinishClaimedAttempt(int64_t attempt_id, int64_t fencing_token, const AttemptEnd& end, bool* rejected,
                                    std::string* error) {
    (void)attempt_id, (void)fencing_token, (void)end, (void)rejected;
    *error = "this state store has no claims";
    return false;
  }
  /// RecordChanges, only while `fencing_token` is still the attempt's current
  /// one and the attempt is running. Otherwise nothing changes: `*rejected`
  /// is set (the worker's end, refused the same way, logs the rejection).
  virtual bool RecordClaimedChanges(int64_t attempt_id, int64_t fencing_token, const std::string& head_commit,
                                    const std::string& out_of_scope_paths, const std::string& message, bool* rejected,
                                    std::string* error) {
    (void)attempt_id, (void)fencing_token, (void)head_commit, (void)out_of_scope_paths, (void)message, (void)rejected;
    *error = "this state store has no claims";
    return false;
  }
  /// Closes every running attempt whose lease has expired as abandoned (its
  /// workstream pending again, logged `lease_expired`); `*reclaimed` lists
  /// their workstreams.
  virtual bool ReclaimExpiredLeases(std::vector<std::string>* reclaimed, std::string* error) {
    (void)reclaimed;
    *error = "this state store has no leases";
    return false;
  }

  // --- An integration branch shared by several workers (docs/state.md "Git across hosts"). ---

  /// The head the state records for `branch` ("" when none is recorded yet).
  virtual bool IntegrationHead(const std::string& branch, std::string* head, std::string* error) {
    (void)branch, (void)head;
    *error = "this state store shares no integration branch";
    return false;
  }
  /// Records `head` as `branch`'s head unless one is recorded already;
  /// `*current` is the head recorded after the call (the first worker's wins).
  virtual bool StartIntegration(const std::string& branch, const std::string& head, std::string* current,
                                std::string* error) {
    (void)branch, (void)head, (void)current;
    *error = "this state store shares no integration branch";
    return false;
  }
  /// In one transaction: checks that the attempt is running under
  /// `move.fencing_token` and that the branch is at `move.old_head`, then
  /// moves it to `move.new_head`, records the merge (attempts.merge_commit and
  /// a row of integration_merges) and logs `merging`. A reclaimed lease whose
  /// attempt has a recorded merge completes its workstream instead of
  /// requeueing it, so a merge is never done twice.
  virtual bool MoveIntegration(const IntegrationMove& move, MoveResult* result, std::string* error) {
    (void)move, (void)result;
    *error = "this state store shares no integration branch";
    return false;
  }
  /// Moves `branch` from `old_head` to `new_head` when it is still at
  /// `old_head` (`*moved` says whether it was), logging `synced` with
  /// `message`: `orchestra run` bringing the user's branch in, under the merge
  /// lock. No attempt is involved; a merge goes through MoveIntegration.
  virtual bool AdvanceIntegration(const std::string& branch, const std::string& old_head, const std::string& new_head,
                                  const std::string& message, bool* moved, std::string* error) {
    (void)branch, (void)old_head, (void)new_head, (void)message, (void)moved;
    *error = "this state store shares no integration branch";
    return false;
  }
  /// Takes the merge lock (one merging worker at a time across hosts) when no
  /// one holds it; `*acquired` says whether this store holds it now. Held
  /// until UnlockMerges or the end of the store's connection.
  virtual bool TryLockMerges(bool* acquired, std::string* error) {
    (void)acquired;
    *error = "this state store has no merge lock";
    return false;
  }
  virtual bool UnlockMerges(std::string* error) {
    *error = "this state store has no merge lock";
    return false;
  }

  /// Deletes every row of every table (`orchestra reset`).
  virtual bool ResetAll(std::string* error) = 0;

  /// Group commit: after BeginGroup, each mutating call is its own change
  /// inside one transaction (a call that fails undoes only its own change),
  /// and CommitGroup commits them all with one sync; nothing may act on them
  /// before. False from BeginGroup when no group was opened (the write lock
  /// is busy, or the store has no groups): each call then commits alone.
  virtual bool BeginGroup(std::string* error) {
    *error = "this state store commits each change alone";
    return false;
  }
  /// Commits the open group; on failure none of its changes is recorded.
  virtual bool CommitGroup(std::string* error) {
    (void)error;
    return true;
  }

  /// True when the last failed mutating call failed only because another
  /// process held the database's write lock: nothing was written, and the same
  /// call may succeed later.
  virtual bool LastCallWasBusy() const { return false; }

  // --- Attempt logs (attempt_log_store.h) ---
  /// Where this store keeps copies of attempt logs for readers on other
  /// hosts; null when every reader of the state is on this host and reads the
  /// log files (SQLite): then nothing is copied.
  virtual AttemptLogStore* attempt_logs() { return nullptr; }
  // --- end of attempt logs ---
};

}  // namespace orchestra
