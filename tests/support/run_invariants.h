// The invariants every crash, kill and fault test checks after a run resumed
// to its end: nothing lost, nothing done twice, nothing left behind.
#pragma once

#include <string>
#include <vector>

namespace orchestra::testing {

/// Which invariants CheckRunInvariants holds a project to.
struct InvariantOptions {
  /// Every workstream in `workstream_status` must be completed (a run resumed
  /// to its end with nothing failing); else only what is completed is checked.
  bool all_completed = true;
};

/// Checks, on the project in `project_dir` whose state is `state_path` (both
/// absolute), after its orchestrator has ended:
/// - `PRAGMA integrity_check` says ok (SQLite only);
/// - each workstream has at most one `completed` event in `execution_log`
///   (exactly one when completed), and no attempt `started` after it: a
///   completed workstream never ran again;
/// - `workstream_status` agrees with the audit trail and the attempts: a
///   completed workstream has exactly one succeeded attempt, its newest; no
///   attempt and no workstream is left `running`, no run either;
/// - no process carrying one of this state's `ORCHESTRA_ATTEMPT_KEY`s in its
///   environment is alive (agents and what they started);
/// - nobody holds the state's lock (`<state>.lock`, or in the PostgreSQL
///   pass the database's advisory lock): a new run would get it.
/// In the PostgreSQL pass (test_state.h) the state is the project's database.
/// Returns one line per violation; empty when every invariant holds.
std::vector<std::string> RunInvariantViolations(const std::string& project_dir, const std::string& state_path,
                                                const InvariantOptions& options = {});

/// The pids of live processes whose environment holds an attempt key of the
/// state at `state_path` (what the orchestrator marks every agent with).
std::vector<int> AgentProcessesOf(const std::string& state_path);

}  // namespace orchestra::testing
