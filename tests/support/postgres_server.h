// A private PostgreSQL server for the tests of the PostgreSQL state store: a
// cluster made by initdb in a temporary folder, started by pg_ctl on
// 127.0.0.1 at a free port (its unix socket in the same folder, trust
// authentication), one per test binary, stopped when the tests end.
//
// initdb and the server refuse to run as root. Run as root (as in the CI
// container), they run as the `postgres` user that Debian's postgresql
// package creates, through `runuser -u postgres --`, with the folder handed to
// that user; run as anyone else, they run as that user. Without the server
// binaries (Debian: /usr/lib/postgresql/<version>/bin, or initdb and pg_ctl
// on PATH) the tests that need a server skip, saying why.
//
// Under ctest every test is a process of its own, and an initdb per process
// costs seconds: there the fixture tests PostgresServerStart/Stop
// (tests/postgres_fixture/) run one server for the whole suite in a folder
// of the build tree, and ORCHESTRA_TEST_POSTGRES_DIR names it; each test
// process then attaches to that server instead of starting its own.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace orchestra::testing {

/// PostgresServer is one running server; its databases are created by
/// CreateDatabase, each test taking a fresh one.
class PostgresServer {
 public:
  /// The server of this test binary, started on first use. Null with `*why`
  /// when it cannot run here: a test then skips with `*why` as the reason
  /// (GTEST_SKIP), or fails when `*why` says the start itself failed.
  static PostgresServer* Shared(std::string* why, bool* failed);
  /// Stops the shared server, if one was started (PostgresServerEnvironment).
  static void StopShared();
  /// For the ctest fixture: starts a server in `folder` (created) that keeps
  /// running after this process, and writes its port to `folder`/port. False
  /// with `*error`; `*skipped` when the binaries or the user are missing.
  static bool StartInFolder(const std::string& folder, bool* skipped, std::string* error);
  /// Stops the server StartInFolder started there, if any, and removes `folder`.
  static void StopInFolder(const std::string& folder);

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// Creates an empty database with a name never used before in this server
  /// and returns its URL (postgresql://orchestra@127.0.0.1:PORT/NAME), or ""
  /// with `*error`.
  std::string CreateDatabase(std::string* error);
  /// The URL of database `name`.
  std::string Url(const std::string& name) const;
  int port() const { return port_; }
  /// The folder holding the unix socket (a libpq `host`).
  std::string socket_dir() const { return folder_; }

 private:
  PostgresServer() = default;
  /// initdb and pg_ctl start in `folder_`; false with `*error`.
  bool Start(const std::string& bin_dir, std::string* error);
  void Stop();
  /// `program` from the server's bin folder with `args`, as the server's user.
  std::vector<std::string> Command(const std::string& program, const std::vector<std::string>& args) const;

  std::unique_ptr<TempDir> temp_;  // the folder, when this process owns it
  std::string folder_;             // data, socket and server log
  std::string bin_dir_;
  bool as_postgres_user_ = false;  // started as root: runuser -u postgres
  bool running_ = false;  // started (and to be stopped) by this object
  int port_ = 0;
  int databases_ = 0;
};

/// Stops the shared PostgresServer when the tests end. Test files that use the
/// server register it with RegisterPostgresServerEnvironment() (idempotent).
class PostgresServerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};
int RegisterPostgresServerEnvironment();

/// A fresh database on the shared server for one test: sets `*url`, or
/// leaves it empty after GTEST_SKIP or a failure. Call it from SetUp, then
/// return when IsSkipped() or HasFatalFailure().
void FreshPostgresDatabase(std::string* url);

/// The rows of `sql` on a new connection to `url`, each as "a|b|c" with NULL
/// spelled out (the format of the SQLite tests' reader); a failing query
/// fails the test.
std::vector<std::string> PostgresQuery(const std::string& url, const std::string& sql);

}  // namespace orchestra::testing
