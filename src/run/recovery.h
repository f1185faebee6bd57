// Recovery: what a resumed run does first. Attempts still marked `running`
// belong to an orchestrator that stopped (killed, crashed, lost its state).
// An attempt whose merge reached the integration branch before the stop is
// completed (its work is not done twice). An agent runs under its own
// supervisor (orchestra-supervise), which outlives the orchestrator: when it
// has recorded the agent's end in its status file, the run collects that end;
// when it is still running, the run adopts it; either way the attempt goes on
// (acceptance tests, merge) as if the agent had just ended, and its work is
// not thrown away. Every other attempt has its processes killed, is closed as
// abandoned and its workstream requeued.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "git.h"
#include "process.h"
#include "process_table.h"
#include "state_store.h"
#include "worktree.h"

namespace orchestra {

/// The environment entry every process of an attempt carries
/// (ORCHESTRA_ATTEMPT_KEY=<state path>#<attempt id>): unique on this machine,
/// so the process table finds what an attempt started even after it left its
/// process group.
std::string AttemptKey(const std::string& state_path, int64_t attempt_id);

/// An attempt left running whose agent's work goes on in this run.
struct ContinuedAttempt {
  AttemptRecord record;
  bool adopted = false;  // its supervisor (record.pid) still runs: watch it until it exits
  ProcessResult result;  // not adopted: the end its status file recorded (collected)
};

/// RecoveryContext holds what recovery reads and acts on.
struct RecoveryContext {
  StateStore* store = nullptr;
  ProcessTable* processes = nullptr;
  Worktrees* worktrees = nullptr;  // null without worktree isolation
  Git* git = nullptr;              // with worktree isolation
  std::string project_dir;
  std::string integration_branch;
  std::string state_path;  // for the attempt keys
  /// Where attempts to continue go (adopted or collected); null: none is
  /// continued, every attempt left running is abandoned (or completed).
  std::vector<ContinuedAttempt>* continued = nullptr;
  /// Whether this run can continue an attempt (its workstream and agent are
  /// still in the project, and selected); unset: every one.
  std::function<bool(const AttemptRecord&)> can_continue;
  /// Recover only these attempts (a worker: those it took over from a dead
  /// worker of its host); null: every attempt left running.
  const std::vector<int64_t>* only = nullptr;
  /// Records an attempt's end (a worker: under its fencing token); unset:
  /// store->FinishAttempt.
  std::function<bool(int64_t attempt_id, const AttemptEnd& end, std::string* error)> finish;
};

/// What the state records for an attempt closed as abandoned: `killed` when
/// its processes were still running (and were killed).
AttemptEnd AbandonedEnd(const AttemptRecord& attempt, bool killed);

/// True when `pid` is an orchestra-supervise process (/proc/<pid>/comm).
bool IsSupervisor(int pid);

/// Closes or continues every attempt left running, as described above, and
/// appends one event (already committed to the state: requeued, completed,
/// adopted, collected) per attempt for observers.
/// False with `*error` when the state cannot be read or written.
bool RecoverAttempts(const RecoveryContext& context, std::vector<LogEntry>* events, std::string* error);

}  // namespace orchestra
