#include "state_url.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(StateUrlTest, TellsUrlsFromPaths) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://localhost/orchestra"));
  EXPECT_TRUE(IsPostgresUrl("postgres://u@h:5432/db"));
  EXPECT_FALSE(IsPostgresUrl(".state/orchestration.db"));
  EXPECT_FALSE(IsPostgresUrl("/tmp/postgresql://x"));
  EXPECT_FALSE(IsPostgresUrl("mysql://h/db"));
}

TEST(StateUrlTest, RedactsThePasswordAfterTheUserAndInTheQuery) {
  EXPECT_EQ(RedactUrl("postgresql://alice:s3cret@db.example:5432/orch"),
            "postgresql://alice:***@db.example:5432/orch");
  EXPECT_EQ(RedactUrl("postgresql://alice@db/orch?password=s3cret&sslmode=require"),
            "postgresql://alice@db/orch?password=***&sslmode=require");
  EXPECT_EQ(RedactUrl("postgres://a:p%40ss@h/d?sslmode=disable&password=x"),
            "postgres://a:***@h/d?sslmode=disable&password=***");
  EXPECT_EQ(RedactUrl("postgresql://alice@db:5432/orch"), "postgresql://alice@db:5432/orch");
  EXPECT_EQ(RedactUrl("postgresql://db:5432/orch"), "postgresql://db:5432/orch");
  EXPECT_EQ(RedactUrl("postgresql:///orch?host=/tmp"), "postgresql:///orch?host=/tmp");
  EXPECT_EQ(StateDisplayName("postgresql://a:b@h/d"), "postgresql://a:***@h/d");
  EXPECT_EQ(StateDisplayName("/p/a:b@h/orchestration.db"), "/p/a:b@h/orchestration.db");
}

TEST(StateUrlTest, RedactsThePasswordWhereverAMessageQuotesIt) {
  EXPECT_EQ(RedactPasswordOf("postgresql://a:hunter2@h/d",
                             "bad URI 'postgresql://a:hunter2@h/d': hunter2 twice"),
            "bad URI 'postgresql://a:***@h/d': *** twice");
  EXPECT_EQ(RedactPasswordOf("postgresql://a@h/d", "nothing to hide"), "nothing to hide");
}

TEST(StateUrlTest, PostgresMessagesBecomeOneLineWithoutThePassword) {
  EXPECT_EQ(PostgresMessage("postgresql://a:pw@h/d",
                            "connection to server at \"h\", port 1 failed: Connection refused\n"
                            "\tIs the server running on that host and accepting TCP/IP connections?\n"),
            "connection to server at \"h\", port 1 failed: Connection refused; Is the server running on that host "
            "and accepting TCP/IP connections?");
  EXPECT_EQ(PostgresMessage("postgresql://a@h/d", "ERROR:  relation \"x\" does not exist\n"),
            "relation \"x\" does not exist");
  EXPECT_EQ(PostgresMessage("postgresql://a:pw@h/d", "password pw rejected"), "password *** rejected");
}

}  // namespace
}  // namespace orchestra
