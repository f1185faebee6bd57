// The commands that show the plan without running anything: `orchestra
// validate`, `plan` (also `run --dry-run`) and `graph`. Each returns a process
// exit code.
#pragma once

#include "command.h"

namespace orchestra {

/// Checks workstreams and config; exit 2 on errors. No agents is a warning.
int CommandValidate(const CommandArgs& args);

/// Prints the waves, the critical path and each agent's order (text or JSON),
/// with estimates corrected by what the state records; `--gantt` also draws it.
int CommandPlan(const CommandArgs& args);

/// Prints the dependency graph as DOT, Mermaid or SVG, coloured by the
/// recorded statuses when there is state.
int CommandGraph(const CommandArgs& args);

}  // namespace orchestra
