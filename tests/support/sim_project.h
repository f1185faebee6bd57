// A project of simulated agents for the crash and fault tests: a random
// dependency graph of quick `sim` workstreams, optionally in a git repository
// (worktree isolation), run by the real binary with or without a crash point armed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli_harness.h"
#include "temp_dir.h"

namespace orchestra::testing {

/// What SimProject builds.
struct SimProjectOptions {
  int workstreams = 6;
  int agents = 2;
  uint64_t seed = 1;          // the dependency graph and which first attempts fail
  int failing_first = 0;      // workstreams whose first attempt fails (then retried)
  bool git = false;           // a git repository: worktree isolation, merges
  double time_scale = 0.02;   // sim seconds per estimated hour (estimate 2 h)
  std::string extra_config;   // appended to orchestra.toml
  std::string agent_type_extra;  // lines added to the sim agent type's table (e.g. its env)
};

/// SimProject is a project folder (a TempDir, or `dir` when given) of
/// workstreams `w00`, `w01`, ... each depending on up to two earlier ones.
class SimProject {
 public:
  explicit SimProject(const SimProjectOptions& options, const std::string& dir = "");
  SimProject(const SimProject&) = delete;
  SimProject& operator=(const SimProject&) = delete;

  const std::string& path() const { return path_; }
  std::string StatePath() const { return path_ + "/.state/orchestration.db"; }
  const std::vector<std::string>& ids() const { return ids_; }

  /// `orchestra run` to its end, with `ORCHESTRA_CRASH_AT=crash_at` unless empty.
  CommandResult Run(const std::string& crash_at = "") const;

 private:
  TempDir temp_;
  std::string path_;
  std::vector<std::string> ids_;
};

/// One crash point as `ORCHESTRA_CRASH_AT=list` prints it.
struct ListedCrashPoint {
  std::string name;
  bool in_recovery = false;
  bool worktrees = false;
  std::string where;
};

/// Every crash point the binary under test has (none in a build without them).
std::vector<ListedCrashPoint> ListCrashPoints();

/// The line the binary prints on stderr when it aborts at `name`, pass `pass`.
std::string CrashPointMessage(const std::string& name, int pass = 1);

}  // namespace orchestra::testing
