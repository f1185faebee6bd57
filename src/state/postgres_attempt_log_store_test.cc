// The copies of attempt logs in a PostgreSQL state (PostgresAttemptLogStore),
// on the suite's private server: chunks appended and read back by range,
// bytes that are not text, an append repeated after a restart, the migration
// from a state without the table, and ReadAttemptLog's choice between the
// file and the copy.
#include "postgres_attempt_log_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cli_harness.h"
#include "postgres_store_fixture.h"
#include "temp_dir.h"

namespace orchestra {
namespace {

const int kPostgresServer = testing::RegisterPostgresServerEnvironment();

class PostgresAttemptLogStoreTest : public testing::PostgresStoreFixture {
 protected:
  void SetUp() override {
    PostgresStoreFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    attempt_ = StartFirstAttempt(temp_ / "attempt-1.log");
    logs_ = store_->attempt_logs();
    ASSERT_NE(logs_, nullptr);
  }

  /// The stored log read whole.
  std::string Stored() {
    std::string bytes, error;
    int64_t start = -1, size = -1;
    EXPECT_TRUE(logs_->ReadRange(attempt_.id, 0, 1 << 30, &bytes, &start, &size, &error)) << error;
    EXPECT_EQ(start, 0);
    EXPECT_EQ(size, static_cast<int64_t>(bytes.size()));
    return bytes;
  }

  testing::TempDir temp_;
  AttemptRecord attempt_;
  AttemptLogStore* logs_ = nullptr;
};

TEST_F(PostgresAttemptLogStoreTest, AppendsChunksAndReadsAnyRangeOfThem) {
  std::string error;
  int64_t size = -1;
  ASSERT_TRUE(logs_->StoredSize(attempt_.id, &size, &error)) << error;
  EXPECT_EQ(size, 0);
  ASSERT_TRUE(logs_->AppendChunk(attempt_.id, 0, "hello ", &error)) << error;
  ASSERT_TRUE(logs_->AppendChunk(attempt_.id, 6, "world\n", &error)) << error;
  ASSERT_TRUE(logs_->StoredSize(attempt_.id, &size, &error)) << error;
  EXPECT_EQ(size, 12);
  EXPECT_EQ(Stored(), "hello world\n");

  std::string bytes;
  int64_t start = -1;
  ASSERT_TRUE(logs_->ReadRange(attempt_.id, 3, 5, &bytes, &start, &size, &error)) << error;
  EXPECT_EQ(bytes, "lo wo");  // across the two chunks
  EXPECT_EQ(start, 3);
  ASSERT_TRUE(logs_->ReadRange(attempt_.id, -1, 4, &bytes, &start, &size, &error)) << error;
  EXPECT_EQ(bytes, "rld\n");  // the last 4 bytes
  EXPECT_EQ(start, 8);
  ASSERT_TRUE(logs_->ReadRange(attempt_.id, 50, 4, &bytes, &start, &size, &error)) << error;
  EXPECT_EQ(bytes, "");  // past the end
  EXPECT_EQ(start, 12);
}

// The copier writes on its own connection from the loop that commits the
// store's open group. A change of the attempt's row in that group must not
// hold the copier's insert (its foreign-key check) until the group commits:
// the loop would wait on itself. Before the fix this call blocked for good.
TEST_F(PostgresAttemptLogStoreTest, AppendsWhileAnOpenGroupHoldsAChangeOfItsAttempt) {
  std::string error;
  ASSERT_TRUE(store_->BeginGroup(&error)) << error;
  ASSERT_TRUE(store_->RecordChanges(attempt_.id, "abc123", "", "1 file changed", &error)) << error;
  ASSERT_TRUE(store_->RecordMerge(attempt_.id, "def456", "merging", &error)) << error;
  EXPECT_TRUE(logs_->AppendChunk(attempt_.id, 0, "during the group\n", &error)) << error;
  ASSERT_TRUE(store_->CommitGroup(&error)) << error;
  EXPECT_EQ(Stored(), "during the group\n");
}

TEST_F(PostgresAttemptLogStoreTest, KeepsBytesThatAreNotTextAndIgnoresAChunkStoredAlready) {
  const std::string binary("\0\x01\xff\xfe[redacted]\n\xc3", 15);
  std::string error;
  ASSERT_TRUE(logs_->AppendChunk(attempt_.id, 0, binary, &error)) << error;
  // A copier that restarted copies the same offset again: nothing changes.
  ASSERT_TRUE(logs_->AppendChunk(attempt_.id, 0, "something else", &error)) << error;
  EXPECT_EQ(Stored(), binary);
}

TEST_F(PostgresAttemptLogStoreTest, ALogLargerThanAChunkIsSplitAndReadBackWhole) {
  std::string big;
  for (int i = 0; big.size() < PostgresAttemptLogStore::kChunkBytes * 2 + 100; ++i) {
    big += "line " + std::to_string(i) + "\n";
  }
  std::string error;
  ASSERT_TRUE(logs_->AppendChunk(attempt_.id, 0, big, &error)) << error;
  EXPECT_EQ(testing::PostgresQuery(url_, "SELECT count(*) FROM attempt_log_chunks"), std::vector<std::string>{"3"});
  EXPECT_EQ(Stored(), big);
}

TEST_F(PostgresAttemptLogStoreTest, AResetDeletesTheCopiesWithTheirAttempts) {
  std::string error;
  ASSERT_TRUE(logs_->AppendChunk(attempt_.id, 0, "x\n", &error)) << error;
  ASSERT_TRUE(store_->ResetAll(&error)) << error;
  EXPECT_EQ(testing::PostgresQuery(url_, "SELECT count(*) FROM attempt_log_chunks"), std::vector<std::string>{"0"});
}

TEST_F(PostgresAttemptLogStoreTest, AReadOnlyStoreReadsTheCopiesButAppendsNothing) {
  std::string error;
  ASSERT_TRUE(logs_->AppendChunk(attempt_.id, 0, "x\n", &error)) << error;
  bool absent = false;
  std::unique_ptr<PostgresStore> reader = PostgresStore::OpenReadOnly(url_, &clock_, &absent, &error);
  ASSERT_TRUE(reader) << error;
  std::string bytes;
  int64_t start = 0, size = 0;
  ASSERT_TRUE(reader->attempt_logs()->ReadRange(attempt_.id, 0, 10, &bytes, &start, &size, &error)) << error;
  EXPECT_EQ(bytes, "x\n");
  EXPECT_FALSE(reader->attempt_logs()->AppendChunk(attempt_.id, 2, "y\n", &error));
  EXPECT_NE(error.find("read-only transaction"), std::string::npos) << error;
}

TEST_F(PostgresAttemptLogStoreTest, AnOlderStateGainsTheTableWhenOpened) {
  store_.reset();
  // Version 2: before the shared integration tables (version 4) and the
  // workers' start times (version 5) too.
  testing::PostgresQuery(url_, "DROP TABLE attempt_log_chunks, integration_heads, integration_merges");
  testing::PostgresQuery(url_, "ALTER TABLE workers DROP COLUMN pid_start_time");
  testing::PostgresQuery(url_, "UPDATE schema_version SET version = 2");
  std::string error;
  store_ = PostgresStore::Open(url_, &clock_, &error);
  ASSERT_TRUE(store_) << error;
  EXPECT_EQ(testing::PostgresQuery(url_, "SELECT version FROM schema_version"),
            std::vector<std::string>{std::to_string(PostgresStore::SchemaVersion())});
  ASSERT_TRUE(store_->attempt_logs()->AppendChunk(attempt_.id, 0, "x\n", &error)) << error;
}

TEST_F(PostgresAttemptLogStoreTest, ReadAttemptLogReadsTheFileWhenItIsHereElseTheCopy) {
  std::string error;
  ASSERT_TRUE(logs_->AppendChunk(attempt_.id, 0, "the copy\n", &error)) << error;
  AttemptLogRange range;
  ASSERT_TRUE(ReadAttemptLog(store_.get(), attempt_, 0, 100, &range, &error)) << error;
  EXPECT_EQ(range.source, AttemptLogSource::kState);
  EXPECT_EQ(range.bytes, "the copy\n");

  testing::WriteFile(attempt_.log_path, "the file\n");
  ASSERT_TRUE(ReadAttemptLog(store_.get(), attempt_, 4, 100, &range, &error)) << error;
  EXPECT_EQ(range.source, AttemptLogSource::kFile);
  EXPECT_EQ(range.bytes, "file\n");
  EXPECT_EQ(range.start, 4);
  EXPECT_EQ(range.size, 9);

  // Without a store that keeps copies, a missing file is an error naming it.
  std::filesystem::remove(attempt_.log_path);
  EXPECT_FALSE(ReadAttemptLog(nullptr, attempt_, 0, 100, &range, &error));
  EXPECT_EQ(error, "cannot read " + attempt_.log_path);
}

}  // namespace
}  // namespace orchestra
