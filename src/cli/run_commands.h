// The commands that run the plan or change what the next run does:
// `orchestra run`, `pause`, `retry` and `reset`. Each returns a process exit
// code.
#pragma once

#include "command.h"

namespace orchestra {

/// Runs (or resumes) the plan, the named workstreams and their dependencies
/// only when ids are given; with --dry-run it is `plan`. Needs agents.
int CommandRun(const CommandArgs& args);

/// Asks the running orchestrator to start nothing new and exit.
int CommandPause(const CommandArgs& args);

/// Puts the named (or with --failed every failed) workstreams back to pending,
/// with what they blocked.
int CommandRetry(const CommandArgs& args);

/// Forgets recorded progress, after confirmation. With worktree isolation the
/// integration branch holds merged work, so the user chooses (exit 2
/// otherwise): --from-branch moves it back to the current branch and removes
/// Orchestra's worktrees and workstream branches, then forgets everything;
/// --keep-merged keeps the workstreams whose merge it holds completed and puts
/// the others back to pending.
int CommandReset(const CommandArgs& args);

}  // namespace orchestra
