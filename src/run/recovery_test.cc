#include "recovery.h"

#include <gtest/gtest.h>

#include "fake_process_table.h"
#include "sqlite_store.h"
#include "supervisor_status.h"
#include "temp_dir.h"
#include "virtual_time.h"

namespace orchestra {
namespace {

/// A state with workstreams `a` and `b`, whose attempts a dead orchestrator
/// left running: `a`'s with a recorded pid, `b`'s without.
class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    store_ = SqliteStore::Open(dir_ / "state.db", &clock_, &error);
    ASSERT_TRUE(store_) << error;
    ASSERT_TRUE(store_->SyncWorkstreams({{"a", ""}, {"b", ""}, {"c", ""}}, &error)) << error;
    ASSERT_TRUE(store_->StartAttempt(AttemptRecord{.workstream_id = "a", .attempt = 1, .agent_id = "agent-1"},
                                     &a_, &error)) << error;
    ASSERT_TRUE(store_->SetAttemptPid(a_, 999999, 42, &error)) << error;
    ASSERT_TRUE(store_->StartAttempt(AttemptRecord{.workstream_id = "b", .attempt = 3, .agent_id = "agent-2"},
                                     &b_, &error)) << error;
    context_ = RecoveryContext{.store = store_.get(), .processes = &processes_, .state_path = dir_ / "state.db"};
  }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  testing::FakeProcessTable processes_;
  std::unique_ptr<SqliteStore> store_;
  RecoveryContext context_;
  int64_t a_ = 0;
  int64_t b_ = 0;
};

TEST_F(RecoveryTest, EveryAttemptLeftRunningIsSearchedForClosedAndRequeued) {
  processes_.leftovers_of = AttemptKey(dir_ / "state.db", b_);
  processes_.leftover_count = 1;
  std::vector<LogEntry> events;
  std::string error;
  ASSERT_TRUE(RecoverAttempts(context_, &events, &error)) << error;

  EXPECT_EQ(processes_.searched, (std::vector<std::string>{AttemptKey(dir_ / "state.db", a_),
                                                           AttemptKey(dir_ / "state.db", b_)}));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].workstream_id, "a");
  EXPECT_EQ(events[0].event_type, "requeued");
  EXPECT_EQ(events[0].message, "attempt 1 was left running by a stopped orchestrator; requeued");
  EXPECT_EQ(events[1].message,
            "attempt 3 was left running by a stopped orchestrator (its processes were still running and were "
            "killed); requeued");

  std::vector<AttemptRecord> running;
  ASSERT_TRUE(store_->RunningAttempts(&running, &error)) << error;
  EXPECT_TRUE(running.empty());
  std::vector<WorkstreamRecord> records;
  ASSERT_TRUE(store_->LoadWorkstreams(&records, &error)) << error;
  for (const WorkstreamRecord& record : records) {
    EXPECT_EQ(record.status, WorkstreamStatus::kPending) << record.workstream_id;
  }
  std::vector<AttemptRecord> attempts;
  ASSERT_TRUE(store_->LoadAttempts("b", &attempts, &error)) << error;
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kAbandoned);
  EXPECT_EQ(attempts[0].error_message, "the orchestrator stopped while this attempt ran");
}

TEST_F(RecoveryTest, NothingLeftRunningLeavesTheStateAlone) {
  std::vector<LogEntry> events;
  std::string error;
  ASSERT_TRUE(RecoverAttempts(context_, &events, &error)) << error;
  events.clear();
  processes_.searched.clear();
  ASSERT_TRUE(RecoverAttempts(context_, &events, &error)) << error;  // a second resume
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(processes_.searched.empty());
}

// The supervisor of `a` recorded its agent's end: a run that continues
// attempts collects it, leaving it running; `b` has no status and is closed.
TEST_F(RecoveryTest, AnAttemptWhoseSupervisorRecordedTheEndIsCollected) {
  std::string error;
  int64_t c = 0;
  const std::string log = dir_ / "attempt-1.log";
  ASSERT_TRUE(store_->StartAttempt(
      AttemptRecord{.workstream_id = "c", .attempt = 2, .agent_id = "agent-1", .log_path = log}, &c, &error))
      << error;
  SupervisorStatus status;
  status.exit_code = 0;
  status.log_offset = 7;
  status.ended_at = 1;
  ASSERT_TRUE(WriteSupervisorStatus(log, StatusPathFor(log), status, &error)) << error;
  std::vector<ContinuedAttempt> continued;
  context_.continued = &continued;
  std::vector<LogEntry> events;
  ASSERT_TRUE(RecoverAttempts(context_, &events, &error)) << error;

  ASSERT_EQ(continued.size(), 1u);
  EXPECT_EQ(continued[0].record.id, c);
  EXPECT_FALSE(continued[0].adopted);
  EXPECT_EQ(continued[0].result.Describe(), "exit code 0");
  EXPECT_EQ(continued[0].result.log_offset, 7);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].event_type, "collected");
  EXPECT_EQ(events[2].message,
            "attempt 2 of c: its agent ended while the orchestrator was stopped (exit code 0); collected its result");
  std::vector<AttemptRecord> running;
  ASSERT_TRUE(store_->RunningAttempts(&running, &error)) << error;
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].id, c);

  // A run that cannot continue it (its workstream not selected, say) closes it instead.
  context_.can_continue = [](const AttemptRecord&) { return false; };
  events.clear();
  ASSERT_TRUE(RecoverAttempts(context_, &events, &error)) << error;
  EXPECT_TRUE(continued.empty());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_type, "requeued");
}

}  // namespace
}  // namespace orchestra
