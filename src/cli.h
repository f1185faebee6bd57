// The command line: parses arguments and runs one command. `main` only calls
// RunCommandLine.
#pragma once

namespace orchestra {

/// Exit codes (documented in README.md).
enum ExitCode {
  kExitOk = 0,
  kExitIncomplete = 1,   // some workstream failed or is blocked; or an internal error
  kExitUsage = 2,        // invalid input or usage
  kExitLocked = 3,       // another orchestrator holds the state
  kExitInterrupted = 130,
};

/// Runs the command `argv` describes and returns the process exit code.
int RunCommandLine(int argc, char** argv);

}  // namespace orchestra
