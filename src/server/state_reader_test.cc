#include "state_reader.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "sqlite_store.h"
#include "temp_dir.h"

namespace orchestra {
namespace {

class StateReaderTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_ / ".state/orchestration.db"; }
  testing::TempDir dir_;
  SystemClock clock_;
};

TEST_F(StateReaderTest, TheReadOnlyStoreRefusesEveryWrite) {
  std::string error;
  ASSERT_TRUE(SqliteStore::Open(Path(), &clock_, &error)) << error;
  const std::unique_ptr<SqliteStore> reader = SqliteStore::OpenReadOnly(Path(), &clock_, &error);
  ASSERT_TRUE(reader) << error;
  EXPECT_FALSE(reader->AppendLog("", "", "note", "written by a reader", &error));
  EXPECT_NE(error.find("readonly"), std::string::npos) << error;
  std::vector<LogEntry> entries;
  ASSERT_TRUE(reader->LoadLog("", 0, &entries, &error)) << error;
  EXPECT_TRUE(entries.empty());
}

TEST_F(StateReaderTest, AMissingDatabaseReadsAsNothingRunYet) {
  StateReader reader(Path(), &clock_);
  StateSnapshot snapshot;
  std::string error;
  ASSERT_TRUE(reader.Snapshot(&snapshot, &error)) << error;
  EXPECT_FALSE(snapshot.has_run);
  EXPECT_TRUE(snapshot.workstreams.empty());
  std::vector<LogEntry> entries;
  ASSERT_TRUE(reader.LogAfter(0, 100, &entries, &error)) << error;
  EXPECT_TRUE(entries.empty());
}

TEST_F(StateReaderTest, ADatabaseARunIsStillCreatingReadsAsNothingRunYet) {
  std::filesystem::create_directories(dir_ / ".state");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(Path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr), SQLITE_OK);
  StateReader reader(Path(), &clock_);
  StateSnapshot snapshot;
  std::string error;
  EXPECT_TRUE(reader.Snapshot(&snapshot, &error)) << error;
  EXPECT_TRUE(snapshot.workstreams.empty());
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_FALSE(reader.Snapshot(&snapshot, &error));
  EXPECT_NE(error.find("schema version 99"), std::string::npos) << error;
  sqlite3_close(db);
}

TEST_F(StateReaderTest, LogAfterReturnsEveryLaterEntryHoweverFarBack) {
  std::string error;
  const std::unique_ptr<SqliteStore> store = SqliteStore::Open(Path(), &clock_, &error);
  ASSERT_TRUE(store) << error;
  for (int i = 1; i <= 150; ++i) ASSERT_TRUE(store->AppendLog("", "", "note", std::to_string(i), &error)) << error;
  StateReader reader(Path(), &clock_);
  for (int64_t after : {0, 10, 85, 86, 140, 150}) {
    std::vector<LogEntry> entries;
    ASSERT_TRUE(reader.LogAfter(after, 1000, &entries, &error)) << error;
    ASSERT_EQ(entries.size(), static_cast<size_t>(150 - after)) << after;
    if (!entries.empty()) {
      EXPECT_EQ(entries.front().id, after + 1) << after;
    }
  }
  std::vector<LogEntry> limited;
  ASSERT_TRUE(reader.LogAfter(0, 7, &limited, &error)) << error;
  ASSERT_EQ(limited.size(), 7u);
  EXPECT_EQ(limited.back().message, "7");
}

}  // namespace
}  // namespace orchestra
