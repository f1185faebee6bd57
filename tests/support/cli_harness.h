// Helpers for tests that run the real `orchestra` binary on temporary project
// folders: files, processes and the state database are all real.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "temp_dir.h"

namespace orchestra::testing {

/// Writes `text` to `path`, creating folders; `executable` makes it a script.
void WriteFile(const std::string& path, const std::string& text, bool executable = false);
std::string ReadFile(const std::string& path);
std::vector<std::string> ReadLines(const std::string& path);

/// Output and exit code of a finished command.
struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

/// Runs the orchestra binary with `args` in `cwd`, waiting for it to end (at
/// most `timeout_seconds`, then it is killed and the test fails). In the
/// suite's PostgreSQL pass, with the project's database as `--state`
/// (test_state.h).
CommandResult RunOrchestra(const std::string& cwd, const std::vector<std::string>& args,
                           double timeout_seconds = 120);

/// Runs any argv in `cwd` and waits (same rules as RunOrchestra).
CommandResult RunCommand(const std::string& cwd, const std::vector<std::string>& argv,
                         double timeout_seconds = 120);

/// Starts the orchestra binary in the background; stdout+stderr go to `log_path`.
pid_t StartOrchestra(const std::string& cwd, const std::vector<std::string>& args,
                     const std::string& log_path);

/// Waits for `pid` to exit (at most `timeout_seconds`); returns its exit code
/// (128 + signal when killed), or -1 on timeout (then it is killed).
int WaitForExit(pid_t pid, double timeout_seconds = 120);

/// Polls `condition` every 20 ms for at most `timeout_seconds`.
template <typename Condition>
bool WaitUntil(Condition condition, double timeout_seconds = 30);
bool SleepSeconds(double seconds);

/// Runs one SQL query with the sqlite3 command-line tool, as a user would; in
/// the PostgreSQL pass, on the project's database instead, its rows printed
/// as sqlite3 prints them (test_state.h).
CommandResult Sqlite3(const std::string& database, const std::string& query);

/// True when a process with this pid exists and is not a zombie.
bool ProcessAlive(pid_t pid);
/// Waits until `pid` no longer runs (a zombie counts as gone); false after 30 s.
bool WaitUntilGone(pid_t pid);

template <typename Condition>
bool WaitUntil(Condition condition, double timeout_seconds) {
  for (double waited = 0; waited < timeout_seconds; waited += 0.02) {
    if (condition()) return true;
    SleepSeconds(0.02);
  }
  return condition();
}

}  // namespace orchestra::testing
