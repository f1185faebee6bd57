// The state database format (schema version 4, stored in PRAGMA user_version).
// docs/state.md explains every column, status transition and event type.
//
//   workstream_status  one row per workstream, its current state. Users query
//                      it verbatim with the sqlite3 CLI, so its nine columns,
//                      their names and their order are frozen:
//     workstream_id TEXT PRIMARY KEY   id from the workstream file
//     status        TEXT NOT NULL      pending|running|completed|failed|blocked
//     agent_id      TEXT               agent of the latest attempt
//     track         TEXT               the workstream's track
//     started_at    TEXT               start of the latest attempt
//     completed_at  TEXT               end, set when completed or failed
//     exit_code     INTEGER            exit code of the latest finished attempt
//     attempt       INTEGER            number of the latest attempt, 0 before the first
//     error_message TEXT               why the latest attempt failed, or why it is blocked
//
//   execution_log      append-only audit trail:
//     id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL,
//     workstream_id TEXT, agent_id TEXT, event_type TEXT NOT NULL, message TEXT
//
//   attempts           one row per run of one agent on one workstream:
//     id INTEGER PRIMARY KEY AUTOINCREMENT, workstream_id TEXT NOT NULL,
//     attempt INTEGER NOT NULL, agent_id TEXT, pid INTEGER, pid_start_time INTEGER,
//     started_at TEXT, ended_at TEXT, outcome TEXT NOT NULL, exit_code INTEGER,
//     signal INTEGER, duration_seconds REAL, log_path TEXT, error_message TEXT
//     (workstream_id, attempt) is deliberately not unique: `orchestra retry`
//     restarts the attempt numbers of a workstream at 1.
//     Version 2 adds, for worktree isolation: base_commit TEXT, head_commit TEXT,
//     merge_commit TEXT, conflict_paths TEXT, out_of_scope_paths TEXT (paths
//     newline-separated); outcome gains `conflict`.
//     Version 3 adds, for coding agents: agent_type TEXT, input_tokens INTEGER,
//     output_tokens INTEGER, cache_read_tokens INTEGER, cache_write_tokens
//     INTEGER, cost_usd REAL, model TEXT, turns INTEGER, session_id TEXT
//     (NULL when the agent reported nothing); outcome gains `rate_limited`,
//     `fatal` and `stalled`.
//
//   runs               one row per `orchestra run`:
//     id INTEGER PRIMARY KEY AUTOINCREMENT, pid INTEGER, started_at TEXT,
//     ended_at TEXT, state TEXT NOT NULL, pause_requested INTEGER NOT NULL DEFAULT 0
//
//   Version 4 adds the tables of a submitted plan and of workers, as in
//   PostgreSQL (docs/state.md "Workers"): submissions, plan_workstreams,
//   plan_dependencies, workers. One process owns a SQLite state, so a claim
//   holds no lease (it never expires) and its fencing token is the attempt id.
//
//   Indexes: execution_log(workstream_id), attempts(workstream_id).
//
// Conventions: timestamps are 'YYYY-MM-DD HH:MM:SS' UTC (FormatTimestamp);
// an empty string or absent number in a record is NULL in the database, so
// users' queries show NULL rather than ''. Enum columns hold the names of
// state_store.cc. AUTOINCREMENT keeps ids unique even across `orchestra reset`,
// so anything named after an attempt id (logs) never collides with an old one.
//
// Durability: WAL with synchronous=FULL, so a committed transaction survives a
// power cut (SetDurability(kNormal): synchronous=NORMAL, which survives a crash
// of Orchestra, not of the machine); SetAttemptPid(s) alone are committed without
// a sync (see there); every mutating method is exactly one BEGIN IMMEDIATE..COMMIT
// (or, in a group of BeginGroup, one savepoint of the group's transaction) and
// rolls back on any failure, so the database never holds half a state change.
#include "sqlite_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "crash_point.h"

namespace orchestra {
namespace {

constexpr int kSchemaVersion = 4;
constexpr const char* kNoSuchAttempt = "no such attempt";
constexpr int kBusyTimeoutMilliseconds = 5000;
constexpr int kWalAutoCheckpointPages = 1000;  // SQLite's default

constexpr const char* kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS workstream_status (
  workstream_id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  agent_id TEXT,
  track TEXT,
  started_at TEXT,
  completed_at TEXT,
  exit_code INTEGER,
  attempt INTEGER,
  error_message TEXT
);
CREATE TABLE IF NOT EXISTS execution_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp TEXT NOT NULL,
  workstream_id TEXT,
  agent_id TEXT,
  event_type TEXT NOT NULL,
  message TEXT
);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workstream_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  agent_id TEXT,
  pid INTEGER,
  pid_start_time INTEGER,
  started_at TEXT,
  ended_at TEXT,
  outcome TEXT NOT NULL,
  exit_code INTEGER,
  signal INTEGER,
  duration_seconds REAL,
  log_path TEXT,
  error_message TEXT,
  base_commit TEXT,
  head_commit TEXT,
  merge_commit TEXT,
  conflict_paths TEXT,
  out_of_scope_paths TEXT,
  agent_type TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cache_read_tokens INTEGER,
  cache_write_tokens INTEGER,
  cost_usd REAL,
  model TEXT,
  turns INTEGER,
  session_id TEXT
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pid INTEGER,
  started_at TEXT,
  ended_at TEXT,
  state TEXT NOT NULL,
  pause_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS execution_log_workstream ON execution_log(workstream_id);
CREATE INDEX IF NOT EXISTS attempts_workstream ON attempts(workstream_id);
)sql";

constexpr const char* kWorkstreamColumns =
    "workstream_id, status, agent_id, track, started_at, completed_at, exit_code, attempt, "
    "error_message";
constexpr const char* kAttemptColumns =
    "id, workstream_id, attempt, agent_id, pid, pid_start_time, started_at, ended_at, outcome, "
    "exit_code, signal, duration_seconds, log_path, error_message, base_commit, head_commit, "
    "merge_commit, conflict_paths, out_of_scope_paths, agent_type, input_tokens, output_tokens, "
    "cache_read_tokens, cache_write_tokens, cost_usd, model, turns, session_id";
constexpr const char* kLogColumns = "id, timestamp, workstream_id, agent_id, event_type, message";
constexpr const char* kRunColumns = "id, pid, started_at, ended_at, state, pause_requested";

bool Execute(sqlite3* db, const char* sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
  *error = message ? message : sqlite3_errmsg(db);
  sqlite3_free(message);
  return false;
}

/// Runs `body` as one write transaction: BEGIN IMMEDIATE takes the write lock up
/// front (waiting up to the busy timeout), so the body never fails half-way for
/// lack of it; anything that fails rolls the whole change back. The error names
/// the operation. Inside a group (`in_group`, the lock already held) the change
/// is a savepoint of the group's transaction, rolled back alone on failure.
bool InTransaction(StatementCache* db, const std::string& operation,
                   const std::function<bool(std::string*)>& body, std::string* error, bool* busy = nullptr,
                   bool in_group = false) {
  std::string failure;
  if (in_group) {
    if (ExecuteCached(db, "SAVEPOINT change", &failure)) {
      if (body(&failure) && ExecuteCached(db, "RELEASE change", &failure)) return true;
      std::string ignored;
      ExecuteCached(db, "ROLLBACK TO change", &ignored);
      ExecuteCached(db, "RELEASE change", &ignored);
    }
    *error = "state store: " + operation + ": " + failure;
    return false;
  }
  if (!ExecuteCached(db, "BEGIN IMMEDIATE", &failure)) {
    // Another connection holds the write lock (past the busy timeout):
    // nothing was written, and the same change may go through later.
    if (busy) *busy = (sqlite3_errcode(db->db()) & 0xff) == SQLITE_BUSY;
    *error = "state store: " + operation + ": " + failure;
    return false;
  }
  if (body(&failure) && ExecuteCached(db, "COMMIT", &failure)) {
    CrashPoint("after-commit");
    return true;
  }
  std::string ignored;
  if (!sqlite3_get_autocommit(db->db())) ExecuteCached(db, "ROLLBACK", &ignored);
  *error = "state store: " + operation + ": " + failure;
  return false;
}

/// Runs a read, reporting failures with the operation's name.
bool Read(const std::string& operation, const std::function<bool(std::string*)>& body,
          std::string* error) {
  std::string failure;
  if (body(&failure)) return true;
  *error = "state store: " + operation + ": " + failure;
  return false;
}

WorkstreamRecord WorkstreamAt(const Statement& row, std::string* bad_status) {
  WorkstreamRecord record;
  record.workstream_id = row.Text(0);
  if (!ParseStatus(row.Text(1), &record.status)) *bad_status = row.Text(1);
  record.agent_id = row.Text(2);
  record.track = row.Text(3);
  record.started_at = row.Text(4);
  record.completed_at = row.Text(5);
  record.exit_code = row.Optional(6);
  record.attempt = static_cast<int>(row.Int(7));
  record.error_message = row.Text(8);
  return record;
}

AttemptRecord AttemptAt(const Statement& row, std::string* bad_outcome) {
  AttemptRecord attempt;
  attempt.id = row.Int(0);
  attempt.workstream_id = row.Text(1);
  attempt.attempt = static_cast<int>(row.Int(2));
  attempt.agent_id = row.Text(3);
  attempt.pid = row.Int(4);
  attempt.pid_start_time = row.Int(5);
  attempt.started_at = row.Text(6);
  attempt.ended_at = row.Text(7);
  if (!ParseOutcome(row.Text(8), &attempt.outcome)) *bad_outcome = row.Text(8);
  attempt.exit_code = row.Optional(9);
  attempt.signal = row.Optional(10);
  attempt.duration_seconds = row.Real(11);
  attempt.log_path = row.Text(12);
  attempt.error_message = row.Text(13);
  attempt.base_commit = row.Text(14);
  attempt.head_commit = row.Text(15);
  attempt.merge_commit = row.Text(16);
  attempt.conflict_paths = row.Text(17);
  attempt.out_of_scope_paths = row.Text(18);
  attempt.agent_type = row.Text(19);
  attempt.usage.input_tokens = row.Int(20);
  attempt.usage.output_tokens = row.Int(21);
  attempt.usage.cache_read_tokens = row.Int(22);
  attempt.usage.cache_write_tokens = row.Int(23);
  attempt.usage.cost_usd = row.OptionalReal(24);
  attempt.usage.model = row.Text(25);
  attempt.usage.turns = static_cast<int>(row.Int(26));
  attempt.session_id = row.Text(27);
  return attempt;
}

/// Reads every row of an attempts query (columns kAttemptColumns).
bool CollectAttempts(Statement* query, std::vector<AttemptRecord>* attempts, std::string* error,
                     size_t expected = 0) {
  attempts->clear();
  attempts->reserve(expected);
  for (bool row = false; query->Step(&row, error);) {
    if (!row) return true;
    std::string bad_outcome;
    attempts->push_back(AttemptAt(*query, &bad_outcome));
    if (!bad_outcome.empty()) {
      *error = "attempt " + std::to_string(attempts->back().id) + " has unknown outcome '" +
               bad_outcome + "'";
      return false;
    }
  }
  return false;
}

/// Rows in `table` (0 when it cannot tell): room to reserve before a full read.
int64_t RowCount(sqlite3* db, const std::string& table) {
  Statement query(db, "SELECT count(*) FROM " + table);
  bool row = false;
  std::string ignored;
  return query.Step(&row, &ignored) && row ? query.Int(0) : 0;
}

/// A WHERE clause binding the id as ?1, or nothing when every workstream is wanted.
std::string WorkstreamFilter(const std::string& workstream_id) {
  return workstream_id.empty() ? "" : " WHERE workstream_id = ?1";
}

bool InsertLog(StatementCache* db, const std::string& timestamp, const std::string& workstream_id,
               const std::string& agent_id, const std::string& event_type,
               const std::string& message, std::string* error) {
  if (event_type.empty()) {
    *error = "a log entry needs an event type";
    return false;
  }
  return Statement(db,
                   "INSERT INTO execution_log (timestamp, workstream_id, agent_id, event_type, "
                   "message) VALUES (?, ?, ?, ?, ?)")
      .BindText(1, timestamp)
      .BindText(2, workstream_id)
      .BindText(3, agent_id)
      .BindText(4, event_type)
      .BindText(5, message)
      .Run(error);
}

/// The status of workstream `id`; false with an error naming it when it has no row.
bool CurrentStatus(StatementCache* db, const std::string& id, WorkstreamStatus* status,
                   std::string* error) {
  Statement query(db, "SELECT status FROM workstream_status WHERE workstream_id = ?");
  query.BindText(1, id);
  bool row = false;
  if (!query.Step(&row, error)) return false;
  if (!row) {
    *error = "unknown workstream '" + id + "'";
    return false;
  }
  if (!ParseStatus(query.Text(0), status)) {
    *error = "workstream '" + id + "' has unknown status '" + query.Text(0) + "'";
    return false;
  }
  return true;
}

/// Fails when `id` is missing or running: the callers' changes would leave a
/// running attempt without a running workstream.
bool ExpectNotRunning(StatementCache* db, const std::string& id, std::string* error) {
  WorkstreamStatus status;
  if (!CurrentStatus(db, id, &status, error)) return false;
  if (status == WorkstreamStatus::kRunning) {
    *error = "workstream '" + id + "' is running";
    return false;
  }
  return true;
}

int64_t IntPragma(StatementCache* db, const char* sql, std::string* error) {
  Statement query(db, sql);
  bool row = false;
  if (!query.Step(&row, error)) return -1;
  return row ? query.Int(0) : 0;
}

/// Applies the connection settings. `set_wal` is false for OpenExisting: the
/// journal mode is stored in the file, and setting it could need a write.
bool Configure(StatementCache* db, bool set_wal, std::string* error) {
  sqlite3_busy_timeout(db->db(), kBusyTimeoutMilliseconds);
  if (set_wal) {
    Statement journal(db, "PRAGMA journal_mode=WAL");
    bool row = false;
    if (!journal.Step(&row, error)) return false;
    if (!row || journal.Text(0) != "wal") {
      *error = "cannot switch to WAL mode (journal mode is '" + journal.Text(0) + "')";
      return false;
    }
  }
  return Execute(db->db(), "PRAGMA synchronous=FULL", error) &&
         Execute(db->db(), "PRAGMA foreign_keys=ON", error);
}

/// Version 1 -> 2: the worktree-isolation columns of attempts.
constexpr const char* kMigrateToVersion2 = R"sql(
ALTER TABLE attempts ADD COLUMN base_commit TEXT;
ALTER TABLE attempts ADD COLUMN head_commit TEXT;
ALTER TABLE attempts ADD COLUMN merge_commit TEXT;
ALTER TABLE attempts ADD COLUMN conflict_paths TEXT;
ALTER TABLE attempts ADD COLUMN out_of_scope_paths TEXT;
)sql";

/// Version 2 -> 3: the coding-agent columns of attempts.
constexpr const char* kMigrateToVersion3 = R"sql(
ALTER TABLE attempts ADD COLUMN agent_type TEXT;
ALTER TABLE attempts ADD COLUMN input_tokens INTEGER;
ALTER TABLE attempts ADD COLUMN output_tokens INTEGER;
ALTER TABLE attempts ADD COLUMN cache_read_tokens INTEGER;
ALTER TABLE attempts ADD COLUMN cache_write_tokens INTEGER;
ALTER TABLE attempts ADD COLUMN cost_usd REAL;
ALTER TABLE attempts ADD COLUMN model TEXT;
ALTER TABLE attempts ADD COLUMN turns INTEGER;
ALTER TABLE attempts ADD COLUMN session_id TEXT;
)sql";

constexpr const char* kMigrateToVersion4 = R"sql(
CREATE TABLE IF NOT EXISTS submissions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  submitted_at TEXT NOT NULL,
  workstreams INTEGER NOT NULL,
  changes TEXT
);
CREATE TABLE IF NOT EXISTS plan_workstreams (
  workstream_id TEXT PRIMARY KEY,
  submission_id INTEGER NOT NULL,
  track TEXT,
  definition TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  source_file TEXT
);
CREATE TABLE IF NOT EXISTS plan_dependencies (
  workstream_id TEXT NOT NULL,
  depends_on TEXT NOT NULL,
  PRIMARY KEY (workstream_id, depends_on)
);
CREATE TABLE IF NOT EXISTS workers (
  id TEXT PRIMARY KEY,
  host TEXT,
  pid INTEGER,
  started_at TEXT,
  heartbeat_at TEXT
);
)sql";

/// Creates the schema of an empty database, or migrates an older one step by
/// step, in one transaction; refuses one written by a newer version. A current
/// schema is only read: opening the state takes no write lock, so a run started
/// while another process (a sqlite3 shell) holds it waits in the executor,
/// saying so, instead of failing here.
bool Migrate(StatementCache* db, std::string* error) {
  std::string ignored;  // a failed read is retried, and reported, in the transaction
  if (IntPragma(db, "PRAGMA user_version", &ignored) == kSchemaVersion) return true;
  return InTransaction(
      db, "create schema",
      [db](std::string* failure) {
        const int64_t version = IntPragma(db, "PRAGMA user_version", failure);
        if (version < 0) return false;
        if (version == kSchemaVersion) return true;
        if (version > kSchemaVersion) {
          *failure = "schema version " + std::to_string(version) +
                     " is newer than this orchestra understands (" +
                     std::to_string(kSchemaVersion) + ")";
          return false;
        }
        const std::string set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
        if (version == 0) {
          return Execute(db->db(), kCreateSchema, failure) && Execute(db->db(), kMigrateToVersion4, failure) &&
                 Execute(db->db(), set_version.c_str(), failure);
        }
        if (version == 1 && !Execute(db->db(), kMigrateToVersion2, failure)) return false;
        if (version <= 2 && !Execute(db->db(), kMigrateToVersion3, failure)) return false;
        if (version <= 3 && !Execute(db->db(), kMigrateToVersion4, failure)) return false;
        return Execute(db->db(), set_version.c_str(), failure);
      },
      error);
}

bool CheckVersion(StatementCache* db, std::string* error) {
  const int64_t version = IntPragma(db, "PRAGMA user_version", error);
  if (version < 0) return false;
  if (version != kSchemaVersion) {
    *error = "schema version " + std::to_string(version) + ", expected " +
             std::to_string(kSchemaVersion) +
             (version == 0 ? " (not an orchestra state database)" : "");
    return false;
  }
  return true;
}

}  // namespace

SqliteStore::SqliteStore(sqlite3* db, const Clock* clock) : db_(db), clock_(clock), statements_(db) {}

SqliteStore::~SqliteStore() { sqlite3_close_v2(db_); }

std::unique_ptr<SqliteStore> SqliteStore::Open(const std::string& path, const Clock* clock,
                                               std::string* error) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code failure;
  if (!parent.empty() && !std::filesystem::create_directories(parent, failure) && failure) {
    *error = "cannot create " + parent.string() + ": " + failure.message();
    return nullptr;
  }
  sqlite3* db = nullptr;
  std::string reason;
  const bool opened = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                      nullptr) == SQLITE_OK;
  if (!opened) reason = db ? sqlite3_errmsg(db) : "out of memory";
  if (!opened) {
    sqlite3_close_v2(db);
    *error = "cannot open state database " + path + ": " + reason;
    return nullptr;
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, clock));  // closes `db` when dropped
  if (!Configure(&store->statements_, /*set_wal=*/true, &reason) || !Migrate(&store->statements_, &reason)) {
    *error = "cannot open state database " + path + ": " + reason;
    return nullptr;
  }
  return store;
}

std::unique_ptr<SqliteStore> SqliteStore::OpenExisting(const std::string& path, const Clock* clock,
                                                       std::string* error) {
  return OpenExistingWith(path, SQLITE_OPEN_READWRITE, clock, error);
}

std::unique_ptr<SqliteStore> SqliteStore::OpenReadOnly(const std::string& path, const Clock* clock,
                                                       std::string* error) {
  return OpenExistingWith(path, SQLITE_OPEN_READONLY, clock, error);
}

std::unique_ptr<SqliteStore> SqliteStore::OpenExistingWith(const std::string& path, int flags,
                                                           const Clock* clock, std::string* error) {
  std::error_code failure;
  if (!std::filesystem::exists(path, failure)) {
    *error = "no state at " + path + ": nothing has run yet";
    return nullptr;
  }
  sqlite3* db = nullptr;
  std::string reason;
  const bool opened = sqlite3_open_v2(path.c_str(), &db, flags, nullptr) == SQLITE_OK;
  if (!opened) reason = db ? sqlite3_errmsg(db) : "out of memory";
  if (!opened) {
    sqlite3_close_v2(db);
    *error = "cannot open state database " + path + ": " + reason;
    return nullptr;
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, clock));  // closes `db` when dropped
  if (!Configure(&store->statements_, /*set_wal=*/false, &reason) || !CheckVersion(&store->statements_, &reason)) {
    *error = "cannot open state database " + path + ": " + reason;
    return nullptr;
  }
  return store;
}

bool SqliteStore::SyncWorkstreams(const std::vector<std::pair<std::string, std::string>>& id_tracks,
                                  std::string* error) {
  return Transaction("sync workstreams",
      [&](std::string* failure) {
        // A running row keeps the track it started with until it ends; a row
        // whose track is already right is not written (a resumed run of
        // 10,000 workstreams rewrote them all).
        for (const auto& [id, track] : id_tracks) {
          if (!Statement(&statements_,
                         "INSERT INTO workstream_status (workstream_id, status, track, attempt) "
                         "VALUES (?, 'pending', ?, 0) ON CONFLICT (workstream_id) DO UPDATE "
                         "SET track = excluded.track WHERE status != 'running' AND track IS NOT excluded.track")
                   .BindText(1, id)
                   .BindText(2, track)
                   .Run(failure)) {
            return false;
          }
        }
        return true;
      },
      error);
}

bool SqliteStore::LoadWorkstreams(std::vector<WorkstreamRecord>* records, std::string* error) {
  return Read(
      "load workstreams",
      [&](std::string* failure) {
        Statement query(&statements_, std::string("SELECT ") + kWorkstreamColumns +
                                 " FROM workstream_status ORDER BY workstream_id");
        records->clear();
        records->reserve(static_cast<size_t>(RowCount(db_, "workstream_status")));
        for (bool row = false; query.Step(&row, failure);) {
          if (!row) return true;
          std::string bad_status;
          records->push_back(WorkstreamAt(query, &bad_status));
          if (!bad_status.empty()) {
            *failure = "workstream '" + records->back().workstream_id + "' has unknown status '" +
                       bad_status + "'";
            return false;
          }
        }
        return false;
      },
      error);
}

bool SqliteStore::LoadAttempts(const std::string& workstream_id,
                               std::vector<AttemptRecord>* attempts, std::string* error) {
  return Read(
      "load attempts",
      [&](std::string* failure) {
        Statement query(&statements_, std::string("SELECT ") + kAttemptColumns + " FROM attempts" +
                                 WorkstreamFilter(workstream_id) + " ORDER BY id");
        if (!workstream_id.empty()) query.BindText(1, workstream_id);
        // All of them: room for every row at once, not regrown (100,000 records).
        const size_t expected = workstream_id.empty() ? static_cast<size_t>(RowCount(db_, "attempts")) : 0;
        return CollectAttempts(&query, attempts, failure, expected);
      },
      error);
}

bool SqliteStore::CountCompleted(int64_t* completed, std::string* error) {
  return Read(
      "count completed workstreams",
      [&](std::string* failure) {
        Statement query(&statements_, "SELECT count(*) FROM workstream_status WHERE status = 'completed'");
        bool row = false;
        if (!query.Step(&row, failure)) return false;
        *completed = row ? query.Int(0) : 0;
        return true;
      },
      error);
}

bool SqliteStore::LoadAttemptUsage(std::vector<AttemptRecord>* attempts, std::string* error) {
  return Read(
      "load attempt usage",
      [&](std::string* failure) {
        attempts->clear();
        attempts->reserve(static_cast<size_t>(RowCount(db_, "attempts")));
        Statement query(&statements_,
                        "SELECT workstream_id, attempt, agent_type, duration_seconds, input_tokens, output_tokens, "
                        "cache_read_tokens, cache_write_tokens, cost_usd FROM attempts ORDER BY id");
        for (bool row = false; query.Step(&row, failure);) {
          if (!row) return true;
          AttemptRecord& attempt = attempts->emplace_back();
          attempt.workstream_id = query.Text(0);
          attempt.attempt = static_cast<int>(query.Int(1));
          attempt.agent_type = query.Text(2);
          attempt.duration_seconds = query.Real(3);
          attempt.usage.input_tokens = query.Int(4);
          attempt.usage.output_tokens = query.Int(5);
          attempt.usage.cache_read_tokens = query.Int(6);
          attempt.usage.cache_write_tokens = query.Int(7);
          attempt.usage.cost_usd = query.OptionalReal(8);
        }
        return false;
      },
      error);
}

bool SqliteStore::RunningAttempts(std::vector<AttemptRecord>* attempts, std::string* error) {
  return Read(
      "find running attempts",
      [&](std::string* failure) {
        Statement query(&statements_, std::string("SELECT ") + kAttemptColumns +
                                 " FROM attempts WHERE outcome = 'running' ORDER BY id");
        return CollectAttempts(&query, attempts, failure);
      },
      error);
}

bool SqliteStore::LoadLog(const std::string& workstream_id, int limit,
                          std::vector<LogEntry>* entries, std::string* error) {
  return Read(
      "load log",
      [&](std::string* failure) {
        // The newest `limit` entries, then turned oldest first. LIMIT -1 is no limit.
        Statement query(&statements_, std::string("SELECT * FROM (SELECT ") + kLogColumns +
                                 " FROM execution_log" + WorkstreamFilter(workstream_id) +
                                 " ORDER BY id DESC LIMIT ?2) ORDER BY id");
        if (!workstream_id.empty()) query.BindText(1, workstream_id);
        query.BindInt(2, limit > 0 ? limit : -1);  // -1: no limit
        entries->clear();
        for (bool row = false; query.Step(&row, failure);) {
          if (!row) return true;
          entries->push_back(LogEntry{query.Int(0), query.Text(1), query.Text(2), query.Text(3),
                                      query.Text(4), query.Text(5)});
        }
        return false;
      },
      error);
}

namespace {

/// StartAttempt's change, in the caller's transaction.
bool InsertAttempt(StatementCache* statements, sqlite3* db, const AttemptRecord& attempt, const std::string& now,
                   const std::string& message, int64_t* attempt_id, std::string* failure) {
  if (!ExpectNotRunning(statements, attempt.workstream_id, failure)) return false;
  if (!Statement(statements,
                 "UPDATE workstream_status SET status = 'running', agent_id = ?, attempt = ?,"
                 " started_at = ?, completed_at = NULL, exit_code = NULL,"
                 " error_message = NULL WHERE workstream_id = ?")
           .BindText(1, attempt.agent_id)
           .BindInt(2, attempt.attempt)
           .BindText(3, now)
           .BindText(4, attempt.workstream_id)
           .Run(failure)) {
    return false;
  }
  if (!Statement(statements,
                 "INSERT INTO attempts (workstream_id, attempt, agent_id, pid, pid_start_time,"
                 " started_at, outcome, log_path, base_commit, agent_type)"
                 " VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)")
           .BindText(1, attempt.workstream_id)
           .BindInt(2, attempt.attempt)
           .BindText(3, attempt.agent_id)
           .BindNonZero(4, attempt.pid)
           .BindNonZero(5, attempt.pid_start_time)
           .BindText(6, now)
           .BindText(7, attempt.log_path)
           .BindText(8, attempt.base_commit)
           .BindText(9, attempt.agent_type)
           .Run(failure)) {
    return false;
  }
  *attempt_id = sqlite3_last_insert_rowid(db);
  return InsertLog(statements, now, attempt.workstream_id, attempt.agent_id, "started", message, failure);
}

}  // namespace

bool SqliteStore::StartAttempt(const AttemptRecord& attempt, int64_t* attempt_id,
                               std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("start attempt " + std::to_string(attempt.attempt) + " of '" + attempt.workstream_id + "'",
      [&](std::string* failure) {
        return InsertAttempt(&statements_, db_, attempt, now,
                             "attempt " + std::to_string(attempt.attempt) + " on " + attempt.agent_id, attempt_id,
                             failure);
      },
      error);
}

bool SqliteStore::SetAttemptPid(int64_t attempt_id, int64_t pid, int64_t pid_start_time,
                                std::string* error) {
  return SetAttemptPids({AttemptPid{attempt_id, pid, pid_start_time}}, error);
}

bool SqliteStore::SetAttemptPids(const std::vector<AttemptPid>& pids, std::string* error) {
  // The pid only serves to kill what an attempt left running after
  // Orchestra died, and processes outlive Orchestra only when the machine
  // does: a commit that reaches the operating system (no sync) is durable
  // enough, and saves a sync per attempt. The next synced commit syncs it too
  // (a sync of the WAL covers every frame written before it). No checkpoint may run unsynced meanwhile (it
  // could let a power cut lose earlier, synced commits): the automatic
  // checkpoint waits for the next synced commit. In a group it is one more
  // change of the group, synced with it.
  if (pids.empty()) return true;
  const auto write = [&](std::string* failure) {
    for (const AttemptPid& pid : pids) {
      if (!Statement(&statements_, "UPDATE attempts SET pid = ?, pid_start_time = ? WHERE id = ?")
               .BindNonZero(1, pid.pid)
               .BindNonZero(2, pid.pid_start_time)
               .BindInt(3, pid.attempt_id)
               .RunOnOneRow(pids.size() == 1 ? kNoSuchAttempt : "no such attempt " + std::to_string(pid.attempt_id),
                            failure)) {
        return false;
      }
    }
    return true;
  };
  const std::string operation = pids.size() == 1 ? "set pid of attempt " + std::to_string(pids[0].attempt_id)
                                                 : "set the pids of " + std::to_string(pids.size()) + " attempts";
  if (in_group_) return Transaction(operation, write, error);
  if (!Execute(db_, "PRAGMA synchronous=OFF", error)) return false;
  sqlite3_wal_autocheckpoint(db_, 0);
  const bool ok = Transaction(operation, write, error);
  sqlite3_wal_autocheckpoint(db_, kWalAutoCheckpointPages);
  std::string restore_error;
  if (!SetDurability(durability_, &restore_error)) {
    // Never go on writing without the syncs asked for.
    if (ok) *error = restore_error;
    return false;
  }
  return ok;
}

int64_t SqliteStore::Synchronous() {
  std::string ignored;
  return IntPragma(&statements_, "PRAGMA synchronous", &ignored);
}

bool SqliteStore::SetDurability(Durability durability, std::string* error) {
  durability_ = durability;
  return Execute(db_, durability == Durability::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                 error);
}

namespace {

/// The workstream and agent of attempt `attempt_id`; fails when the attempt
/// is unknown or has already ended.
bool FindRunningAttempt(StatementCache* db, int64_t attempt_id, std::string* workstream_id,
                        std::string* agent_id, std::string* failure) {
  Statement query(db, "SELECT workstream_id, agent_id, outcome FROM attempts WHERE id = ?");
  query.BindInt(1, attempt_id);
  bool row = false;
  if (!query.Step(&row, failure)) return false;
  if (!row) {
    *failure = kNoSuchAttempt;
    return false;
  }
  if (query.Text(2) != OutcomeName(AttemptOutcome::kRunning)) {
    *failure = "attempt already ended (" + query.Text(2) + ")";
    return false;
  }
  *workstream_id = query.Text(0);
  *agent_id = query.Text(1);
  return true;
}

/// Updates one running attempt's `assignments` to `values` and logs the
/// event, in the caller's transaction.
bool UpdateRunningAttempt(StatementCache* db, int64_t attempt_id, const std::string& assignments,
                          const std::vector<std::string>& values, const std::string& now,
                          const std::string& event_type, const std::string& message,
                          std::string* failure) {
  std::string workstream_id, agent_id;
  if (!FindRunningAttempt(db, attempt_id, &workstream_id, &agent_id, failure)) return false;
  Statement update(db, "UPDATE attempts SET " + assignments + " WHERE id = ?");
  int index = 1;
  for (const std::string& value : values) update.BindText(index++, value);
  update.BindInt(index, attempt_id);
  return update.Run(failure) &&
         InsertLog(db, now, workstream_id, agent_id, event_type, message, failure);
}

}  // namespace

bool SqliteStore::RecordChanges(int64_t attempt_id, const std::string& head_commit,
                                const std::string& out_of_scope_paths, const std::string& message,
                                std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("record changes of attempt " + std::to_string(attempt_id),
      [&](std::string* failure) {
        return UpdateRunningAttempt(&statements_, attempt_id, "head_commit = ?, out_of_scope_paths = ?",
                                    {head_commit, out_of_scope_paths}, now, "changes", message,
                                    failure);
      },
      error);
}

bool SqliteStore::RecordMerge(int64_t attempt_id, const std::string& merge_commit,
                              const std::string& message, std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("record merge of attempt " + std::to_string(attempt_id),
      [&](std::string* failure) {
        return UpdateRunningAttempt(&statements_, attempt_id, "merge_commit = ?", {merge_commit}, now,
                                    "merging", message, failure);
      },
      error);
}

namespace {

/// FinishAttempt's change, in the caller's transaction.
bool RecordEnd(StatementCache* statements, int64_t attempt_id, const AttemptEnd& end, const std::string& now,
               std::string* failure) {
  if (end.outcome == AttemptOutcome::kRunning ||
      end.new_status == WorkstreamStatus::kRunning) {
    *failure = "an attempt cannot end as running";
    return false;
  }
  std::string workstream_id, agent_id;
  if (!FindRunningAttempt(statements, attempt_id, &workstream_id, &agent_id, failure)) return false;
  if (!Statement(statements,
                 "UPDATE attempts SET ended_at = ?, outcome = ?, exit_code = ?, signal = ?,"
                 " duration_seconds = ?, error_message = ?,"
                 " conflict_paths = COALESCE(?, conflict_paths), input_tokens = ?,"
                 " output_tokens = ?, cache_read_tokens = ?, cache_write_tokens = ?,"
                 " cost_usd = ?, model = ?, turns = ?, session_id = ? WHERE id = ?")
           .BindText(1, now)
           .BindText(2, OutcomeName(end.outcome))
           .BindOptional(3, end.exit_code)
           .BindOptional(4, end.signal)
           .BindReal(5, end.duration_seconds)
           .BindText(6, end.error_message)
           .BindText(7, end.conflict_paths)
           .BindNonZero(8, end.usage.input_tokens)
           .BindNonZero(9, end.usage.output_tokens)
           .BindNonZero(10, end.usage.cache_read_tokens)
           .BindNonZero(11, end.usage.cache_write_tokens)
           .BindOptionalReal(12, end.usage.cost_usd)
           .BindText(13, end.usage.model)
           .BindNonZero(14, end.usage.turns)
           .BindText(15, end.session_id)
           .BindInt(16, attempt_id)
           .Run(failure)) {
    return false;
  }
  const bool completed = end.new_status == WorkstreamStatus::kCompleted;
  const bool ended = completed || end.new_status == WorkstreamStatus::kFailed;
  if (!Statement(statements,
                 "UPDATE workstream_status SET status = ?, exit_code = ?, error_message = ?,"
                 " completed_at = ? WHERE workstream_id = ?")
           .BindText(1, StatusName(end.new_status))
           .BindOptional(2, end.exit_code)
           .BindText(3, completed ? "" : end.error_message)
           .BindText(4, ended ? now : "")
           .BindText(5, workstream_id)
           .Run(failure)) {
    return false;
  }
  return InsertLog(statements, now, workstream_id, agent_id, end.event_type, end.message, failure);
}

}  // namespace

bool SqliteStore::FinishAttempt(int64_t attempt_id, const AttemptEnd& end, std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("finish attempt " + std::to_string(attempt_id),
      [&](std::string* failure) { return RecordEnd(&statements_, attempt_id, end, now, failure); }, error);
}

bool SqliteStore::MarkBlocked(const std::vector<std::string>& workstream_ids,
                              const std::string& reason, std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("mark blocked",
      [&](std::string* failure) {
        for (const std::string& id : workstream_ids) {
          if (!ExpectNotRunning(&statements_, id, failure) ||
              !Statement(&statements_,
                         "UPDATE workstream_status SET status = 'blocked', completed_at = NULL,"
                         " error_message = ? WHERE workstream_id = ?")
                   .BindText(1, reason)
                   .BindText(2, id)
                   .Run(failure) ||
              !InsertLog(&statements_, now, id, "", "blocked", reason, failure)) {
            return false;
          }
        }
        return true;
      },
      error);
}

bool SqliteStore::ResetToPending(const std::vector<std::string>& workstream_ids,
                                 const std::string& event_type, const std::string& message,
                                 std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("reset to pending",
      [&](std::string* failure) {
        for (const std::string& id : workstream_ids) {
          if (!ExpectNotRunning(&statements_, id, failure) ||
              !Statement(&statements_,
                         "UPDATE workstream_status SET status = 'pending', agent_id = NULL,"
                         " started_at = NULL, completed_at = NULL, exit_code = NULL,"
                         " attempt = 0, error_message = NULL WHERE workstream_id = ?")
                   .BindText(1, id)
                   .Run(failure) ||
              !InsertLog(&statements_, now, id, "", event_type, message, failure)) {
            return false;
          }
        }
        return true;
      },
      error);
}

bool SqliteStore::AppendLog(const std::string& workstream_id, const std::string& agent_id,
                            const std::string& event_type, const std::string& message,
                            std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("append " + event_type + " to the log",
      [&](std::string* failure) {
        return InsertLog(&statements_, now, workstream_id, agent_id, event_type, message, failure);
      },
      error);
}

bool SqliteStore::Transaction(const std::string& operation, const std::function<bool(std::string*)>& body,
                              std::string* error) {
  busy_ = false;
  return InTransaction(&statements_, operation, body, error, &busy_, in_group_);
}

bool SqliteStore::BeginGroup(std::string* error) {
  busy_ = false;
  if (in_group_) return true;
  std::string failure;
  if (!ExecuteCached(&statements_, "BEGIN IMMEDIATE", &failure)) {
    busy_ = (sqlite3_errcode(db_) & 0xff) == SQLITE_BUSY;
    *error = "state store: begin a group of changes: " + failure;
    return false;
  }
  in_group_ = true;
  return true;
}

bool SqliteStore::CommitGroup(std::string* error) {
  if (!in_group_) return true;
  in_group_ = false;
  std::string failure;
  CrashPoint("before-group-commit");
  if (ExecuteCached(&statements_, "COMMIT", &failure)) {
    CrashPoint("after-group-commit");
    return true;
  }
  std::string ignored;
  if (!sqlite3_get_autocommit(db_)) ExecuteCached(&statements_, "ROLLBACK", &ignored);
  *error = "state store: commit a group of changes: " + failure;
  return false;
}

void SqliteStore::SetBusyTimeout(double seconds) {
  sqlite3_busy_timeout(db_, static_cast<int>(seconds * 1000));
}

bool SqliteStore::BeginRun(int64_t pid, int64_t* run_id, std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  int64_t id = 0;
  const bool ok = Transaction("begin run",
      [&](std::string* failure) {
        return RecordCrashedRuns(now, failure) &&
               Statement(&statements_, "INSERT INTO runs (pid, started_at, state) VALUES (?, ?, 'running')")
                   .BindInt(1, pid)
                   .BindText(2, now)
                   .Run(failure) &&
               (id = sqlite3_last_insert_rowid(db_)) > 0;
      },
      error);
  if (ok) *run_id = id;  // only a committed run has an id
  return ok;
}

bool SqliteStore::CloseCrashedRuns(std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("record crashed runs", [&](std::string* failure) { return RecordCrashedRuns(now, failure); },
                     error);
}

bool SqliteStore::RecordCrashedRuns(const std::string& now, std::string* error) {
  // The caller holds the state lock, so no other orchestrator is alive: a run
  // still `running` is one whose orchestrator died without ending it.
  std::vector<std::pair<int64_t, int64_t>> crashed;  // id, pid
  Statement query(&statements_, "SELECT id, pid FROM runs WHERE state = 'running' ORDER BY id");
  for (bool row = true; row;) {
    if (!query.Step(&row, error)) return false;
    if (row) crashed.emplace_back(query.Int(0), query.Int(1));
  }
  for (const auto& [id, pid] : crashed) {
    if (!Statement(&statements_, "UPDATE runs SET state = 'crashed' WHERE id = ?").BindInt(1, id).Run(error) ||
        !InsertLog(&statements_, now, "", "", "crashed",
                   "run " + std::to_string(id) + " (pid " + std::to_string(pid) +
                       ") stopped without ending; recorded as crashed",
                   error)) {
      return false;
    }
  }
  return true;
}

bool SqliteStore::EndRun(int64_t run_id, RunState state, std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("end run " + std::to_string(run_id),
      [&](std::string* failure) {
        if (state == RunState::kRunning) {
          *failure = "a run cannot end as running";
          return false;
        }
        return Statement(&statements_, "UPDATE runs SET ended_at = ?, state = ? WHERE id = ?")
            .BindText(1, now)
            .BindText(2, RunStateName(state))
            .BindInt(3, run_id)
            .RunOnOneRow("no such run", failure);
      },
      error);
}

bool SqliteStore::LatestRun(RunRecord* run, bool* found, std::string* error) {
  return Read(
      "load latest run",
      [&](std::string* failure) {
        Statement query(
            &statements_, std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id DESC LIMIT 1");
        if (!query.Step(found, failure)) return false;
        if (!*found) return true;
        run->id = query.Int(0);
        run->pid = query.Int(1);
        run->started_at = query.Text(2);
        run->ended_at = query.Text(3);
        run->pause_requested = query.Int(5) != 0;
        if (!ParseRunState(query.Text(4), &run->state)) {
          *failure =
              "run " + std::to_string(run->id) + " has unknown state '" + query.Text(4) + "'";
          return false;
        }
        return true;
      },
      error);
}

bool SqliteStore::RequestPause(std::string* error) {
  return Transaction("request pause",
      [&](std::string* failure) {
        return Statement(&statements_,
                         "UPDATE runs SET pause_requested = 1 WHERE id ="
                         " (SELECT MAX(id) FROM runs WHERE state = 'running')")
            .RunOnOneRow("no run in progress", failure);
      },
      error);
}

bool SqliteStore::ResetAll(std::string* error) {
  return Transaction("reset",
      [&](std::string* failure) {
        return Execute(db_,
                       "DELETE FROM workstream_status; DELETE FROM execution_log;"
                       " DELETE FROM attempts; DELETE FROM runs;",
                       failure);
      },
      error);
}

// --- Several workers: the plan and claims of one process ---

namespace {

std::string ChangesText(const PlanChanges& changes) {
  auto list = [](const std::vector<std::string>& ids) {
    std::string text;
    for (const std::string& id : ids) text += (text.empty() ? "" : ", ") + id;
    return text.empty() ? std::string("none") : text;
  };
  return "added: " + list(changes.added) + "; removed: " + list(changes.removed) + "; edited: " +
         list(changes.edited);
}

bool LoadPlanRows(StatementCache* db, std::vector<PlanEntry>* entries, int64_t* submission_id, std::string* failure) {
  entries->clear();
  *submission_id = 0;
  std::map<std::string, size_t> index;
  Statement rows(db,
                 "SELECT workstream_id, track, definition, content_hash, source_file FROM plan_workstreams"
                 " ORDER BY workstream_id");
  bool row = false;
  for (;;) {
    if (!rows.Step(&row, failure)) return false;
    if (!row) break;
    index[rows.Text(0)] = entries->size();
    entries->push_back(PlanEntry{rows.Text(0), rows.Text(1), {}, rows.Text(2), rows.Text(3), rows.Text(4)});
  }
  Statement dependencies(db, "SELECT workstream_id, depends_on FROM plan_dependencies ORDER BY workstream_id, depends_on");
  for (;;) {
    if (!dependencies.Step(&row, failure)) return false;
    if (!row) break;
    const auto found = index.find(dependencies.Text(0));
    if (found != index.end()) (*entries)[found->second].depends_on.push_back(dependencies.Text(1));
  }
  Statement latest(db, "SELECT COALESCE(MAX(id), 0) FROM submissions");
  if (!latest.Step(&row, failure) || !row) return false;
  *submission_id = latest.Int(0);
  return true;
}

}  // namespace

bool SqliteStore::SubmitPlan(const std::vector<PlanEntry>& entries, int64_t* submission_id, PlanChanges* changes,
                             std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("submit the plan",
      [&](std::string* failure) {
        std::vector<PlanEntry> stored;
        if (!LoadPlanRows(&statements_, &stored, submission_id, failure)) return false;
        *changes = DiffPlans(stored, entries);
        if (*submission_id != 0 && changes->empty()) return true;
        if (!Statement(&statements_, "INSERT INTO submissions (submitted_at, workstreams, changes) VALUES (?, ?, ?)")
                 .BindText(1, now)
                 .BindInt(2, static_cast<int64_t>(entries.size()))
                 .BindText(3, ChangesText(*changes))
                 .Run(failure)) {
          return false;
        }
        *submission_id = sqlite3_last_insert_rowid(db_);
        if (!Execute(db_, "DELETE FROM plan_workstreams; DELETE FROM plan_dependencies;", failure)) return false;
        for (const PlanEntry& entry : entries) {
          if (!Statement(&statements_,
                         "INSERT INTO plan_workstreams (workstream_id, submission_id, track, definition,"
                         " content_hash, source_file) VALUES (?, ?, ?, ?, ?, ?)")
                   .BindText(1, entry.workstream_id)
                   .BindInt(2, *submission_id)
                   .BindText(3, entry.track)
                   .BindText(4, entry.definition)
                   .BindText(5, entry.content_hash)
                   .BindText(6, entry.source_file)
                   .Run(failure)) {
            return false;
          }
          for (const std::string& dependency : entry.depends_on) {
            if (!Statement(&statements_,
                           "INSERT OR IGNORE INTO plan_dependencies (workstream_id, depends_on) VALUES (?, ?)")
                     .BindText(1, entry.workstream_id)
                     .BindText(2, dependency)
                     .Run(failure)) {
              return false;
            }
          }
          if (!Statement(&statements_,
                         "INSERT INTO workstream_status (workstream_id, status, track, attempt) "
                         "VALUES (?, 'pending', ?, 0) ON CONFLICT (workstream_id) DO UPDATE "
                         "SET track = excluded.track WHERE status != 'running'")
                   .BindText(1, entry.workstream_id)
                   .BindText(2, entry.track)
                   .Run(failure)) {
            return false;
          }
        }
        return InsertLog(&statements_, now, "", "", "submitted",
                         "submission " + std::to_string(*submission_id) + ": " + std::to_string(entries.size()) +
                             " workstreams; " + ChangesText(*changes),
                         failure);
      },
      error);
}

bool SqliteStore::LoadPlan(std::vector<PlanEntry>* entries, int64_t* submission_id, std::string* error) {
  return Read("load the submitted plan",
              [&](std::string* failure) { return LoadPlanRows(&statements_, entries, submission_id, failure); },
              error);
}

bool SqliteStore::RegisterWorker(const WorkerRecord& worker, std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  return Transaction("register worker " + worker.id,
      [&](std::string* failure) {
        return Statement(&statements_,
                         "INSERT INTO workers (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)"
                         " ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at")
            .BindText(1, worker.id)
            .BindText(2, worker.host)
            .BindInt(3, worker.pid)
            .BindText(4, now)
            .BindText(5, now)
            .Run(failure);
      },
      error);
}

bool SqliteStore::ClaimWorkstream(const ClaimRequest& request, std::optional<Claim>* claim, std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  claim->reset();
  std::optional<Claim> claimed;
  const bool ok = Transaction("claim a workstream for " + request.worker_id,
      [&](std::string* failure) {
        claimed.reset();
        // The ready ones, by id; the first candidate among them wins.
        Statement ready(&statements_,
                        "SELECT w.workstream_id, COALESCE(w.attempt, 0) FROM workstream_status w"
                        " JOIN plan_workstreams p ON p.workstream_id = w.workstream_id"
                        " WHERE w.status = 'pending' AND (?1 IS NULL OR w.track = ?1)"
                        " AND NOT EXISTS (SELECT 1 FROM plan_dependencies d"
                        "   LEFT JOIN workstream_status s ON s.workstream_id = d.depends_on"
                        "   WHERE d.workstream_id = w.workstream_id AND s.status IS NOT 'completed')"
                        " ORDER BY w.workstream_id");
        ready.BindText(1, request.track);
        std::map<std::string, int> attempts;
        std::string first;
        bool row = false;
        for (;;) {
          if (!ready.Step(&row, failure)) return false;
          if (!row) break;
          if (first.empty()) first = ready.Text(0);
          attempts[ready.Text(0)] = static_cast<int>(ready.Int(1));
        }
        std::string chosen = request.candidates.empty() ? first : "";
        for (const std::string& candidate : request.candidates) {
          if (attempts.count(candidate) > 0) {
            chosen = candidate;
            break;
          }
        }
        if (chosen.empty()) return true;
        AttemptRecord attempt = request.attempt;
        attempt.workstream_id = chosen;
        attempt.attempt = attempts[chosen] + 1;
        Claim next;
        next.workstream_id = chosen;
        next.attempt = attempt.attempt;
        if (!InsertAttempt(&statements_, db_, attempt, now,
                           "attempt " + std::to_string(attempt.attempt) + " on " + attempt.agent_id + " (worker " +
                               request.worker_id + ")",
                           &next.attempt_id, failure)) {
          return false;
        }
        next.fencing_token = next.attempt_id;  // one process: the attempt id is the token
        claimed = next;
        return true;
      },
      error);
  if (ok) *claim = claimed;
  return ok;
}

bool SqliteStore::RenewLeases(const std::string& worker_id, double lease_seconds,
                              const std::vector<int64_t>& attempt_ids, std::vector<int64_t>* lost,
                              std::string* error) {
  (void)lease_seconds;  // a SQLite claim never expires
  const std::string now = FormatTimestamp(clock_->Now());
  lost->clear();
  std::vector<int64_t> gone;
  const bool ok = Transaction("renew the leases of " + worker_id,
      [&](std::string* failure) {
        gone.clear();
        if (!Statement(&statements_, "UPDATE workers SET heartbeat_at = ? WHERE id = ?")
                 .BindText(1, now)
                 .BindText(2, worker_id)
                 .Run(failure)) {
          return false;
        }
        for (int64_t id : attempt_ids) {
          Statement query(&statements_, "SELECT outcome FROM attempts WHERE id = ?");
          query.BindInt(1, id);
          bool row = false;
          if (!query.Step(&row, failure)) return false;
          if (!row || query.Text(0) != OutcomeName(AttemptOutcome::kRunning)) gone.push_back(id);
        }
        return true;
      },
      error);
  if (ok) *lost = gone;
  return ok;
}

bool SqliteStore::FinishClaimedAttempt(int64_t attempt_id, int64_t fencing_token, const AttemptEnd& end,
                                       bool* rejected, std::string* error) {
  const std::string now = FormatTimestamp(clock_->Now());
  *rejected = false;
  bool refused = false;
  const bool ok = Transaction("finish attempt " + std::to_string(attempt_id),
      [&](std::string* failure) {
        refused = false;
        Statement query(&statements_, "SELECT workstream_id, agent_id, outcome FROM attempts WHERE id = ?");
        query.BindInt(1, attempt_id);
        bool row = false;
        if (!query.Step(&row, failure)) return false;
        if (!row) {
          *failure = kNoSuchAttempt;
          return false;
        }
        const std::string workstream_id = query.Text(0), agent_id = query.Text(1), outcome = query.Text(2);
        if (outcome != OutcomeName(AttemptOutcome::kRunning) || fencing_token != attempt_id) {
          refused = true;
          return InsertLog(&statements_, now, workstream_id, agent_id, "rejected_late_result",
                           "the " + std::string(OutcomeName(end.outcome)) + " result of attempt " +
                               std::to_string(attempt_id) + " (fencing token " + std::to_string(fencing_token) +
                               ") came after its lease was reclaimed (attempt " + outcome + "): not recorded",
                           failure);
        }
        return RecordEnd(&statements_, attempt_id, end, now, failure);
      },
      error);
  if (ok) *rejected = refused;
  return ok;
}

bool SqliteStore::ReclaimExpiredLeases(std::vector<std::string>* reclaimed, std::string* error) {
  (void)error;  // a SQLite claim never expires: nothing to reclaim
  reclaimed->clear();
  return true;
}

}  // namespace orchestra
