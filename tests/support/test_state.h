// Where an integration test's orchestra keeps its state, and how the test
// reads it whichever store that is. Normally the project's SQLite file
// (.state/orchestration.db). In the suite's PostgreSQL pass (the tests
// registered with the suffix /postgres, tests/CMakeLists.txt, run with
// ORCHESTRA_TEST_STATE=postgres) each project gets a fresh database of its
// own on the suite's private server (postgres_server.h): RunOrchestra and
// StartOrchestra pass it as `--state`, and Sqlite3 and StateRows read it
// instead of the file, so the same test checks the same facts on both stores.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orchestra::testing {

/// True in the PostgreSQL pass (ORCHESTRA_TEST_STATE=postgres).
bool StateIsPostgres();

/// Skips the test in the PostgreSQL pass, saying why it cannot apply there
/// (it checks something of a SQLite file: WAL, PRAGMA, its file lock, ...).
#define SKIP_UNDER_POSTGRES(why)                                                       \
  do {                                                                                 \
    if (::orchestra::testing::StateIsPostgres()) GTEST_SKIP() << "PostgreSQL pass: " << (why); \
  } while (false)

/// In the PostgreSQL pass, the state URL of the project in `project_dir` (a
/// database made on its first use, the same for the test's later calls);
/// "" otherwise, or when the suite has no server (then every test of the
/// pass skips, saying why: PostgresPassEnvironment).
std::string PostgresStateFor(const std::string& project_dir);

/// The state URL in the PostgreSQL pass of the state file `state_path`
/// (PROJECT/.state/orchestration.db); "" when it is not a project's default
/// state or not in that pass.
std::string PostgresStateOfFile(const std::string& state_path);

/// `args` with `--state URL` first when, in the PostgreSQL pass, the
/// project they run on (`cwd`, or `-C DIR`) should use its database; as they
/// are otherwise, or when they name a state themselves.
std::vector<std::string> WithTestState(const std::string& cwd, const std::vector<std::string>& args);

/// The rows of `sql` on the state at `state_path` (the SQLite file, or in the
/// PostgreSQL pass that project's database), each column as text, NULL as
/// "NULL". False with `*error` when the query fails.
bool StateRows(const std::string& state_path, const std::string& sql, std::vector<std::vector<std::string>>* rows,
               std::string* error);

}  // namespace orchestra::testing
