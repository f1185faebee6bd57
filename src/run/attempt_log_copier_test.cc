// The attempt log copier on a real PostgreSQL state (the suite's private
// server): what a log file gains reaches the state at most every interval
// while the attempt runs, and the rest at its end; an attempt it never
// watched (continued by a restarted orchestrator) is copied from where the
// state's copy stops.
#include "attempt_log_copier.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "cli_harness.h"
#include "postgres_server.h"
#include "postgres_store_fixture.h"
#include "sqlite_store.h"
#include "temp_dir.h"

namespace orchestra {
namespace {

using testing::FixedClock;

const int kPostgresServer = testing::RegisterPostgresServerEnvironment();

class AttemptLogCopierTest : public testing::PostgresStoreFixture {
 protected:
  void SetUp() override {
    PostgresStoreFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    log_path_ = temp_ / "attempt-1.log";
    attempt_id_ = StartFirstAttempt(log_path_).id;
  }

  void Append(const std::string& text) { std::ofstream(log_path_, std::ios::app | std::ios::binary) << text; }

  std::string Stored() {
    std::string bytes, error;
    int64_t start = 0, size = 0;
    EXPECT_TRUE(store_->attempt_logs()->ReadRange(attempt_id_, 0, 1 << 30, &bytes, &start, &size, &error)) << error;
    return bytes;
  }

  testing::TempDir temp_;
  int64_t attempt_id_ = 0;
  std::string log_path_;
};

TEST_F(AttemptLogCopierTest, CopiesWhatTheFileGainedAtMostEveryIntervalAndTheRestAtTheEnd) {
  AttemptLogCopier copier(store_->attempt_logs(), 3);
  copier.Watch(attempt_id_, log_path_);
  Append("first\n");
  copier.Tick(100);
  EXPECT_EQ(Stored(), "first\n");
  Append("second\n");
  copier.Tick(102);  // within the interval: not yet
  EXPECT_EQ(Stored(), "first\n");
  EXPECT_EQ(copier.copied(attempt_id_), 6);
  copier.Tick(103);
  EXPECT_EQ(Stored(), "first\nsecond\n");
  Append("last\n");
  std::string error;
  ASSERT_TRUE(copier.Finish(attempt_id_, log_path_, &error)) << error;
  EXPECT_EQ(Stored(), "first\nsecond\nlast\n");
  EXPECT_EQ(copier.copied(attempt_id_), -1);  // no longer watched
}

TEST_F(AttemptLogCopierTest, AnAttemptItNeverWatchedIsCopiedFromWhereTheCopyStops) {
  Append("before the restart\n");
  {
    AttemptLogCopier first(store_->attempt_logs(), 3);
    first.Watch(attempt_id_, log_path_);
    first.Tick(100);
  }  // the orchestrator died
  Append("after it\n");
  AttemptLogCopier second(store_->attempt_logs(), 3);
  std::string error;
  ASSERT_TRUE(second.Finish(attempt_id_, log_path_, &error)) << error;
  EXPECT_EQ(Stored(), "before the restart\nafter it\n");
  EXPECT_EQ(testing::PostgresQuery(url_, "SELECT byte_offset FROM attempt_log_chunks ORDER BY byte_offset"),
            (std::vector<std::string>{"0", "19"}));
}

TEST(AttemptLogCopierSqliteTest, ASqliteStateKeepsNoCopiesSoNothingIsCopied) {
  // Every reader of a SQLite state is on its host, reading the files: the
  // executor makes no copier.
  FixedClock clock;
  testing::TempDir temp;
  std::string error;
  std::unique_ptr<SqliteStore> store = SqliteStore::Open(temp / "state.db", &clock, &error);
  ASSERT_TRUE(store) << error;
  EXPECT_EQ(store->attempt_logs(), nullptr);
}

}  // namespace
}  // namespace orchestra
