// PostgresStore: the StateStore in a PostgreSQL database (libpqxx), selected by
// `--state postgresql://...` or `[state] url`, for state shared beyond one
// machine. Same tables, columns and semantics as SqliteStore; the schema and its
// migrations are at the top of postgres_store.cc and in docs/state.md.
#pragma once

#include <memory>
#include <string>

#include "clock.h"
#include "postgres_attempt_log_store.h"
#include "state_store.h"

namespace orchestra {

/// PostgresStore keeps the orchestration state in the tables of one PostgreSQL
/// schema (the connection's current schema, `public` unless the URL's options
/// set search_path). Every mutating call is one transaction committed before it
/// returns; a group (BeginGroup..CommitGroup) is one transaction whose calls are
/// savepoints. Not thread-safe, like every StateStore; any number of processes
/// may read and write the same database.
class PostgresStore : public StateStore {
 public:
  /// The schema version this build writes (schema_version.version).
  static int SchemaVersion();

  /// Connects to `url` and creates the schema, or migrates an older one, in
  /// one transaction. nullptr with `*error` (the URL redacted) on failure.
  /// `clock` must outlive the store.
  static std::unique_ptr<PostgresStore> Open(const std::string& url, const Clock* clock, std::string* error);
  /// Connects to `url` without creating anything. `*absent` is set when the
  /// database holds no orchestra schema yet (nothing has run).
  static std::unique_ptr<PostgresStore> OpenExisting(const std::string& url, const Clock* clock, bool* absent,
                                                     std::string* error);
  /// OpenExisting on a read-only connection (default_transaction_read_only):
  /// every mutating call fails.
  static std::unique_ptr<PostgresStore> OpenReadOnly(const std::string& url, const Clock* clock, bool* absent,
                                                     std::string* error);
  ~PostgresStore() override;

  bool SyncWorkstreams(const std::vector<std::pair<std::string, std::string>>& id_tracks,
                       std::string* error) override;
  bool LoadWorkstreams(std::vector<WorkstreamRecord>* records, std::string* error) override;
  bool LoadAttempts(const std::string& workstream_id, std::vector<AttemptRecord>* attempts,
                    std::string* error) override;
  bool LoadLog(const std::string& workstream_id, int limit, std::vector<LogEntry>* entries,
               std::string* error) override;
  bool RunningAttempts(std::vector<AttemptRecord>* attempts, std::string* error) override;
  bool StartAttempt(const AttemptRecord& attempt, int64_t* attempt_id, std::string* error) override;
  bool SetAttemptPid(int64_t attempt_id, int64_t pid, int64_t pid_start_time, std::string* error) override;
  bool RecordChanges(int64_t attempt_id, const std::string& head_commit, const std::string& out_of_scope_paths,
                     const std::string& message, std::string* error) override;
  bool RecordMerge(int64_t attempt_id, const std::string& merge_commit, const std::string& message,
                   std::string* error) override;
  bool FinishAttempt(int64_t attempt_id, const AttemptEnd& end, std::string* error) override;
  bool MarkBlocked(const std::vector<std::string>& workstream_ids, const std::string& reason,
                   std::string* error) override;
  bool ResetToPending(const std::vector<std::string>& workstream_ids, const std::string& event_type,
                      const std::string& message, std::string* error) override;
  bool AppendLog(const std::string& workstream_id, const std::string& agent_id, const std::string& event_type,
                 const std::string& message, std::string* error) override;
  bool BeginRun(int64_t pid, int64_t* run_id, std::string* error) override;
  bool CloseCrashedRuns(std::string* error) override;
  bool EndRun(int64_t run_id, RunState state, std::string* error) override;
  bool LatestRun(RunRecord* run, bool* found, std::string* error) override;
  bool RequestPause(std::string* error) override;
  bool ResetAll(std::string* error) override;
  bool SubmitPlan(const std::vector<PlanEntry>& entries, int64_t* submission_id, PlanChanges* changes,
                  std::string* error) override;
  bool LoadPlan(std::vector<PlanEntry>* entries, int64_t* submission_id, std::string* error) override;
  bool LatestSubmission(int64_t* submission_id, std::string* error) override;
  bool RegisterWorker(const WorkerRecord& worker, std::string* error) override;
  bool LoadWorkers(std::vector<WorkerRecord>* workers, std::string* error) override;
  bool TakeOverAttempts(const std::string& from_worker, const std::string& to_worker, double lease_seconds,
                        std::vector<Claim>* taken, std::string* error) override;
  bool ClaimWorkstream(const ClaimRequest& request, std::optional<Claim>* claim, std::string* error) override;
  bool RenewLeases(const std::string& worker_id, double lease_seconds, const std::vector<int64_t>& attempt_ids,
                   std::vector<int64_t>* lost, std::string* error) override;
  bool CountCompleted(int64_t* completed, std::string* error) override;
  bool RecordClaimedChanges(int64_t attempt_id, int64_t fencing_token, const std::string& head_commit,
                            const std::string& out_of_scope_paths, const std::string& message, bool* rejected,
                            std::string* error) override;
  bool FinishClaimedAttempt(int64_t attempt_id, int64_t fencing_token, const AttemptEnd& end, bool* rejected,
                            std::string* error) override;
  bool ReclaimExpiredLeases(std::vector<std::string>* reclaimed, std::string* error) override;
  bool IntegrationHead(const std::string& branch, std::string* head, std::string* error) override;
  bool StartIntegration(const std::string& branch, const std::string& head, std::string* current,
                        std::string* error) override;
  bool MoveIntegration(const IntegrationMove& move, MoveResult* result, std::string* error) override;
  /// A session advisory lock: released by UnlockMerges, or by the server when
  /// the connection ends (the worker died).
  bool AdvanceIntegration(const std::string& branch, const std::string& old_head, const std::string& new_head,
                          const std::string& message, bool* moved, std::string* error) override;
  bool TryLockMerges(bool* acquired, std::string* error) override;
  bool UnlockMerges(std::string* error) override;
  bool BeginGroup(std::string* error) override;
  bool CommitGroup(std::string* error) override;

  /// True (the default): a commit returns once the server has flushed it to
  /// disk (synchronous_commit on), so it survives a crash of the server's
  /// machine. False: once the server has it (synchronous_commit off), which
  /// survives a crash of Orchestra but not of the server ([state] durability
  /// = "process").
  bool SetSynchronousCommit(bool on, std::string* error);
  /// Asks the server to end this store's session once it has been idle for
  /// `seconds`, in a transaction or not (idle_session_timeout, PostgreSQL 14
  /// or later, and idle_in_transaction_session_timeout), its locks with it;
  /// the store reconnects at its next call. A worker sets it so that the
  /// merge lock, and the row locks of a transaction it was stopped in, of a
  /// worker paused or cut off lapse like its leases; it polls far more often
  /// than that while it runs.
  bool EndIdleSessionAfter(double seconds, std::string* error);

  // --- Attempt logs (postgres_attempt_log_store.h) ---
  /// The copies of attempt logs, for readers on other hosts: every store
  /// keeps them (made on first use, on a connection of its own).
  AttemptLogStore* attempt_logs() override;
  // --- end of attempt logs ---

  struct Connection;  // the libpqxx connection and the open group, if any

 private:
  PostgresStore(std::unique_ptr<Connection> connection, const Clock* clock);
  std::unique_ptr<Connection> connection_;
  const Clock* clock_;
  // Attempt logs: made by attempt_logs(); read-only for OpenReadOnly's stores.
  std::unique_ptr<PostgresAttemptLogStore> attempt_logs_;
  bool read_only_ = false;
  bool holds_merge_lock_ = false;
  int merge_lock_generation_ = 0;  // Connection::generation when it was taken
};

}  // namespace orchestra
