#include "sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "postgres_server.h"
#include "postgres_store.h"
#include "temp_dir.h"

namespace orchestra {
namespace {

/// A clock the test moves by hand.
class FixedClock : public Clock {
 public:
  double Now() const override { return now; }
  void Sleep(double) const override {}  // the store never sleeps
  double now = 1700000000;  // 2023-11-14 22:13:20 UTC
};

/// Rows as "a|b|c" lines with NULL spelled out, for exact comparisons.
using Rows = std::vector<std::string>;

/// A second connection to the database, like the sqlite3 CLI a user runs.
class Reader {
 public:
  explicit Reader(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  }
  ~Reader() { sqlite3_close_v2(db_); }

  Rows Query(const std::string& sql) {
    Rows rows;
    char* message = nullptr;
    const int code = sqlite3_exec(
        db_, sql.c_str(),
        [](void* out, int columns, char** values, char**) {
          std::string line;
          for (int column = 0; column < columns; ++column) {
            if (column) line += "|";
            line += values[column] ? values[column] : "NULL";
          }
          static_cast<Rows*>(out)->push_back(line);
          return 0;
        },
        &rows, &message);
    EXPECT_EQ(code, SQLITE_OK) << sql << ": " << (message ? message : "");
    sqlite3_free(message);
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
};

/// The stores every StateStore contract test runs against.
enum class Backend { kSqlite, kPostgres };
void PrintTo(Backend backend, std::ostream* out) { *out << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL"); }

/// StoreTest opens one store of `backend_` and gives the tests a second
/// connection to its database (Query), like the CLI a user runs.
class StoreTest : public ::testing::Test {
 protected:
  void SetUpBackend(Backend backend) {
    backend_ = backend;
    path_ = dir_ / ".state/orchestration.db";
    if (backend_ == Backend::kPostgres) {
      testing::FreshPostgresDatabase(&path_);  // the URL of a new database
      if (IsSkipped() || HasFatalFailure()) return;
    }
    Reopen();
  }
  void TearDown() override { store_.reset(); }

  void Reopen() {
    store_.reset();
    std::string error;
    if (backend_ == Backend::kSqlite) {
      store_ = SqliteStore::Open(path_, &clock_, &error);
    } else {
      store_ = PostgresStore::Open(path_, &clock_, &error);
    }
    ASSERT_TRUE(store_) << error;
  }

  /// Rows of `sql` on a new connection, as "a|b|c" with NULL spelled out.
  Rows Query(const std::string& sql) {
    return backend_ == Backend::kSqlite ? Reader(path_).Query(sql) : testing::PostgresQuery(path_, sql);
  }

  void Sync(const std::vector<std::pair<std::string, std::string>>& id_tracks) {
    std::string error;
    ASSERT_TRUE(store_->SyncWorkstreams(id_tracks, &error)) << error;
  }

  int64_t Start(const std::string& id, int attempt, const std::string& agent) {
    AttemptRecord record;
    record.workstream_id = id;
    record.attempt = attempt;
    record.agent_id = agent;
    record.log_path = "logs/" + id + "-" + std::to_string(attempt) + ".log";
    int64_t attempt_id = 0;
    std::string error;
    EXPECT_TRUE(store_->StartAttempt(record, &attempt_id, &error)) << error;
    return attempt_id;
  }

  void Finish(int64_t attempt_id, AttemptOutcome outcome, WorkstreamStatus new_status,
              std::optional<int> exit_code, const std::string& event_type,
              const std::string& error_message = "") {
    AttemptEnd end;
    end.outcome = outcome;
    end.new_status = new_status;
    end.exit_code = exit_code;
    end.duration_seconds = 42.5;
    end.error_message = error_message;
    end.event_type = event_type;
    end.message = event_type + " message";
    std::string error;
    EXPECT_TRUE(store_->FinishAttempt(attempt_id, end, &error)) << error;
  }

  WorkstreamRecord Workstream(const std::string& id) {
    std::vector<WorkstreamRecord> records;
    std::string error;
    EXPECT_TRUE(store_->LoadWorkstreams(&records, &error)) << error;
    for (const WorkstreamRecord& record : records) {
      if (record.workstream_id == id) return record;
    }
    ADD_FAILURE() << "no workstream " << id;
    return {};
  }

  std::vector<LogEntry> Log(const std::string& id = "", int limit = 0) {
    std::vector<LogEntry> entries;
    std::string error;
    EXPECT_TRUE(store_->LoadLog(id, limit, &entries, &error)) << error;
    return entries;
  }

  /// Every row of every table, to show that a failed call changed nothing.
  Rows Dump() {
    Rows rows;
    for (const char* table : {"workstream_status", "execution_log", "attempts", "runs"}) {
      for (const std::string& row : Query(std::string("SELECT * FROM ") + table + " ORDER BY 1")) {
        rows.push_back(std::string(table) + ": " + row);
      }
    }
    return rows;
  }

  FixedClock clock_;
  testing::TempDir dir_;
  Backend backend_ = Backend::kSqlite;
  std::string path_;  // the database file, or the PostgreSQL database's URL
  std::unique_ptr<StateStore> store_;
};

/// The tests of what only the SQLite store does (WAL, files, read-only opens).
class SqliteStoreTest : public StoreTest {
 protected:
  void SetUp() override { SetUpBackend(Backend::kSqlite); }
  SqliteStore* sqlite() { return static_cast<SqliteStore*>(store_.get()); }
};

/// The StateStore contract, run against every store: SQLite, and PostgreSQL
/// on a private server (skipped when its binaries are not installed).
class StateStoreContractTest : public StoreTest, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override { SetUpBackend(GetParam()); }
};

const int kPostgresServer = testing::RegisterPostgresServerEnvironment();

INSTANTIATE_TEST_SUITE_P(Stores, StateStoreContractTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

TEST(StateStoreTest, NamesRoundTrip) {
  for (WorkstreamStatus status :
       {WorkstreamStatus::kPending, WorkstreamStatus::kRunning, WorkstreamStatus::kCompleted,
        WorkstreamStatus::kFailed, WorkstreamStatus::kBlocked}) {
    WorkstreamStatus parsed = WorkstreamStatus::kPending;
    EXPECT_TRUE(ParseStatus(StatusName(status), &parsed));
    EXPECT_EQ(parsed, status);
  }
  for (AttemptOutcome outcome :
       {AttemptOutcome::kRunning, AttemptOutcome::kSucceeded, AttemptOutcome::kFailed,
        AttemptOutcome::kTimedOut, AttemptOutcome::kInterrupted, AttemptOutcome::kAbandoned}) {
    AttemptOutcome parsed = AttemptOutcome::kRunning;
    EXPECT_TRUE(ParseOutcome(OutcomeName(outcome), &parsed));
    EXPECT_EQ(parsed, outcome);
  }
  for (RunState state : {RunState::kRunning, RunState::kPaused, RunState::kCompleted,
                         RunState::kFailed, RunState::kInterrupted, RunState::kCrashed}) {
    RunState parsed = RunState::kRunning;
    EXPECT_TRUE(ParseRunState(RunStateName(state), &parsed));
    EXPECT_EQ(parsed, state);
  }
  EXPECT_STREQ(StatusName(WorkstreamStatus::kBlocked), "blocked");
  EXPECT_STREQ(OutcomeName(AttemptOutcome::kTimedOut), "timed_out");
  EXPECT_STREQ(RunStateName(RunState::kCrashed), "crashed");
  WorkstreamStatus status;
  EXPECT_FALSE(ParseStatus("done", &status));
  EXPECT_FALSE(ParseStatus("", &status));
}

TEST_F(SqliteStoreTest, WorkstreamStatusHasExactlyTheNineColumnsInOrder) {
  Reader reader(path_);
  EXPECT_EQ(
      reader.Query("SELECT name, type FROM pragma_table_info('workstream_status')"),
      (Rows{"workstream_id|TEXT", "status|TEXT", "agent_id|TEXT", "track|TEXT", "started_at|TEXT",
            "completed_at|TEXT", "exit_code|INTEGER", "attempt|INTEGER", "error_message|TEXT"}));
  EXPECT_EQ(reader.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                         "'sqlite_%' ORDER BY name"),
            (Rows{"attempts", "execution_log", "plan_dependencies", "plan_workstreams", "runs", "submissions",
                  "workers", "workstream_status"}));
  EXPECT_EQ(reader.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE "
                         "'sqlite_%' ORDER BY name"),
            (Rows{"attempts_workstream", "execution_log_workstream"}));
}

TEST_F(SqliteStoreTest, UsesWalAndRecordsTheSchemaVersion) {
  Reader reader(path_);
  EXPECT_EQ(reader.Query("PRAGMA journal_mode"), Rows{"wal"});
  EXPECT_EQ(reader.Query("PRAGMA user_version"), Rows{"4"});
}

TEST_F(SqliteStoreTest, DurabilityIsFullUnlessSetAndThePidWriteKeepsIt) {
  EXPECT_EQ(sqlite()->Synchronous(), 2);  // FULL
  std::string error;
  Sync({{"ws-a", ""}});
  const int64_t attempt_id = Start("ws-a", 1, "agent-1");
  // The pid is committed without a sync of its own; the setting is back after it.
  ASSERT_TRUE(store_->SetAttemptPid(attempt_id, 4242, 987654, &error)) << error;
  EXPECT_EQ(sqlite()->Synchronous(), 2);
  Reader reader(path_);  // another connection sees it committed
  EXPECT_EQ(reader.Query("SELECT pid, pid_start_time FROM attempts"), Rows{"4242|987654"});
  ASSERT_TRUE(sqlite()->SetDurability(Durability::kNormal, &error)) << error;
  EXPECT_EQ(sqlite()->Synchronous(), 1);  // NORMAL
  EXPECT_FALSE(store_->SetAttemptPid(999, 1, 1, &error));
  EXPECT_EQ(sqlite()->Synchronous(), 1) << "restored after a failed pid write too";
}

TEST_F(SqliteStoreTest, MigratesAVersion1DatabaseKeepingItsRows) {
  store_.reset();
  {
    Reader reader(path_);  // back to the version 1 attempts table, with one attempt
    reader.Query("DROP TABLE attempts");
    reader.Query(
        "CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, workstream_id TEXT NOT NULL,"
        " attempt INTEGER NOT NULL, agent_id TEXT, pid INTEGER, pid_start_time INTEGER,"
        " started_at TEXT, ended_at TEXT, outcome TEXT NOT NULL, exit_code INTEGER, signal INTEGER,"
        " duration_seconds REAL, log_path TEXT, error_message TEXT)");
    reader.Query("INSERT INTO attempts (workstream_id, attempt, outcome) VALUES ('a', 1, 'failed')");
    reader.Query("PRAGMA user_version = 1");
  }
  Reopen();
  EXPECT_EQ(Reader(path_).Query("PRAGMA user_version"), Rows{"4"});
  std::vector<AttemptRecord> attempts;
  std::string error;
  ASSERT_TRUE(store_->LoadAttempts("a", &attempts, &error)) << error;
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kFailed);
  EXPECT_EQ(attempts[0].base_commit, "");
  EXPECT_FALSE(attempts[0].usage.Known());
}

TEST_P(StateStoreContractTest, RecordsTheAgentTypeUsageAndSession) {
  Sync({{"a", ""}});
  AttemptRecord record;
  record.workstream_id = "a";
  record.attempt = 1;
  record.agent_id = "agent-1";
  record.agent_type = "claude";
  int64_t id = 0;
  std::string error;
  ASSERT_TRUE(store_->StartAttempt(record, &id, &error)) << error;
  AttemptEnd end;
  end.outcome = AttemptOutcome::kRateLimited;
  end.new_status = WorkstreamStatus::kPending;
  end.event_type = "rate_limited";
  end.usage = Usage{.input_tokens = 120, .output_tokens = 30, .cache_read_tokens = 5, .cache_write_tokens = 7,
                    .cost_usd = 0.25, .model = "m", .turns = 2};
  end.session_id = "s-1";
  ASSERT_TRUE(store_->FinishAttempt(id, end, &error)) << error;
  std::vector<AttemptRecord> attempts;
  ASSERT_TRUE(store_->LoadAttempts("a", &attempts, &error)) << error;
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kRateLimited);
  EXPECT_EQ(attempts[0].agent_type, "claude");
  EXPECT_EQ(attempts[0].usage.input_tokens, 120);
  EXPECT_EQ(attempts[0].usage.output_tokens, 30);
  EXPECT_EQ(attempts[0].usage.cache_read_tokens, 5);
  EXPECT_EQ(attempts[0].usage.cache_write_tokens, 7);
  EXPECT_EQ(attempts[0].usage.cost_usd, 0.25);
  EXPECT_EQ(attempts[0].usage.model, "m");
  EXPECT_EQ(attempts[0].usage.turns, 2);
  EXPECT_EQ(attempts[0].session_id, "s-1");
  EXPECT_EQ(Query("SELECT outcome, cost_usd, input_tokens FROM attempts"),
            Rows{"rate_limited|0.25|120"});
}

TEST_F(SqliteStoreTest, LoadAttemptUsageReadsTheUsageColumnsOfEveryAttemptInOrder) {
  Sync({{"a", ""}, {"b", ""}});
  std::string error;
  const std::pair<const char*, std::optional<double>> runs[] = {{"b", 0.5}, {"a", std::nullopt}, {"b", 1.25}};
  for (const auto& [workstream, cost] : runs) {
    AttemptRecord record;
    record.workstream_id = workstream;
    record.attempt = 1;
    record.agent_id = "agent-1";
    record.agent_type = cost ? "claude" : "";
    int64_t id = 0;
    ASSERT_TRUE(store_->StartAttempt(record, &id, &error)) << error;
    AttemptEnd end;
    end.outcome = AttemptOutcome::kFailed;
    end.new_status = WorkstreamStatus::kPending;
    end.event_type = "failed";
    end.error_message = "boom";
    end.duration_seconds = 0.5 * static_cast<double>(id);
    end.usage = Usage{.input_tokens = id * 10, .output_tokens = id, .cache_read_tokens = 2, .cache_write_tokens = 3,
                      .cost_usd = cost, .model = "m", .turns = 2};
    ASSERT_TRUE(store_->FinishAttempt(id, end, &error)) << error;
  }
  std::vector<AttemptRecord> full, usage;
  ASSERT_TRUE(store_->LoadAttempts("", &full, &error)) << error;
  ASSERT_TRUE(store_->LoadAttemptUsage(&usage, &error)) << error;
  ASSERT_EQ(usage.size(), 3u);
  for (size_t i = 0; i < usage.size(); ++i) {
    EXPECT_EQ(usage[i].workstream_id, full[i].workstream_id) << i;
    EXPECT_EQ(usage[i].attempt, full[i].attempt) << i;
    EXPECT_EQ(usage[i].agent_type, full[i].agent_type) << i;
    EXPECT_EQ(usage[i].duration_seconds, full[i].duration_seconds) << i;
    EXPECT_EQ(usage[i].usage.input_tokens, full[i].usage.input_tokens) << i;
    EXPECT_EQ(usage[i].usage.output_tokens, full[i].usage.output_tokens) << i;
    EXPECT_EQ(usage[i].usage.cache_read_tokens, 2) << i;
    EXPECT_EQ(usage[i].usage.cache_write_tokens, 3) << i;
    EXPECT_EQ(usage[i].usage.cost_usd, runs[i].second) << i;
    EXPECT_EQ(usage[i].error_message, "") << i;  // not read
    EXPECT_EQ(full[i].error_message, "boom") << i;
  }
  EXPECT_EQ(usage[0].workstream_id, "b");
  EXPECT_EQ(usage[1].usage.input_tokens, 20);
}

TEST_F(SqliteStoreTest, MigratesAVersion2DatabaseAddingTheUsageColumns) {
  store_.reset();
  {
    Reader reader(path_);
    for (const char* column : {"agent_type", "input_tokens", "output_tokens", "cache_read_tokens",
                               "cache_write_tokens", "cost_usd", "model", "turns", "session_id"}) {
      reader.Query(std::string("ALTER TABLE attempts DROP COLUMN ") + column);
    }
    reader.Query("INSERT INTO attempts (workstream_id, attempt, outcome) VALUES ('a', 1, 'succeeded')");
    reader.Query("PRAGMA user_version = 2");
  }
  Reopen();
  EXPECT_EQ(Reader(path_).Query("PRAGMA user_version"), Rows{"4"});
  std::vector<AttemptRecord> attempts;
  std::string error;
  ASSERT_TRUE(store_->LoadAttempts("a", &attempts, &error)) << error;
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kSucceeded);
  EXPECT_FALSE(attempts[0].usage.cost_usd.has_value());
}

TEST_P(StateStoreContractTest, RecordsCommitsMergesAndConflicts) {
  Sync({{"a", ""}});
  AttemptRecord record;
  record.workstream_id = "a";
  record.attempt = 1;
  record.agent_id = "agent-1";
  record.base_commit = "base";
  int64_t id = 0;
  std::string error;
  ASSERT_TRUE(store_->StartAttempt(record, &id, &error)) << error;
  ASSERT_TRUE(store_->RecordChanges(id, "head", "x.txt\ny.txt", "2 files changed", &error)) << error;
  ASSERT_TRUE(store_->RecordMerge(id, "merge", "merging a", &error)) << error;
  AttemptEnd end;
  end.outcome = AttemptOutcome::kConflict;
  end.new_status = WorkstreamStatus::kPending;
  end.conflict_paths = "x.txt";
  end.event_type = "retry";
  ASSERT_TRUE(store_->FinishAttempt(id, end, &error)) << error;
  std::vector<AttemptRecord> attempts;
  ASSERT_TRUE(store_->LoadAttempts("a", &attempts, &error)) << error;
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kConflict);
  EXPECT_EQ(attempts[0].base_commit, "base");
  EXPECT_EQ(attempts[0].head_commit, "head");
  EXPECT_EQ(attempts[0].merge_commit, "merge");
  EXPECT_EQ(attempts[0].conflict_paths, "x.txt");
  EXPECT_EQ(attempts[0].out_of_scope_paths, "x.txt\ny.txt");
  EXPECT_EQ(Query("SELECT outcome FROM attempts"), Rows{"conflict"});
  // An ended attempt takes no more records.
  EXPECT_FALSE(store_->RecordMerge(id, "other", "again", &error));
  EXPECT_NE(error.find("already ended"), std::string::npos) << error;
  std::vector<std::string> events;
  for (const LogEntry& entry : Log("a")) events.push_back(entry.event_type);
  EXPECT_EQ(events, (std::vector<std::string>{"started", "changes", "merging", "retry"}));
}

TEST_F(SqliteStoreTest, OpenCreatesTheFolderAndReopensAnExistingDatabase) {
  EXPECT_TRUE(std::filesystem::is_regular_file(path_));
  Sync({{"a", "core"}});
  Reopen();
  EXPECT_EQ(Workstream("a").track, "core");
}

TEST_F(SqliteStoreTest, OpenRefusesANewerSchema) {
  store_.reset();
  Reader(path_).Query("PRAGMA user_version = 5");
  std::string error;
  EXPECT_FALSE(SqliteStore::Open(path_, &clock_, &error));
  EXPECT_NE(error.find("schema version 5 is newer"), std::string::npos) << error;
  EXPECT_NE(error.find(path_), std::string::npos) << error;
}

TEST_F(SqliteStoreTest, OpenExistingOnAMissingFileFailsAndCreatesNothing) {
  const std::string missing = dir_ / "nowhere/orchestration.db";
  std::string error;
  EXPECT_FALSE(SqliteStore::OpenExisting(missing, &clock_, &error));
  EXPECT_EQ(error, "no state at " + missing + ": nothing has run yet");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nowhere"));
}

TEST_F(SqliteStoreTest, OpenExistingReadsWhatOpenWrote) {
  Sync({{"a", "core"}});
  std::string error;
  std::unique_ptr<SqliteStore> reader = SqliteStore::OpenExisting(path_, &clock_, &error);
  ASSERT_TRUE(reader) << error;
  std::vector<WorkstreamRecord> records;
  ASSERT_TRUE(reader->LoadWorkstreams(&records, &error)) << error;
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].workstream_id, "a");
}

TEST_F(SqliteStoreTest, OpenExistingRefusesAForeignDatabase) {
  const std::string foreign = dir_ / "other.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  std::string error;
  EXPECT_FALSE(SqliteStore::OpenExisting(foreign, &clock_, &error));
  EXPECT_NE(error.find("not an orchestra state database"), std::string::npos) << error;
}

TEST_P(StateStoreContractTest, SyncInsertsPendingAndUpdatesTracksOfRowsNotRunning) {
  Sync({{"a", "core"}, {"b", "core"}, {"gone", "old"}});
  Start("b", 1, "agent-1");
  Sync({{"a", "docs"}, {"b", "docs"}, {"c", ""}});
  EXPECT_EQ(Workstream("a").track, "docs");
  EXPECT_EQ(Workstream("b").track, "core");  // running: keeps the track it started with
  EXPECT_EQ(Workstream("c").status, WorkstreamStatus::kPending);
  EXPECT_EQ(Workstream("c").attempt, 0);
  EXPECT_EQ(Workstream("gone").track, "old");  // no longer in the plan: left alone
  EXPECT_EQ(Query("SELECT track FROM workstream_status WHERE workstream_id = 'c'"),
            Rows{"NULL"});
}

TEST_P(StateStoreContractTest, LifecycleFromStartToCompleted) {
  Sync({{"ws-a", "core"}});
  clock_.now = 1700000000;
  const int64_t attempt_id = Start("ws-a", 1, "agent-1");
  WorkstreamRecord running = Workstream("ws-a");
  EXPECT_EQ(running.status, WorkstreamStatus::kRunning);
  EXPECT_EQ(running.agent_id, "agent-1");
  EXPECT_EQ(running.attempt, 1);
  EXPECT_EQ(running.started_at, "2023-11-14 22:13:20");
  EXPECT_EQ(running.completed_at, "");

  std::string error;
  ASSERT_TRUE(store_->SetAttemptPid(attempt_id, 4242, 987654, &error)) << error;
  clock_.now += 65;
  Finish(attempt_id, AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0, "completed");

  WorkstreamRecord done = Workstream("ws-a");
  EXPECT_EQ(done.status, WorkstreamStatus::kCompleted);
  EXPECT_EQ(done.agent_id, "agent-1");
  EXPECT_EQ(done.track, "core");
  EXPECT_EQ(done.started_at, "2023-11-14 22:13:20");
  EXPECT_EQ(done.completed_at, "2023-11-14 22:14:25");
  EXPECT_EQ(done.exit_code, 0);
  EXPECT_EQ(done.attempt, 1);
  EXPECT_EQ(done.error_message, "");

  std::vector<AttemptRecord> attempts;
  ASSERT_TRUE(store_->LoadAttempts("ws-a", &attempts, &error)) << error;
  ASSERT_EQ(attempts.size(), 1u);
  const AttemptRecord& attempt = attempts[0];
  EXPECT_EQ(attempt.id, attempt_id);
  EXPECT_EQ(attempt.attempt, 1);
  EXPECT_EQ(attempt.agent_id, "agent-1");
  EXPECT_EQ(attempt.pid, 4242);
  EXPECT_EQ(attempt.pid_start_time, 987654);
  EXPECT_EQ(attempt.started_at, "2023-11-14 22:13:20");
  EXPECT_EQ(attempt.ended_at, "2023-11-14 22:14:25");
  EXPECT_EQ(attempt.outcome, AttemptOutcome::kSucceeded);
  EXPECT_EQ(attempt.exit_code, 0);
  EXPECT_EQ(attempt.signal, std::nullopt);
  EXPECT_DOUBLE_EQ(attempt.duration_seconds, 42.5);
  EXPECT_EQ(attempt.log_path, "logs/ws-a-1.log");

  std::vector<LogEntry> log = Log("ws-a");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].event_type, "started");
  EXPECT_EQ(log[0].message, "attempt 1 on agent-1");
  EXPECT_EQ(log[0].agent_id, "agent-1");
  EXPECT_EQ(log[0].timestamp, "2023-11-14 22:13:20");
  EXPECT_EQ(log[1].event_type, "completed");
  EXPECT_EQ(log[1].message, "completed message");
  EXPECT_EQ(log[1].agent_id, "agent-1");
  EXPECT_EQ(log[1].workstream_id, "ws-a");
}

// The count the run's "nothing to do?" check reads instead of every row; the
// base class's default (LoadWorkstreams, counted) must agree with it.
TEST_P(StateStoreContractTest, CountCompletedCountsOnlyCompletedRows) {
  Sync({{"ws-a", ""}, {"ws-b", ""}, {"ws-c", ""}});
  const auto counted = [&] {
    int64_t completed = -1, by_default = -1;
    std::string error;
    EXPECT_TRUE(store_->CountCompleted(&completed, &error)) << error;
    EXPECT_TRUE(store_->StateStore::CountCompleted(&by_default, &error)) << error;
    EXPECT_EQ(completed, by_default);
    return completed;
  };
  EXPECT_EQ(counted(), 0);
  Finish(Start("ws-a", 1, "agent-1"), AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0, "completed");
  Finish(Start("ws-b", 1, "agent-1"), AttemptOutcome::kFailed, WorkstreamStatus::kFailed, 1, "failed");
  Start("ws-c", 1, "agent-2");
  EXPECT_EQ(counted(), 1);
}

TEST_P(StateStoreContractTest, FailureSetsCompletedAtAndError) {
  Sync({{"a", ""}});
  const int64_t attempt_id = Start("a", 1, "agent-1");
  AttemptEnd end;
  end.outcome = AttemptOutcome::kFailed;
  end.new_status = WorkstreamStatus::kFailed;
  end.signal = 9;
  end.error_message = "signal 9 (Killed)";
  end.event_type = "failed";
  std::string error;
  ASSERT_TRUE(store_->FinishAttempt(attempt_id, end, &error)) << error;
  WorkstreamRecord failed = Workstream("a");
  EXPECT_EQ(failed.status, WorkstreamStatus::kFailed);
  EXPECT_EQ(failed.exit_code, std::nullopt);
  EXPECT_EQ(failed.error_message, "signal 9 (Killed)");
  EXPECT_EQ(failed.completed_at, "2023-11-14 22:13:20");
  std::vector<AttemptRecord> attempts;
  ASSERT_TRUE(store_->LoadAttempts("a", &attempts, &error)) << error;
  EXPECT_EQ(attempts[0].signal, 9);
  EXPECT_EQ(attempts[0].error_message, "signal 9 (Killed)");
}

TEST_P(StateStoreContractTest, RetryKeepsTheFailureUntilTheNextAttemptStarts) {
  Sync({{"a", "core"}});
  const int64_t first = Start("a", 1, "agent-1");
  Finish(first, AttemptOutcome::kFailed, WorkstreamStatus::kPending, 3, "retry", "exit code 3");
  WorkstreamRecord waiting = Workstream("a");
  EXPECT_EQ(waiting.status, WorkstreamStatus::kPending);
  EXPECT_EQ(waiting.attempt, 1);
  EXPECT_EQ(waiting.exit_code, 3);
  EXPECT_EQ(waiting.error_message, "exit code 3");
  EXPECT_EQ(waiting.completed_at, "");

  clock_.now += 30;
  const int64_t second = Start("a", 2, "agent-2");
  EXPECT_GT(second, first);
  WorkstreamRecord running = Workstream("a");
  EXPECT_EQ(running.status, WorkstreamStatus::kRunning);
  EXPECT_EQ(running.attempt, 2);
  EXPECT_EQ(running.agent_id, "agent-2");
  EXPECT_EQ(running.exit_code, std::nullopt);
  EXPECT_EQ(running.error_message, "");
  EXPECT_EQ(running.started_at, "2023-11-14 22:13:50");

  std::vector<AttemptRecord> attempts;
  std::string error;
  ASSERT_TRUE(store_->LoadAttempts("", &attempts, &error)) << error;
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kFailed);
  EXPECT_EQ(attempts[0].exit_code, 3);
  EXPECT_EQ(attempts[1].outcome, AttemptOutcome::kRunning);
  EXPECT_EQ(attempts[1].ended_at, "");
  std::vector<LogEntry> log = Log("a");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[1].event_type, "retry");
  EXPECT_EQ(log[2].message, "attempt 2 on agent-2");
}

TEST_P(StateStoreContractTest, MarkBlockedLogsAndKeepsTheReasonForEach) {
  Sync({{"a", ""}, {"b", ""}, {"c", ""}});
  std::string error;
  ASSERT_TRUE(store_->MarkBlocked({"b", "c"}, "dependency 'a' failed", &error)) << error;
  EXPECT_EQ(Workstream("a").status, WorkstreamStatus::kPending);
  EXPECT_EQ(Workstream("b").status, WorkstreamStatus::kBlocked);
  EXPECT_EQ(Workstream("c").status, WorkstreamStatus::kBlocked);
  EXPECT_EQ(Workstream("b").error_message, "dependency 'a' failed");  // what `status` shows
  EXPECT_EQ(Workstream("a").error_message, "");
  std::vector<LogEntry> log = Log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].workstream_id, "b");
  EXPECT_EQ(log[0].event_type, "blocked");
  EXPECT_EQ(log[0].message, "dependency 'a' failed");
  EXPECT_EQ(log[1].workstream_id, "c");
}

TEST_P(StateStoreContractTest, AFailedCallLeavesNothingHalfWritten) {
  Sync({{"a", ""}, {"b", ""}});
  Finish(Start("b", 1, "agent-1"), AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0,
         "completed");
  const Rows before = Dump();

  std::string error;
  // "a" is blocked and logged before "missing" fails; both must roll back.
  EXPECT_FALSE(store_->MarkBlocked({"a", "missing"}, "why", &error));
  EXPECT_NE(error.find("mark blocked: unknown workstream 'missing'"), std::string::npos) << error;
  AttemptEnd end;
  end.event_type = "failed";
  EXPECT_FALSE(store_->FinishAttempt(999, end, &error));
  EXPECT_EQ(error, "state store: finish attempt 999: no such attempt");
  EXPECT_FALSE(store_->SetAttemptPid(999, 1, 1, &error));
  EXPECT_EQ(error, "state store: set pid of attempt 999: no such attempt");
  EXPECT_FALSE(store_->ResetToPending({"b", "missing"}, "reset", "again", &error));
  AttemptRecord attempt;
  attempt.workstream_id = "missing";
  attempt.attempt = 1;
  int64_t attempt_id = 0;
  EXPECT_FALSE(store_->StartAttempt(attempt, &attempt_id, &error));
  EXPECT_NE(error.find("unknown workstream 'missing'"), std::string::npos) << error;
  EXPECT_FALSE(store_->AppendLog("a", "", "", "no event type", &error));
  EXPECT_FALSE(store_->EndRun(999, RunState::kCompleted, &error));
  EXPECT_EQ(error, "state store: end run 999: no such run");

  EXPECT_EQ(Dump(), before);
}

TEST_P(StateStoreContractTest, AnAttemptEndsOnceAndARunningWorkstreamStartsNoOther) {
  Sync({{"a", ""}});
  const int64_t attempt_id = Start("a", 1, "agent-1");
  AttemptRecord again;
  again.workstream_id = "a";
  again.attempt = 2;
  int64_t second_id = 0;
  std::string error;
  EXPECT_FALSE(store_->StartAttempt(again, &second_id, &error));
  EXPECT_NE(error.find("workstream 'a' is running"), std::string::npos) << error;
  EXPECT_FALSE(store_->MarkBlocked({"a"}, "no", &error));
  EXPECT_FALSE(store_->ResetToPending({"a"}, "reset", "no", &error));

  Finish(attempt_id, AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0, "completed");
  AttemptEnd end;
  end.event_type = "failed";
  EXPECT_FALSE(store_->FinishAttempt(attempt_id, end, &error));
  EXPECT_NE(error.find("already ended (succeeded)"), std::string::npos) << error;
  EXPECT_EQ(Workstream("a").status, WorkstreamStatus::kCompleted);
}

TEST_P(StateStoreContractTest, ResetToPendingClearsTheWorkstreamAndRestartsAttemptNumbers) {
  Sync({{"a", "core"}});
  Finish(Start("a", 1, "agent-1"), AttemptOutcome::kFailed, WorkstreamStatus::kFailed, 1, "failed",
         "exit code 1");
  std::string error;
  ASSERT_TRUE(store_->ResetToPending({"a"}, "retry", "retried by user", &error)) << error;
  WorkstreamRecord reset = Workstream("a");
  EXPECT_EQ(reset.status, WorkstreamStatus::kPending);
  EXPECT_EQ(reset.track, "core");
  EXPECT_EQ(reset.agent_id, "");
  EXPECT_EQ(reset.started_at, "");
  EXPECT_EQ(reset.completed_at, "");
  EXPECT_EQ(reset.exit_code, std::nullopt);
  EXPECT_EQ(reset.attempt, 0);
  EXPECT_EQ(reset.error_message, "");
  EXPECT_EQ(Log("a").back().event_type, "retry");
  EXPECT_EQ(Log("a").back().message, "retried by user");

  Start("a", 1, "agent-2");  // attempt 1 again: (workstream, attempt) is not unique
  std::vector<AttemptRecord> attempts;
  ASSERT_TRUE(store_->LoadAttempts("a", &attempts, &error)) << error;
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[1].attempt, 1);
}

TEST_P(StateStoreContractTest, RunningAttemptsSurviveACrashedOrchestrator) {
  Sync({{"a", ""}, {"b", ""}});
  const int64_t attempt_id = Start("a", 1, "agent-1");
  std::string error;
  ASSERT_TRUE(store_->SetAttemptPid(attempt_id, 777, 555, &error)) << error;
  Finish(Start("b", 1, "agent-2"), AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0,
         "completed");
  Reopen();  // the orchestrator died without finishing "a"

  std::vector<AttemptRecord> running;
  ASSERT_TRUE(store_->RunningAttempts(&running, &error)) << error;
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].id, attempt_id);
  EXPECT_EQ(running[0].workstream_id, "a");
  EXPECT_EQ(running[0].pid, 777);
  EXPECT_EQ(running[0].pid_start_time, 555);
  EXPECT_EQ(Workstream("a").status, WorkstreamStatus::kRunning);

  Finish(attempt_id, AttemptOutcome::kAbandoned, WorkstreamStatus::kPending, std::nullopt,
         "abandoned");
  ASSERT_TRUE(store_->RunningAttempts(&running, &error)) << error;
  EXPECT_TRUE(running.empty());
  EXPECT_EQ(Workstream("a").status, WorkstreamStatus::kPending);
  Start("a", 2, "agent-1");
}

TEST_P(StateStoreContractTest, PauseGoesToTheNewestRunningRun) {
  RunRecord run;
  bool found = true;
  std::string error;
  ASSERT_TRUE(store_->LatestRun(&run, &found, &error)) << error;
  EXPECT_FALSE(found);
  EXPECT_FALSE(store_->RequestPause(&error));
  EXPECT_EQ(error, "state store: request pause: no run in progress");

  int64_t first = 0, second = 0;
  ASSERT_TRUE(store_->BeginRun(100, &first, &error)) << error;
  ASSERT_TRUE(store_->EndRun(first, RunState::kCrashed, &error)) << error;
  clock_.now += 10;
  ASSERT_TRUE(store_->BeginRun(200, &second, &error)) << error;
  ASSERT_TRUE(store_->RequestPause(&error)) << error;
  ASSERT_TRUE(store_->LatestRun(&run, &found, &error)) << error;
  ASSERT_TRUE(found);
  EXPECT_EQ(run.id, second);
  EXPECT_EQ(run.pid, 200);
  EXPECT_EQ(run.state, RunState::kRunning);
  EXPECT_TRUE(run.pause_requested);
  EXPECT_EQ(run.started_at, "2023-11-14 22:13:30");
  EXPECT_EQ(run.ended_at, "");

  clock_.now += 5;
  ASSERT_TRUE(store_->EndRun(second, RunState::kPaused, &error)) << error;
  ASSERT_TRUE(store_->LatestRun(&run, &found, &error)) << error;
  EXPECT_EQ(run.state, RunState::kPaused);
  EXPECT_EQ(run.ended_at, "2023-11-14 22:13:35");
  EXPECT_FALSE(store_->RequestPause(&error));
  EXPECT_FALSE(store_->EndRun(second, RunState::kRunning, &error));
}

TEST_P(StateStoreContractTest, BeginRunRecordsRunsLeftRunningAsCrashed) {
  int64_t killed = 0, next = 0;
  std::string error;
  ASSERT_TRUE(store_->BeginRun(100, &killed, &error)) << error;  // and then kill -9: never ended
  clock_.now += 10;
  ASSERT_TRUE(store_->BeginRun(200, &next, &error)) << error;
  EXPECT_EQ(Query("SELECT id, pid, state, ended_at FROM runs ORDER BY id"),
            (Rows{std::to_string(killed) + "|100|crashed|NULL", std::to_string(next) + "|200|running|NULL"}));
  const std::vector<LogEntry> log = Log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].event_type, "crashed");
  EXPECT_EQ(log[0].message, "run " + std::to_string(killed) + " (pid 100) stopped without ending; recorded as crashed");
  EXPECT_EQ(log[0].timestamp, "2023-11-14 22:13:30");
  // Ended runs stay as they ended.
  ASSERT_TRUE(store_->EndRun(next, RunState::kPaused, &error)) << error;
  int64_t third = 0;
  ASSERT_TRUE(store_->BeginRun(300, &third, &error)) << error;
  EXPECT_EQ(Query("SELECT state FROM runs ORDER BY id"), (Rows{"crashed", "paused", "running"}));
}

TEST_P(StateStoreContractTest, CloseCrashedRunsRecordsThemWithoutStartingAnother) {
  int64_t killed = 0, ended = 0;
  std::string error;
  ASSERT_TRUE(store_->BeginRun(100, &ended, &error)) << error;
  ASSERT_TRUE(store_->EndRun(ended, RunState::kCompleted, &error)) << error;
  ASSERT_TRUE(store_->BeginRun(200, &killed, &error)) << error;  // and then kill -9: never ended
  ASSERT_TRUE(store_->CloseCrashedRuns(&error)) << error;
  EXPECT_EQ(Query("SELECT id, pid, state FROM runs ORDER BY id"),
            (Rows{std::to_string(ended) + "|100|completed", std::to_string(killed) + "|200|crashed"}));
  const std::vector<LogEntry> log = Log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].message, "run " + std::to_string(killed) + " (pid 200) stopped without ending; recorded as crashed");
  // Nothing left running: a second call changes nothing.
  ASSERT_TRUE(store_->CloseCrashedRuns(&error)) << error;
  EXPECT_EQ(Log().size(), 1u);
}

TEST_P(StateStoreContractTest, LoadLogFiltersAndKeepsTheNewestOldestFirst) {
  std::string error;
  for (int index = 1; index <= 5; ++index) {
    ASSERT_TRUE(
        store_->AppendLog(index % 2 ? "odd" : "even", "", "note", std::to_string(index), &error))
        << error;
  }
  ASSERT_TRUE(store_->AppendLog("", "", "paused", "run-level", &error)) << error;
  std::vector<LogEntry> last_two = Log("", 2);
  ASSERT_EQ(last_two.size(), 2u);
  EXPECT_EQ(last_two[0].message, "5");
  EXPECT_EQ(last_two[1].message, "run-level");
  EXPECT_EQ(last_two[1].workstream_id, "");
  std::vector<LogEntry> odd = Log("odd");
  ASSERT_EQ(odd.size(), 3u);
  EXPECT_EQ(odd[0].message, "1");
  EXPECT_EQ(odd[2].message, "5");
  EXPECT_EQ(Log("odd", 1).at(0).message, "5");
  EXPECT_EQ(Log().size(), 6u);
}

TEST_P(StateStoreContractTest, ResetAllEmptiesEveryTableButNeverReusesIds) {
  Sync({{"a", ""}});
  const int64_t attempt_id = Start("a", 1, "agent-1");
  int64_t run_id = 0;
  std::string error;
  ASSERT_TRUE(store_->BeginRun(1, &run_id, &error)) << error;
  ASSERT_TRUE(store_->ResetAll(&error)) << error;
  EXPECT_TRUE(Dump().empty());
  Sync({{"a", ""}});
  EXPECT_GT(Start("a", 1, "agent-1"), attempt_id);
}

PlanEntry Entry(const std::string& id, const std::vector<std::string>& depends_on, const std::string& track = "",
                const std::string& title = "") {
  const std::string definition = "{\"id\":\"" + id + "\",\"title\":\"" + title + "\"}";
  return PlanEntry{id, track, depends_on, definition, ContentHash(definition), "workstreams/" + id + ".json"};
}

TEST_P(StateStoreContractTest, SubmitStoresThePlanAndSaysWhatChanged) {
  std::string error;
  int64_t submission = 0;
  PlanChanges changes;
  ASSERT_TRUE(store_->SubmitPlan({Entry("a", {}), Entry("b", {"a"})}, &submission, &changes, &error)) << error;
  EXPECT_EQ(submission, 1);
  EXPECT_EQ(changes.added, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Workstream("b").status, WorkstreamStatus::kPending);
  ASSERT_TRUE(store_->SubmitPlan({Entry("a", {}), Entry("b", {"a"})}, &submission, &changes, &error)) << error;
  EXPECT_EQ(submission, 1);
  EXPECT_TRUE(changes.empty());
  ASSERT_TRUE(store_->SubmitPlan({Entry("b", {"a"}, "", "edited"), Entry("c", {})}, &submission, &changes, &error))
      << error;
  EXPECT_EQ(submission, 2);
  EXPECT_EQ(changes.added, std::vector<std::string>{"c"});
  EXPECT_EQ(changes.removed, std::vector<std::string>{"a"});
  EXPECT_EQ(changes.edited, std::vector<std::string>{"b"});
  std::vector<PlanEntry> loaded;
  ASSERT_TRUE(store_->LoadPlan(&loaded, &submission, &error)) << error;
  EXPECT_EQ(submission, 2);
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].workstream_id, "b");
  EXPECT_EQ(loaded[0].depends_on, std::vector<std::string>{"a"});
  EXPECT_EQ(loaded[0].definition, Entry("b", {"a"}, "", "edited").definition);
  EXPECT_EQ(loaded[0].source_file, "workstreams/b.json");
  EXPECT_EQ(Log().back().event_type, "submitted");
}

TEST_P(StateStoreContractTest, AClaimTakesOnlyReadySubmittedWorkOfItsTrack) {
  std::string error;
  int64_t submission = 0;
  PlanChanges changes;
  ASSERT_TRUE(store_->SubmitPlan({Entry("a", {}, "x"), Entry("b", {"a"}, "x"), Entry("c", {}, "y")}, &submission,
                                 &changes, &error))
      << error;
  Sync({{"unsubmitted", ""}});
  ClaimRequest request;
  request.worker_id = "host:1:1";
  request.track = "y";
  request.attempt.agent_id = "agent-1";
  request.attempt.log_path = "logs/x.log";
  std::optional<Claim> claim;
  ASSERT_TRUE(store_->ClaimWorkstream(request, &claim, &error)) << error;
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->workstream_id, "c");
  EXPECT_EQ(claim->attempt, 1);
  ASSERT_TRUE(store_->ClaimWorkstream(request, &claim, &error)) << error;
  EXPECT_FALSE(claim);  // nothing more of track y
  request.track = "";
  request.candidates = {"b", "a"};  // b waits for a
  ASSERT_TRUE(store_->ClaimWorkstream(request, &claim, &error)) << error;
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->workstream_id, "a");
  EXPECT_EQ(Workstream("a").status, WorkstreamStatus::kRunning);
  request.candidates = {};
  ASSERT_TRUE(store_->ClaimWorkstream(request, &claim, &error)) << error;
  EXPECT_FALSE(claim);  // b waits for a; the unsubmitted one is never claimed
}

TEST_P(StateStoreContractTest, AnEndUnderAStaleFencingTokenIsRefusedAndLogged) {
  std::string error;
  int64_t submission = 0;
  PlanChanges changes;
  ASSERT_TRUE(store_->SubmitPlan({Entry("a", {})}, &submission, &changes, &error)) << error;
  ClaimRequest request;
  request.worker_id = "host:1:1";
  request.attempt.agent_id = "agent-1";
  std::optional<Claim> claim;
  ASSERT_TRUE(store_->ClaimWorkstream(request, &claim, &error)) << error;
  ASSERT_TRUE(claim);
  std::vector<int64_t> lost;
  ASSERT_TRUE(store_->RenewLeases("host:1:1", 30, {claim->attempt_id}, &lost, &error)) << error;
  EXPECT_TRUE(lost.empty());
  AttemptEnd end;
  end.outcome = AttemptOutcome::kSucceeded;
  end.new_status = WorkstreamStatus::kCompleted;
  end.event_type = "completed";
  bool rejected = false;
  ASSERT_TRUE(store_->FinishClaimedAttempt(claim->attempt_id, claim->fencing_token + 1, end, &rejected, &error))
      << error;
  EXPECT_TRUE(rejected);
  EXPECT_EQ(Workstream("a").status, WorkstreamStatus::kRunning);
  EXPECT_EQ(Log("a").back().event_type, "rejected_late_result");
  ASSERT_TRUE(store_->FinishClaimedAttempt(claim->attempt_id, claim->fencing_token, end, &rejected, &error))
      << error;
  EXPECT_FALSE(rejected);
  EXPECT_EQ(Workstream("a").status, WorkstreamStatus::kCompleted);
  // Ended: the same token is stale now.
  ASSERT_TRUE(store_->FinishClaimedAttempt(claim->attempt_id, claim->fencing_token, end, &rejected, &error))
      << error;
  EXPECT_TRUE(rejected);
  ASSERT_TRUE(store_->RenewLeases("host:1:1", 30, {claim->attempt_id}, &lost, &error)) << error;
  EXPECT_EQ(lost, std::vector<int64_t>{claim->attempt_id});
}

TEST_P(StateStoreContractTest, UsersQueriesRunOnASecondConnection) {
  Sync({{"a", "core"}, {"b", "core"}, {"c", "docs"}});
  const std::string latest = "SELECT * FROM workstream_status ORDER BY started_at DESC LIMIT 10";
  const std::string who =
      "SELECT workstream_id, status, agent_id FROM workstream_status "
      "ORDER BY started_at";
  const std::string counts = "SELECT status, COUNT(*) FROM workstream_status GROUP BY status ORDER BY status";
  EXPECT_EQ(Query(counts), Rows{"pending|3"});

  Finish(Start("a", 1, "agent-1"), AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0,
         "completed");
  clock_.now += 60;
  Start("b", 1, "agent-2");
  // SQLite sorts NULL before every value, PostgreSQL after (docs/state.md).
  const bool nulls_first = GetParam() == Backend::kSqlite;
  Rows newest{"b|running|agent-2|core|2023-11-14 22:14:20|NULL|NULL|1|NULL",
              "a|completed|agent-1|core|2023-11-14 22:13:20|2023-11-14 22:13:20|0|1|NULL"};
  newest.insert(nulls_first ? newest.end() : newest.begin(), "c|pending|NULL|docs|NULL|NULL|NULL|0|NULL");
  EXPECT_EQ(Query(latest), newest);
  Rows in_start_order{"a|completed|agent-1", "b|running|agent-2"};
  in_start_order.insert(nulls_first ? in_start_order.begin() : in_start_order.end(), "c|pending|NULL");
  EXPECT_EQ(Query(who), in_start_order);
  EXPECT_EQ(Query(counts), (Rows{"completed|1", "pending|1", "running|1"}));
}

TEST_F(SqliteStoreTest, AReaderInATransactionDoesNotBlockTheWriter) {
  Sync({{"a", ""}});
  const int64_t attempt_id = Start("a", 1, "agent-1");
  Reader reader(path_);
  reader.Query("BEGIN");
  EXPECT_EQ(reader.Query("SELECT status FROM workstream_status"), Rows{"running"});
  // WAL: the write commits while the reader's snapshot is open, at once.
  Finish(attempt_id, AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0, "completed");
  EXPECT_EQ(reader.Query("SELECT status FROM workstream_status"), Rows{"running"});
  reader.Query("COMMIT");
  EXPECT_EQ(reader.Query("SELECT status FROM workstream_status"), Rows{"completed"});
}

TEST_F(SqliteStoreTest, TransitionsReuseTheirStatementsAcrossFailuresAndBusyWrites) {
  Sync({{"a", ""}, {"b", ""}, {"c", ""}});
  std::string error;
  AttemptRecord again;
  int64_t unused = 0;
  // One whole life of a workstream compiles every statement it needs...
  int64_t attempt_id = Start("a", 1, "agent-1");
  again.workstream_id = "a";
  EXPECT_FALSE(store_->StartAttempt(again, &unused, &error));  // rolled back
  ASSERT_TRUE(store_->SetAttemptPid(attempt_id, 4242, 1, &error)) << error;
  Finish(attempt_id, AttemptOutcome::kFailed, WorkstreamStatus::kPending, 1, "retry", "exit 1");
  attempt_id = Start("a", 2, "agent-1");
  Finish(attempt_id, AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0, "completed");
  const int64_t compiled = sqlite()->statements_prepared();

  // ...and the next lives compile none, even with failed calls between.
  attempt_id = Start("b", 1, "agent-2");
  again.workstream_id = "b";
  again.attempt = 2;
  EXPECT_FALSE(store_->StartAttempt(again, &unused, &error));  // b is running: fails half-way
  EXPECT_NE(error.find("workstream 'b' is running"), std::string::npos) << error;
  AttemptEnd unknown;
  unknown.event_type = "failed";
  EXPECT_FALSE(store_->FinishAttempt(attempt_id + 100, unknown, &error));
  {
    Reader holder(path_);  // another process holds the write lock: the write fails as busy
    holder.Query("BEGIN IMMEDIATE");
    sqlite()->SetBusyTimeout(0);
    EXPECT_FALSE(store_->SetAttemptPid(attempt_id, 4343, 2, &error));
    EXPECT_TRUE(sqlite()->LastCallWasBusy()) << error;
    holder.Query("ROLLBACK");
  }
  ASSERT_TRUE(store_->SetAttemptPid(attempt_id, 4343, 2, &error)) << error;
  Finish(attempt_id, AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0, "completed");
  EXPECT_EQ(sqlite()->statements_prepared(), compiled);

  Reader reader(path_);
  EXPECT_EQ(reader.Query("SELECT workstream_id, attempt, pid, outcome FROM attempts ORDER BY id"),
            (Rows{"a|1|4242|failed", "a|2|NULL|succeeded", "b|1|4343|succeeded"}));
  EXPECT_EQ(reader.Query("SELECT workstream_id, status, attempt FROM workstream_status ORDER BY workstream_id"),
            (Rows{"a|completed|2", "b|completed|1", "c|pending|0"}));
}

TEST_F(SqliteStoreTest, AGroupCommitsItsChangesTogetherAndAFailedOneAlone) {
  Sync({{"a", ""}, {"b", ""}});
  const int64_t first = Start("a", 1, "agent-1");
  std::string error;
  ASSERT_TRUE(store_->BeginGroup(&error)) << error;
  Finish(first, AttemptOutcome::kSucceeded, WorkstreamStatus::kCompleted, 0, "completed");
  const int64_t second = Start("b", 1, "agent-1");  // the start the end made possible
  AttemptRecord again;
  again.workstream_id = "b";
  again.attempt = 2;
  int64_t unused = 0;
  EXPECT_FALSE(store_->StartAttempt(again, &unused, &error));  // undoes only itself
  ASSERT_TRUE(store_->SetAttemptPid(second, 77, 3, &error)) << error;
  Reader reader(path_);
  const std::string statuses = "SELECT workstream_id, status FROM workstream_status ORDER BY workstream_id";
  EXPECT_EQ(reader.Query(statuses), (Rows{"a|running", "b|pending"})) << "nothing is seen before the commit";
  ASSERT_TRUE(store_->CommitGroup(&error)) << error;
  EXPECT_EQ(reader.Query(statuses), (Rows{"a|completed", "b|running"}));
  EXPECT_EQ(reader.Query("SELECT workstream_id, event_type FROM execution_log ORDER BY id"),
            (Rows{"a|started", "a|completed", "b|started"}));
  EXPECT_EQ(reader.Query("SELECT pid FROM attempts WHERE id = " + std::to_string(second)), Rows{"77"});
}

TEST_F(SqliteStoreTest, UsersQueriesRunInTheSqlite3Cli) {
  if (std::system("command -v sqlite3 >/dev/null 2>&1") != 0) GTEST_SKIP() << "no sqlite3 CLI";
  Sync({{"a", "core"}});
  Start("a", 1, "agent-1");
  const std::string command =
      "sqlite3 '" + path_ + "' 'SELECT status, COUNT(*) FROM workstream_status GROUP BY status'";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_STREQ(line, "running|1\n");
}

}  // namespace
}  // namespace orchestra
