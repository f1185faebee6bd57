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

/// Forgets all recorded progress, after confirmation.
int CommandReset(const CommandArgs& args);

}  // namespace orchestra
