// What only the PostgreSQL store does: its schema in the server's catalogue,
// the schema version and migrations, opening a database that holds no state,
// group commit as one transaction, the advisory lock, errors that never show
// a password. The StateStore contract itself is run against it by
// sqlite_store_test.cc (StateStoreContractTest).
#include "postgres_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli_harness.h"
#include "orchestrator_lock.h"
#include "postgres_server.h"
#include "postgres_store_fixture.h"
#include "state_store_factory.h"

namespace orchestra {
namespace {

using Rows = std::vector<std::string>;

using testing::FixedClock;

const int kPostgresServer = testing::RegisterPostgresServerEnvironment();

class PostgresStoreTest : public testing::PostgresStoreFixture {
 protected:
  Rows Query(const std::string& sql) { return testing::PostgresQuery(url_, sql); }

  /// `url_` with a password added after the user.
  std::string WithPassword(const std::string& password) const {
    std::string url = url_;
    url.insert(url.find('@'), ":" + password);
    return url;
  }
};

TEST_F(PostgresStoreTest, WorkstreamStatusHasExactlyTheNineColumnsInOrder) {
  EXPECT_EQ(Query("SELECT column_name, data_type FROM information_schema.columns"
                  " WHERE table_name = 'workstream_status' ORDER BY ordinal_position"),
            (Rows{"workstream_id|text", "status|text", "agent_id|text", "track|text", "started_at|text",
                  "completed_at|text", "exit_code|integer", "attempt|integer", "error_message|text"}));
  EXPECT_EQ(Query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"),
            (Rows{"attempt_log_chunks", "attempts", "execution_log", "integration_heads", "integration_merges",
                  "plan_dependencies", "plan_workstreams", "runs", "schema_version", "submissions", "workers",
                  "workstream_status"}));
  EXPECT_EQ(Query("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'"
                  " ORDER BY indexname"),
            (Rows{"attempts_leased", "attempts_workstream", "execution_log_workstream", "integration_merges_attempt"}));
  // The attempts table has the SQLite store's columns, in its order, then the
  // lease of a worker's claim (version 2).
  EXPECT_EQ(Query("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns"
                  " WHERE table_name = 'attempts'"),
            Rows{"id,workstream_id,attempt,agent_id,pid,pid_start_time,started_at,ended_at,outcome,exit_code,signal,"
                 "duration_seconds,log_path,error_message,base_commit,head_commit,merge_commit,conflict_paths,"
                 "out_of_scope_paths,agent_type,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,"
                 "cost_usd,model,turns,session_id,lease_owner,lease_expires_at,fencing_token"});
}

TEST_F(PostgresStoreTest, RecordsTheSchemaVersionAndReopensWithoutMigrating) {
  const Rows version{std::to_string(PostgresStore::SchemaVersion())};
  EXPECT_EQ(Query("SELECT version FROM schema_version"), version);
  std::string error;
  ASSERT_TRUE(store_->SyncWorkstreams({{"a", "core"}}, &error)) << error;
  store_.reset();
  store_ = PostgresStore::Open(url_, &clock_, &error);
  ASSERT_TRUE(store_) << error;
  EXPECT_EQ(Query("SELECT version FROM schema_version"), version);
  EXPECT_EQ(Query("SELECT workstream_id, track FROM workstream_status"), Rows{"a|core"});
}

TEST_F(PostgresStoreTest, OpenRefusesANewerSchema) {
  store_.reset();
  const std::string ours = std::to_string(PostgresStore::SchemaVersion());
  const std::string newer = std::to_string(PostgresStore::SchemaVersion() + 1);
  Query("UPDATE schema_version SET version = " + newer);
  std::string error;
  EXPECT_FALSE(PostgresStore::Open(url_, &clock_, &error));
  EXPECT_EQ(error, "cannot open the state database " + url_ + ": schema version " + newer +
                       " is newer than this orchestra understands (" + ours + ")");
  bool absent = true;
  EXPECT_FALSE(PostgresStore::OpenExisting(url_, &clock_, &absent, &error));
  EXPECT_FALSE(absent);
  EXPECT_NE(error.find("schema version " + newer + " is newer"), std::string::npos) << error;
}

TEST_F(PostgresStoreTest, OpenExistingOnADatabaseWithoutStateCreatesNothing) {
  std::string url;
  testing::FreshPostgresDatabase(&url);
  ASSERT_FALSE(url.empty());
  bool absent = false;
  std::string error;
  EXPECT_FALSE(PostgresStore::OpenExisting(url, &clock_, &absent, &error));
  EXPECT_TRUE(absent);
  EXPECT_EQ(error, "no state in " + url + ": nothing has run yet");
  EXPECT_EQ(testing::PostgresQuery(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), Rows{"0"});
  // The factory says the same, and so does a read-only open.
  EXPECT_FALSE(OpenStateStore(url, StateOpenMode::kReadOnly, {}, &clock_, &absent, &error));
  EXPECT_TRUE(absent);
}

TEST_F(PostgresStoreTest, OpenRefusesADatabaseWithForeignTablesOfTheSameName) {
  std::string url;
  testing::FreshPostgresDatabase(&url);
  ASSERT_FALSE(url.empty());
  testing::PostgresQuery(url, "CREATE TABLE workstream_status (x integer)");
  std::string error;
  EXPECT_FALSE(PostgresStore::Open(url, &clock_, &error));
  EXPECT_NE(error.find("not an orchestra state database"), std::string::npos) << error;
}

TEST_F(PostgresStoreTest, ASchemaOfItsOwnKeepsTwoStatesApartInOneDatabase) {
  Query("CREATE SCHEMA team_b");
  const std::string team_b = url_ + "?options=-csearch_path%3Dteam_b";
  std::string error;
  std::unique_ptr<PostgresStore> other = PostgresStore::Open(team_b, &clock_, &error);
  ASSERT_TRUE(other) << error;
  ASSERT_TRUE(other->SyncWorkstreams({{"b", ""}}, &error)) << error;
  ASSERT_TRUE(store_->SyncWorkstreams({{"a", ""}}, &error)) << error;
  EXPECT_EQ(Query("SELECT workstream_id FROM public.workstream_status"), Rows{"a"});
  EXPECT_EQ(Query("SELECT workstream_id FROM team_b.workstream_status"), Rows{"b"});
}

TEST_F(PostgresStoreTest, AGroupIsOneTransactionCommittedTogether) {
  std::string error;
  ASSERT_TRUE(store_->SyncWorkstreams({{"a", ""}, {"b", ""}}, &error)) << error;
  ASSERT_TRUE(store_->BeginGroup(&error)) << error;
  AttemptRecord attempt;
  attempt.workstream_id = "a";
  attempt.attempt = 1;
  attempt.agent_id = "agent-1";
  int64_t id = 0;
  ASSERT_TRUE(store_->StartAttempt(attempt, &id, &error)) << error;
  // A failing call undoes only its own change; the group goes on.
  attempt.workstream_id = "missing";
  int64_t ignored = 0;
  EXPECT_FALSE(store_->StartAttempt(attempt, &ignored, &error));
  EXPECT_NE(error.find("unknown workstream 'missing'"), std::string::npos) << error;
  ASSERT_TRUE(store_->SetAttemptPid(id, 4242, 99, &error)) << error;
  // The group sees its own changes; another connection sees none before the commit.
  std::vector<AttemptRecord> running;
  ASSERT_TRUE(store_->RunningAttempts(&running, &error)) << error;
  EXPECT_EQ(running.size(), 1u);
  EXPECT_EQ(Query("SELECT count(*) FROM attempts"), Rows{"0"});
  EXPECT_EQ(Query("SELECT status FROM workstream_status WHERE workstream_id = 'a'"), Rows{"pending"});
  ASSERT_TRUE(store_->CommitGroup(&error)) << error;
  EXPECT_EQ(Query("SELECT workstream_id, pid, outcome FROM attempts"), Rows{"a|4242|running"});
  EXPECT_EQ(Query("SELECT status FROM workstream_status WHERE workstream_id = 'a'"), Rows{"running"});
  // After the commit each call commits alone again.
  ASSERT_TRUE(store_->AppendLog("", "", "note", "alone", &error)) << error;
  EXPECT_EQ(Query("SELECT message FROM execution_log WHERE event_type = 'note'"), Rows{"alone"});
}

TEST_F(PostgresStoreTest, AGroupNotCommittedLeavesNothing) {
  std::string error;
  ASSERT_TRUE(store_->BeginGroup(&error)) << error;
  ASSERT_TRUE(store_->SyncWorkstreams({{"a", ""}}, &error)) << error;
  store_.reset();  // the orchestrator died before the commit
  EXPECT_EQ(Query("SELECT count(*) FROM workstream_status"), Rows{"0"});
}

TEST_F(PostgresStoreTest, NormalDurabilityCommitsWithoutWaitingForTheFlush) {
  std::string error;
  ASSERT_TRUE(store_->SetSynchronousCommit(false, &error)) << error;
  ASSERT_TRUE(store_->SyncWorkstreams({{"a", ""}}, &error)) << error;
  EXPECT_EQ(Query("SELECT count(*) FROM workstream_status"), Rows{"1"});
}

TEST_F(PostgresStoreTest, AReadOnlyStoreReadsAndRefusesEveryChange) {
  std::string error;
  ASSERT_TRUE(store_->SyncWorkstreams({{"a", "core"}}, &error)) << error;
  bool absent = false;
  std::unique_ptr<PostgresStore> reader = PostgresStore::OpenReadOnly(url_, &clock_, &absent, &error);
  ASSERT_TRUE(reader) << error;
  std::vector<WorkstreamRecord> records;
  ASSERT_TRUE(reader->LoadWorkstreams(&records, &error)) << error;
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(reader->SyncWorkstreams({{"b", ""}}, &error));
  EXPECT_NE(error.find("read-only transaction"), std::string::npos) << error;
}

TEST_F(PostgresStoreTest, ErrorsNameTheUrlWithoutItsPassword) {
  std::string error;
  // Trust authentication lets any password in: the failure comes from the database name.
  std::string url = WithPassword("hunter2");
  url.replace(url.rfind('/') + 1, std::string::npos, "no_such_database");
  EXPECT_FALSE(PostgresStore::Open(url, &clock_, &error));
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_NE(error.find(":***@127.0.0.1"), std::string::npos) << error;
  EXPECT_NE(error.find("no_such_database"), std::string::npos) << error;
  bool absent = true;
  EXPECT_FALSE(OpenStateStore(url, StateOpenMode::kCreate, {.origin = "[state] url in orchestra.toml"}, &clock_,
                              &absent, &error));
  EXPECT_FALSE(absent);
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_NE(error.find("the URL is from [state] url in orchestra.toml"), std::string::npos) << error;
  // A URL libpq cannot parse.
  EXPECT_FALSE(OpenStateStore("postgresql://u:hunter2@127.0.0.1:notaport/db", StateOpenMode::kCreate,
                              {.origin = "--state"}, &clock_, &absent, &error));
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_NE(error.find("postgresql://u:***@127.0.0.1:notaport/db"), std::string::npos) << error;
  EXPECT_NE(error.find("the URL is from --state"), std::string::npos) << error;
}

TEST_F(PostgresStoreTest, OneOrchestratorHoldsTheStateAtATime) {
  auto first = std::make_unique<OrchestratorLock>();
  LockHolder holder;
  std::string error;
  EXPECT_FALSE(OrchestratorLock::Holder(url_).held);
  ASSERT_TRUE(first->Acquire(url_, &holder, &error)) << error;
  const LockHolder seen = OrchestratorLock::Holder(url_);
  EXPECT_TRUE(seen.held);
  EXPECT_EQ(seen.pid, getpid());
  EXPECT_TRUE(seen.local);
  {
    OrchestratorLock second;
    EXPECT_FALSE(second.Acquire(url_, &holder, &error));
    EXPECT_EQ(error, "");
    EXPECT_TRUE(holder.held);
    EXPECT_EQ(holder.pid, getpid());
    EXPECT_EQ(DescribeHolder(holder), " (pid " + std::to_string(getpid()) + ")");
    // Another schema is another state, with a lock of its own.
    Query("CREATE SCHEMA other");
    EXPECT_TRUE(second.Acquire(url_ + "?options=-csearch_path%3Dother", &holder, &error)) << error;
  }
  first.reset();  // its connection closes: the server releases the lock
  EXPECT_FALSE(OrchestratorLock::Holder(url_).held);
  OrchestratorLock third;
  EXPECT_TRUE(third.Acquire(url_, &holder, &error)) << error;
}

TEST_F(PostgresStoreTest, LockErrorsNameTheUrlWithoutItsPassword) {
  OrchestratorLock lock;
  LockHolder holder;
  std::string error;
  std::string url = WithPassword("hunter2");
  url.replace(url.rfind('/') + 1, std::string::npos, "no_such_database");
  EXPECT_FALSE(lock.Acquire(url, &holder, &error));
  EXPECT_FALSE(holder.held);
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot lock the state postgresql://orchestra:***@"), std::string::npos) << error;
}

TEST_F(PostgresStoreTest, UsersQueriesRunInPsql) {
  if (std::system("command -v psql >/dev/null 2>&1") != 0) GTEST_SKIP() << "no psql";
  std::string error;
  ASSERT_TRUE(store_->SyncWorkstreams({{"a", "core"}, {"b", ""}}, &error)) << error;
  const testing::CommandResult result =
      testing::RunCommand("/", {"psql", "-X", "-A", "-t", url_, "-c",
                                "SELECT status, COUNT(*) FROM workstream_status GROUP BY status"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "pending|2\n");
}

}  // namespace
}  // namespace orchestra

namespace orchestra {
namespace {

/// LatestSubmission reads the submission's id alone: 0 before any, then the
/// id of each submission that changed the plan (the same id LoadPlan gives).
TEST_F(PostgresStoreTest, TheLatestSubmissionIsTheIdOfTheStoredPlan) {
  std::string error;
  int64_t latest = -1;
  ASSERT_TRUE(store_->LatestSubmission(&latest, &error)) << error;
  EXPECT_EQ(latest, 0);
  PlanEntry entry{"a", "", {}, "{\"id\":\"a\"}", ContentHash("{\"id\":\"a\"}"), "workstreams/a.json"};
  int64_t submission = 0;
  PlanChanges changes;
  ASSERT_TRUE(store_->SubmitPlan({entry}, &submission, &changes, &error)) << error;
  ASSERT_TRUE(store_->SubmitPlan({entry}, &submission, &changes, &error)) << error;  // unchanged: no new id
  ASSERT_TRUE(store_->LatestSubmission(&latest, &error)) << error;
  EXPECT_EQ(latest, 1);
  entry.definition = "{\"id\":\"a\",\"title\":\"A\"}";
  entry.content_hash = ContentHash(entry.definition);
  ASSERT_TRUE(store_->SubmitPlan({entry}, &submission, &changes, &error)) << error;
  ASSERT_TRUE(store_->LatestSubmission(&latest, &error)) << error;
  EXPECT_EQ(latest, submission);
  EXPECT_EQ(latest, 2);
  std::vector<PlanEntry> loaded;
  int64_t loaded_id = 0;
  ASSERT_TRUE(store_->LoadPlan(&loaded, &loaded_id, &error)) << error;
  EXPECT_EQ(loaded_id, latest);
}

/// A claim with a lease that is already over (a negative lease): the next
/// claim or ReclaimExpiredLeases takes it back, and its holder's late end is
/// refused by the fencing token.
TEST_F(PostgresStoreTest, AnExpiredLeaseIsReclaimedAndItsLateEndRefused) {
  std::string error;
  PlanEntry entry{"a", "", {}, "{\"id\":\"a\"}", ContentHash("{\"id\":\"a\"}"), "workstreams/a.json"};
  int64_t submission = 0;
  PlanChanges changes;
  ASSERT_TRUE(store_->SubmitPlan({entry}, &submission, &changes, &error)) << error;
  ClaimRequest request;
  request.worker_id = "host:1:1";
  request.lease_seconds = -1;
  request.attempt.agent_id = "agent-1";
  std::optional<Claim> first;
  ASSERT_TRUE(store_->ClaimWorkstream(request, &first, &error)) << error;
  ASSERT_TRUE(first);
  std::vector<std::string> reclaimed;
  ASSERT_TRUE(store_->ReclaimExpiredLeases(&reclaimed, &error)) << error;
  EXPECT_EQ(reclaimed, std::vector<std::string>{"a"});
  std::vector<int64_t> lost;
  ASSERT_TRUE(store_->RenewLeases("host:1:1", 30, {first->attempt_id}, &lost, &error)) << error;
  EXPECT_EQ(lost, std::vector<int64_t>{first->attempt_id});
  request.worker_id = "host:2:1";
  request.lease_seconds = 30;
  std::optional<Claim> second;
  ASSERT_TRUE(store_->ClaimWorkstream(request, &second, &error)) << error;
  ASSERT_TRUE(second);
  EXPECT_EQ(second->attempt, 2);
  EXPECT_GT(second->fencing_token, first->fencing_token);
  // The first worker's changes are refused (nothing written); the holder's are kept.
  bool refused = false;
  ASSERT_TRUE(store_->RecordClaimedChanges(first->attempt_id, first->fencing_token, "c1", "", "a: 1 file(s)", &refused,
                                           &error))
      << error;
  EXPECT_TRUE(refused);
  ASSERT_TRUE(store_->RecordClaimedChanges(second->attempt_id, first->fencing_token, "c1", "", "a: 1 file(s)",
                                           &refused, &error))
      << error;
  EXPECT_TRUE(refused);  // an old token on the new attempt
  ASSERT_TRUE(store_->RecordClaimedChanges(second->attempt_id, second->fencing_token, "c2", "", "a: 1 file(s)",
                                           &refused, &error))
      << error;
  EXPECT_FALSE(refused);
  EXPECT_EQ(Query("SELECT COALESCE(head_commit, '-') FROM attempts ORDER BY id"), (Rows{"-", "c2"}));
  AttemptEnd end;
  end.outcome = AttemptOutcome::kSucceeded;
  end.new_status = WorkstreamStatus::kCompleted;
  end.event_type = "completed";
  bool rejected = false;
  ASSERT_TRUE(store_->FinishClaimedAttempt(first->attempt_id, first->fencing_token, end, &rejected, &error)) << error;
  EXPECT_TRUE(rejected);
  EXPECT_EQ(Query("SELECT status FROM workstream_status"), Rows{"running"});
  ASSERT_TRUE(store_->FinishClaimedAttempt(second->attempt_id, second->fencing_token, end, &rejected, &error))
      << error;
  EXPECT_FALSE(rejected);
  EXPECT_EQ(Query("SELECT id, outcome, lease_owner FROM attempts ORDER BY id"),
            (Rows{std::to_string(first->attempt_id) + "|abandoned|host:1:1",
                  std::to_string(second->attempt_id) + "|succeeded|host:2:1"}));
  EXPECT_EQ(Query("SELECT event_type FROM execution_log WHERE workstream_id = 'a' ORDER BY id"),
            (Rows{"started", "lease_expired", "started", "changes", "rejected_late_result", "completed"}));
}

/// A claim of workstream "a" (submitted) by `worker`, its lease `lease` seconds.
Claim ClaimA(StateStore* store, const std::string& worker, double lease) {
  std::string error;
  PlanEntry entry{"a", "", {}, "{\"id\":\"a\"}", ContentHash("{\"id\":\"a\"}"), "workstreams/a.json"};
  int64_t submission = 0;
  PlanChanges changes;
  EXPECT_TRUE(store->SubmitPlan({entry}, &submission, &changes, &error)) << error;
  ClaimRequest request;
  request.worker_id = worker;
  request.lease_seconds = lease;
  request.attempt.agent_id = "agent-1";
  std::optional<Claim> claim;
  EXPECT_TRUE(store->ClaimWorkstream(request, &claim, &error)) << error;
  return claim.value_or(Claim{});
}

/// The shared integration branch's head: the first worker's start wins, and
/// a move is accepted only from the recorded head, under the live fencing
/// token, each recorded once.
TEST_F(PostgresStoreTest, TheSharedIntegrationHeadMovesOnlyFromItsHeadUnderALiveLease) {
  std::string error, head;
  ASSERT_TRUE(store_->IntegrationHead("orchestra/integration", &head, &error)) << error;
  EXPECT_EQ(head, "");
  ASSERT_TRUE(store_->StartIntegration("orchestra/integration", "base1", &head, &error)) << error;
  EXPECT_EQ(head, "base1");
  ASSERT_TRUE(store_->StartIntegration("orchestra/integration", "base2", &head, &error)) << error;
  EXPECT_EQ(head, "base1");  // another worker started it first
  const Claim claim = ClaimA(store_.get(), "host:1:1", 30);
  IntegrationMove move{"orchestra/integration", "elsewhere", "merge1", claim.attempt_id, claim.fencing_token,
                       "merging a"};
  MoveResult result = MoveResult::kMoved;
  ASSERT_TRUE(store_->MoveIntegration(move, &result, &error)) << error;
  EXPECT_EQ(result, MoveResult::kBranchMoved);
  move.old_head = "base1";
  move.fencing_token = claim.fencing_token + 1;
  ASSERT_TRUE(store_->MoveIntegration(move, &result, &error)) << error;
  EXPECT_EQ(result, MoveResult::kLeaseLost);
  EXPECT_EQ(Query("SELECT head FROM integration_heads"), Rows{"base1"});
  move.fencing_token = claim.fencing_token;
  ASSERT_TRUE(store_->MoveIntegration(move, &result, &error)) << error;
  EXPECT_EQ(result, MoveResult::kMoved);
  EXPECT_EQ(Query("SELECT head FROM integration_heads"), Rows{"merge1"});
  EXPECT_EQ(Query("SELECT old_head, new_head, workstream_id FROM integration_merges"), Rows{"base1|merge1|a"});
  EXPECT_EQ(Query("SELECT merge_commit FROM attempts"), Rows{"merge1"});
  EXPECT_EQ(Query("SELECT event_type FROM execution_log WHERE workstream_id = 'a' ORDER BY id"),
            (Rows{"started", "rejected_late_merge", "merging"}));
}

/// A worker's attempts taken over by another (its dead predecessor on the
/// same host): new fencing tokens, so the dead worker's end is refused and the
/// new owner's recorded; a second take-over finds nothing left.
TEST_F(PostgresStoreTest, TakenOverAttemptsGetANewOwnerAndTokenAndTheOldEndIsRefused) {
  std::string error;
  WorkerRecord dead{"host:1:1", "host", 1, 4242, "", ""};
  ASSERT_TRUE(store_->RegisterWorker(dead, &error)) << error;
  std::vector<WorkerRecord> workers;
  ASSERT_TRUE(store_->LoadWorkers(&workers, &error)) << error;
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0].pid_start_time, 4242);
  const Claim claim = ClaimA(store_.get(), "host:1:1", 30);
  std::vector<Claim> taken;
  ASSERT_TRUE(store_->TakeOverAttempts("host:1:1", "host:2:1", 30, &taken, &error)) << error;
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].attempt_id, claim.attempt_id);
  EXPECT_GT(taken[0].fencing_token, claim.fencing_token);
  EXPECT_EQ(Query("SELECT lease_owner FROM attempts"), Rows{"host:2:1"});
  std::vector<Claim> again;
  ASSERT_TRUE(store_->TakeOverAttempts("host:1:1", "host:3:1", 30, &again, &error)) << error;
  EXPECT_TRUE(again.empty());
  AttemptEnd end;
  end.outcome = AttemptOutcome::kSucceeded;
  end.new_status = WorkstreamStatus::kCompleted;
  end.event_type = "completed";
  bool rejected = false;
  ASSERT_TRUE(store_->FinishClaimedAttempt(claim.attempt_id, claim.fencing_token, end, &rejected, &error)) << error;
  EXPECT_TRUE(rejected);
  ASSERT_TRUE(store_->FinishClaimedAttempt(claim.attempt_id, taken[0].fencing_token, end, &rejected, &error))
      << error;
  EXPECT_FALSE(rejected);
  EXPECT_EQ(Query("SELECT status FROM workstream_status"), Rows{"completed"});
  EXPECT_EQ(Query("SELECT event_type FROM execution_log WHERE workstream_id = 'a' ORDER BY id"),
            (Rows{"started", "lease_taken_over", "rejected_late_result", "completed"}));
}

/// `run` bringing the user's branch in: the shared head moves only from the
/// head it was computed on.
TEST_F(PostgresStoreTest, AdvancingTheSharedHeadIsACompareAndSet) {
  std::string error, head;
  ASSERT_TRUE(store_->StartIntegration("orchestra/integration", "base1", &head, &error)) << error;
  bool moved = true;
  ASSERT_TRUE(store_->AdvanceIntegration("orchestra/integration", "other", "synced1", "sync", &moved, &error))
      << error;
  EXPECT_FALSE(moved);
  EXPECT_EQ(Query("SELECT head FROM integration_heads"), Rows{"base1"});
  ASSERT_TRUE(store_->AdvanceIntegration("orchestra/integration", "base1", "synced1", "sync", &moved, &error))
      << error;
  EXPECT_TRUE(moved);
  EXPECT_EQ(Query("SELECT head FROM integration_heads"), Rows{"synced1"});
  EXPECT_EQ(Query("SELECT message FROM execution_log WHERE event_type = 'synced'"), Rows{"sync"});
}

/// A worker that died between its merge and the record of its end: the
/// reclaim completes the workstream (its merge is in the shared branch)
/// instead of requeueing it to be merged a second time.
TEST_F(PostgresStoreTest, AnExpiredLeaseWhoseMergeWasRecordedIsCompletedNotRequeued) {
  std::string error, head;
  ASSERT_TRUE(store_->StartIntegration("orchestra/integration", "base1", &head, &error)) << error;
  const Claim claim = ClaimA(store_.get(), "host:1:1", -1);  // its lease is over already
  MoveResult result = MoveResult::kLeaseLost;
  ASSERT_TRUE(store_->MoveIntegration({"orchestra/integration", "base1", "merge1", claim.attempt_id,
                                       claim.fencing_token, "merging a"},
                                      &result, &error))
      << error;
  ASSERT_EQ(result, MoveResult::kMoved);
  std::vector<std::string> reclaimed;
  ASSERT_TRUE(store_->ReclaimExpiredLeases(&reclaimed, &error)) << error;
  EXPECT_EQ(Query("SELECT status, exit_code FROM workstream_status"), Rows{"completed|0"});
  EXPECT_EQ(Query("SELECT outcome FROM attempts"), Rows{"succeeded"});
  EXPECT_EQ(Query("SELECT event_type FROM execution_log WHERE workstream_id = 'a' ORDER BY id"),
            (Rows{"started", "merging", "completed"}));
  std::optional<Claim> again;
  ClaimRequest request;
  request.worker_id = "host:2:1";
  ASSERT_TRUE(store_->ClaimWorkstream(request, &again, &error)) << error;
  EXPECT_FALSE(again);  // nothing left to run
}

/// A worker stopped inside a transaction (here: a group left open, its
/// attempt row locked) would keep that attempt from ever being reclaimed,
/// as the reclaim skips locked rows. With its idle timeout the server ends
/// that session, and the attempt is reclaimed; the stopped store's group is lost.
TEST_F(PostgresStoreTest, AStoreStoppedInATransactionLosesItsRowLocksAfterItsIdleTimeout) {
  std::string error;
  std::unique_ptr<PostgresStore> stopped = PostgresStore::Open(url_, &clock_, &error);
  ASSERT_TRUE(stopped) << error;
  ASSERT_TRUE(stopped->EndIdleSessionAfter(1, &error)) << error;
  const Claim claim = ClaimA(stopped.get(), "host:1:1", -1);  // its lease is over already
  ASSERT_TRUE(stopped->BeginGroup(&error)) << error;
  ASSERT_TRUE(stopped->SetAttemptPid(claim.attempt_id, 4242, 1, &error)) << error;
  std::vector<std::string> reclaimed;
  EXPECT_TRUE(testing::WaitUntil([&] {
    return store_->ReclaimExpiredLeases(&reclaimed, &error) && reclaimed == std::vector<std::string>{"a"};
  })) << error;
  EXPECT_FALSE(stopped->CommitGroup(&error));
  EXPECT_EQ(Query("SELECT outcome, pid IS NULL FROM attempts"), Rows{"abandoned|t"});
}

/// The merge lock: one store holds it at a time; released by UnlockMerges
/// or when its holder's connection ends.
TEST_F(PostgresStoreTest, OneWorkerHoldsTheMergeLockAtATime) {
  std::string error;
  std::unique_ptr<PostgresStore> other = PostgresStore::Open(url_, &clock_, &error);
  ASSERT_TRUE(other) << error;
  bool acquired = false;
  ASSERT_TRUE(store_->TryLockMerges(&acquired, &error)) << error;
  EXPECT_TRUE(acquired);
  ASSERT_TRUE(store_->TryLockMerges(&acquired, &error)) << error;
  EXPECT_TRUE(acquired);  // held already
  ASSERT_TRUE(other->TryLockMerges(&acquired, &error)) << error;
  EXPECT_FALSE(acquired);
  ASSERT_TRUE(store_->UnlockMerges(&error)) << error;
  ASSERT_TRUE(other->TryLockMerges(&acquired, &error)) << error;
  EXPECT_TRUE(acquired);
  other.reset();  // the holder's connection ends: so does its lock, once the server has seen it end
  EXPECT_TRUE(testing::WaitUntil([&] { return store_->TryLockMerges(&acquired, &error) && acquired; })) << error;
}

}  // namespace
}  // namespace orchestra
