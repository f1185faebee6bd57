// Recovery: what a resumed run does first. Attempts still marked `running`
// belong to an orchestrator that stopped (killed, crashed, lost its state).
// Their processes may live on: they are killed first. An attempt whose merge
// reached the integration branch before the stop is completed (its work is
// not done twice); every other one is closed as abandoned and its workstream
// requeued.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "git.h"
#include "process_table.h"
#include "state_store.h"
#include "worktree.h"

namespace orchestra {

/// The environment entry every process of an attempt carries
/// (ORCHESTRA_ATTEMPT_KEY=<state path>#<attempt id>): unique on this machine,
/// so the process table finds what an attempt started even after it left its
/// process group.
std::string AttemptKey(const std::string& state_path, int64_t attempt_id);

/// RecoveryContext holds what recovery reads and acts on.
struct RecoveryContext {
  StateStore* store = nullptr;
  ProcessTable* processes = nullptr;
  Worktrees* worktrees = nullptr;  // null without worktree isolation
  Git* git = nullptr;              // with worktree isolation
  std::string project_dir;
  std::string integration_branch;
  std::string state_path;  // for the attempt keys
};

/// Closes every attempt left running, as described above, and appends one
/// event (already committed to the state) per closed attempt for observers.
/// False with `*error` when the state cannot be read or written.
bool RecoverAttempts(const RecoveryContext& context, std::vector<LogEntry>* events, std::string* error);

}  // namespace orchestra
