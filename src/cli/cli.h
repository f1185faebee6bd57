// The command line: parses arguments and runs one command. `main` only calls
// RunCommandLine.
#pragma once

#include "exit_code.h"

namespace orchestra {

/// Runs the command `argv` describes and returns the process exit code.
int RunCommandLine(int argc, char** argv);

}  // namespace orchestra
