// What the PostgreSQL store's unit tests share: a stopped clock, and a test
// fixture that opens a PostgresStore on a fresh database of the suite's
// private server (postgres_server.h), skipping when there is none.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "clock.h"
#include "postgres_server.h"
#include "postgres_store.h"

namespace orchestra::testing {

/// FixedClock always says 2023-11-14 22:13:20 UTC, and sleeps not at all.
class FixedClock : public Clock {
 public:
  double Now() const override { return 1700000000; }
  void Sleep(double) const override {}
};

/// PostgresStoreFixture gives each test `store_`, open on the fresh database `url_`.
class PostgresStoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    FreshPostgresDatabase(&url_);
    if (IsSkipped() || HasFatalFailure()) return;
    std::string error;
    store_ = PostgresStore::Open(url_, &clock_, &error);
    ASSERT_TRUE(store_) << error;
  }

  /// Adds workstream "a" and starts its first attempt on agent-1, logging to
  /// `log_path`; returns the attempt with its id.
  AttemptRecord StartFirstAttempt(const std::string& log_path) {
    std::string error;
    AttemptRecord attempt;
    EXPECT_TRUE(store_->SyncWorkstreams({{"a", ""}}, &error)) << error;
    attempt.workstream_id = "a";
    attempt.attempt = 1;
    attempt.agent_id = "agent-1";
    attempt.log_path = log_path;
    EXPECT_TRUE(store_->StartAttempt(attempt, &attempt.id, &error)) << error;
    return attempt;
  }

  FixedClock clock_;
  std::string url_;
  std::unique_ptr<PostgresStore> store_;
};

}  // namespace orchestra::testing
