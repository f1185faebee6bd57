// SqliteStore: the StateStore in an embedded SQLite database (WAL mode), the
// default at `.state/orchestration.db`. The schema is at the top of
// sqlite_store.cc and in docs/state.md.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "clock.h"
#include "sqlite_statement.h"
#include "state_store.h"

struct sqlite3;

namespace orchestra {

/// How far a committed change survives: kFull a power cut (WAL synced at
/// every commit, SQLite's synchronous=FULL), kNormal a crash of Orchestra but
/// not of the machine (synchronous=NORMAL: synced at checkpoints only).
enum class Durability { kFull, kNormal };

/// SqliteStore keeps the orchestration state in one SQLite file. Opening creates
/// the file, its folder and the schema when missing. Readers in other processes
/// (status, sqlite3 CLI) never block the writer for long: WAL mode, busy timeout.
class SqliteStore : public StateStore {
 public:
  /// Opens (creating if needed) the database at `path`. Returns nullptr and
  /// sets `*error` on failure. `clock` must outlive the store.
  static std::unique_ptr<SqliteStore> Open(const std::string& path, const Clock* clock,
                                           std::string* error);
  /// Opens an existing database without creating anything (read-only commands).
  static std::unique_ptr<SqliteStore> OpenExisting(const std::string& path, const Clock* clock,
                                                   std::string* error);
  /// Opens an existing database read-only (SQLITE_OPEN_READONLY): every
  /// mutating call fails, and closing never checkpoints or removes the WAL, so
  /// a reader (the dashboard) leaves the file exactly as it found it.
  static std::unique_ptr<SqliteStore> OpenReadOnly(const std::string& path, const Clock* clock,
                                                   std::string* error);
  ~SqliteStore() override;

  bool SyncWorkstreams(const std::vector<std::pair<std::string, std::string>>& id_tracks,
                       std::string* error) override;
  bool LoadWorkstreams(std::vector<WorkstreamRecord>* records, std::string* error) override;
  bool LoadAttempts(const std::string& workstream_id, std::vector<AttemptRecord>* attempts,
                    std::string* error) override;
  bool CountCompleted(int64_t* completed, std::string* error) override;
  bool LoadAttemptUsage(std::vector<AttemptRecord>* attempts, std::string* error) override;
  bool LoadLog(const std::string& workstream_id, int limit, std::vector<LogEntry>* entries,
               std::string* error) override;
  bool RunningAttempts(std::vector<AttemptRecord>* attempts, std::string* error) override;
  bool StartAttempt(const AttemptRecord& attempt, int64_t* attempt_id, std::string* error) override;
  bool SetAttemptPid(int64_t attempt_id, int64_t pid, int64_t pid_start_time,
                     std::string* error) override;
  bool SetAttemptPids(const std::vector<AttemptPid>& pids, std::string* error) override;
  bool RecordChanges(int64_t attempt_id, const std::string& head_commit,
                     const std::string& out_of_scope_paths, const std::string& message,
                     std::string* error) override;
  bool RecordMerge(int64_t attempt_id, const std::string& merge_commit, const std::string& message,
                   std::string* error) override;
  bool FinishAttempt(int64_t attempt_id, const AttemptEnd& end, std::string* error) override;
  bool MarkBlocked(const std::vector<std::string>& workstream_ids, const std::string& reason,
                   std::string* error) override;
  bool ResetToPending(const std::vector<std::string>& workstream_ids, const std::string& event_type,
                      const std::string& message, std::string* error) override;
  bool AppendLog(const std::string& workstream_id, const std::string& agent_id,
                 const std::string& event_type, const std::string& message,
                 std::string* error) override;
  bool BeginRun(int64_t pid, int64_t* run_id, std::string* error) override;
  bool CloseCrashedRuns(std::string* error) override;
  bool EndRun(int64_t run_id, RunState state, std::string* error) override;
  bool LatestRun(RunRecord* run, bool* found, std::string* error) override;
  bool RequestPause(std::string* error) override;
  bool ResetAll(std::string* error) override;
  bool SubmitPlan(const std::vector<PlanEntry>& entries, int64_t* submission_id, PlanChanges* changes,
                  std::string* error) override;
  bool LoadPlan(std::vector<PlanEntry>* entries, int64_t* submission_id, std::string* error) override;
  bool RegisterWorker(const WorkerRecord& worker, std::string* error) override;
  bool ClaimWorkstream(const ClaimRequest& request, std::optional<Claim>* claim, std::string* error) override;
  bool RenewLeases(const std::string& worker_id, double lease_seconds, const std::vector<int64_t>& attempt_ids,
                   std::vector<int64_t>* lost, std::string* error) override;
  bool FinishClaimedAttempt(int64_t attempt_id, int64_t fencing_token, const AttemptEnd& end, bool* rejected,
                            std::string* error) override;
  bool ReclaimExpiredLeases(std::vector<std::string>* reclaimed, std::string* error) override;
  bool BeginGroup(std::string* error) override;
  bool CommitGroup(std::string* error) override;
  bool LastCallWasBusy() const override { return busy_; }

  /// How long a write waits for another connection's write lock before it
  /// fails as busy (5 s by default). The executor keeps it short, since it
  /// waits on its event loop, and retries busy writes itself.
  void SetBusyTimeout(double seconds);

  /// Durability above; kFull unless set.
  bool SetDurability(Durability durability, std::string* error);
  /// How many statements the store has compiled so far: each once, then reused.
  int64_t statements_prepared() const { return statements_.prepare_count(); }

  /// The connection's PRAGMA synchronous now: 0 off, 1 normal, 2 full.
  int64_t Synchronous();

 private:
  SqliteStore(sqlite3* db, const Clock* clock);
  /// OpenExisting and OpenReadOnly: `flags` for sqlite3_open_v2.
  static std::unique_ptr<SqliteStore> OpenExistingWith(const std::string& path, int flags, const Clock* clock,
                                                       std::string* error);
  /// One write transaction (InTransaction), remembering whether it failed as busy.
  bool Transaction(const std::string& operation, const std::function<bool(std::string*)>& body,
                   std::string* error);
  /// Runs still `running` become `crashed`, each logged (inside BeginRun's transaction).
  bool RecordCrashedRuns(const std::string& now, std::string* error);
  sqlite3* db_;
  const Clock* clock_;
  StatementCache statements_;  // every statement the store runs, prepared once
  bool busy_ = false;
  bool in_group_ = false;  // between BeginGroup and CommitGroup
  Durability durability_ = Durability::kFull;
};

}  // namespace orchestra
