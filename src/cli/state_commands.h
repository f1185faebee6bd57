// The commands that read what the state records: `orchestra status` and
// `logs` (`report`: report_command.h). Each returns a process exit code; exit 2 when nothing has run.
#pragma once

#include "command.h"

namespace orchestra {

/// Prints each workstream's state (a table, or JSON with --json).
int CommandStatus(const CommandArgs& args);

/// Prints the log of a workstream's latest attempt (or --attempt N); with
/// --follow keeps printing until the attempt ends.
int CommandLogs(const CommandArgs& args);

}  // namespace orchestra
