#include "sqlite_statement.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

namespace orchestra {
namespace {

/// An in-memory database with one table, and the cache of its connection.
class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db_, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    cache_ = std::make_unique<StatementCache>(db_);
  }
  void TearDown() override {
    cache_.reset();  // finalizes the statements before the connection closes
    EXPECT_EQ(sqlite3_close(db_), SQLITE_OK);
  }

  bool Insert(int64_t id, const std::string& name, std::string* error) {
    return Statement(cache_.get(), "INSERT INTO t (id, name) VALUES (?, ?)").BindInt(1, id).BindText(2, name).Run(error);
  }
  std::string NameOf(int64_t id) {
    Statement query(cache_.get(), "SELECT name FROM t WHERE id = ?");
    query.BindInt(1, id);
    bool row = false;
    std::string error;
    EXPECT_TRUE(query.Step(&row, &error)) << error;
    return row ? query.Text(0) : "(none)";
  }

  sqlite3* db_ = nullptr;
  std::unique_ptr<StatementCache> cache_;
};

TEST_F(StatementCacheTest, CompilesEachStatementOnce) {
  std::string error;
  for (int id = 1; id <= 50; ++id) ASSERT_TRUE(Insert(id, "n" + std::to_string(id), &error)) << error;
  for (int id = 1; id <= 50; ++id) EXPECT_EQ(NameOf(id), "n" + std::to_string(id));
  EXPECT_EQ(cache_->prepare_count(), 2);
}

TEST_F(StatementCacheTest, BindingsDoNotCarryOverToTheNextUse) {
  std::string error;
  ASSERT_TRUE(Insert(1, "one", &error)) << error;
  // The second use binds only the id: the name left unbound is NULL, which
  // the NOT NULL column refuses, instead of the first use's "one".
  EXPECT_FALSE(Statement(cache_.get(), "INSERT INTO t (id, name) VALUES (?, ?)").BindInt(1, 2).Run(&error));
  EXPECT_EQ(error, "NOT NULL constraint failed: t.name");
  EXPECT_EQ(NameOf(2), "(none)");
}

TEST_F(StatementCacheTest, AStatementThatFailedRunsAgain) {
  std::string error;
  ASSERT_TRUE(Insert(1, "one", &error)) << error;
  EXPECT_FALSE(Insert(1, "again", &error));
  EXPECT_EQ(error, "UNIQUE constraint failed: t.id");
  error.clear();
  EXPECT_TRUE(Insert(2, "two", &error)) << error;
  EXPECT_EQ(NameOf(1), "one");
  EXPECT_EQ(NameOf(2), "two");
  EXPECT_EQ(cache_->prepare_count(), 2);
}

TEST_F(StatementCacheTest, AnUnfinishedQueryEndsItsReadWhenGivenBack) {
  std::string error;
  ASSERT_TRUE(Insert(1, "one", &error)) << error;
  ASSERT_TRUE(Insert(2, "two", &error)) << error;
  {
    Statement query(cache_.get(), "SELECT name FROM t ORDER BY id");
    bool row = false;
    ASSERT_TRUE(query.Step(&row, &error)) << error;
    ASSERT_TRUE(row);  // a second row is left unread
  }
  // No statement of the connection is still running (holding a read open).
  int busy = 0;
  for (sqlite3_stmt* kept = sqlite3_next_stmt(db_, nullptr); kept != nullptr; kept = sqlite3_next_stmt(db_, kept)) {
    busy += sqlite3_stmt_busy(kept);
  }
  EXPECT_EQ(busy, 0);
  Statement again(cache_.get(), "SELECT name FROM t ORDER BY id");
  bool row = false;
  ASSERT_TRUE(again.Step(&row, &error)) << error;
  EXPECT_EQ(again.Text(0), "one");  // starts from the first row again
}

TEST_F(StatementCacheTest, ANestedUseOfTheSameSqlGetsAStatementOfItsOwn) {
  std::string error;
  ASSERT_TRUE(Insert(1, "one", &error)) << error;
  ASSERT_TRUE(Insert(2, "two", &error)) << error;
  Statement outer(cache_.get(), "SELECT name FROM t WHERE id = ?");
  outer.BindInt(1, 1);
  EXPECT_EQ(NameOf(2), "two");  // the same SQL while `outer` is borrowed
  bool row = false;
  ASSERT_TRUE(outer.Step(&row, &error)) << error;
  ASSERT_TRUE(row);
  EXPECT_EQ(outer.Text(0), "one");
}

TEST_F(StatementCacheTest, PragmasAreCompiledAtEachUse) {
  // SQLite applies a pragma's setting while compiling it: a kept one would
  // not switch the setting back.
  std::string error;
  for (const char* level : {"OFF", "FULL", "OFF"}) {
    ASSERT_TRUE(ExecuteCached(cache_.get(), std::string("PRAGMA synchronous=") + level, &error)) << error;
    Statement query(cache_.get(), "PRAGMA synchronous");
    bool row = false;
    ASSERT_TRUE(query.Step(&row, &error)) << error;
    EXPECT_EQ(query.Int(0), std::string(level) == "OFF" ? 0 : 2) << level;
  }
}

TEST_F(StatementCacheTest, SqlThatDoesNotCompileFailsAtTheStep) {
  std::string error;
  EXPECT_FALSE(Statement(cache_.get(), "SELECT name FROM nowhere").BindInt(1, 1).Run(&error));
  EXPECT_EQ(error, "no such table: nowhere");
  EXPECT_FALSE(ExecuteCached(cache_.get(), "SELECT 1; SELECT 2", &error));
  EXPECT_EQ(error, "more than one statement in: SELECT 1; SELECT 2");
}

}  // namespace
}  // namespace orchestra
