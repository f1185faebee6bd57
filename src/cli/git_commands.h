// The commands that deal with the git side of worktree isolation:
// `orchestra land` (the only command that touches the user's checkout),
// `orchestra sync`, `orchestra clean` and `orchestra diff`. Each returns a process exit code.
#pragma once

#include "command.h"

namespace orchestra {

/// Brings the integration branch into the user's current branch: a
/// fast-forward when possible, else a merge commit. Refuses (exit 2) on a
/// dirty working tree, a detached HEAD or a run in progress (exit 3).
int CommandLand(const CommandArgs& args);

/// Brings the user's current branch into the integration branch (SyncIntegration):
/// a fast-forward, or a merge commit when both moved. On a conflict nothing
/// moves and it exits 1 naming the paths. Holds the state lock.
int CommandSync(const CommandArgs& args);

/// What `orchestra run` does first with worktree isolation: SyncIntegration,
/// saying what moved. kExitOk, or kExitIncomplete after the conflict or error.
/// On a state shared with workers (`shared_state`, else null) the state's
/// head is the one synced and moved, under the merge lock.
int SyncBeforeRun(const Config& config, StateStore* shared_state);

/// Removes the worktrees kept for inspection (failed, blocked, interrupted
/// workstreams) and the `orchestra/<id>` branches already merged into the
/// integration branch. Unmerged branches are kept. Holds the state lock.
int CommandClean(const CommandArgs& args);

/// Prints what the named workstream changed: its latest recorded attempt's
/// diff from the integration head it started at to its branch head.
int CommandDiff(const CommandArgs& args);

}  // namespace orchestra
