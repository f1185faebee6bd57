// Exit codes of the orchestra command (documented in README.md), shared by
// every command file so none needs to include the command line itself.
#pragma once

namespace orchestra {

/// ExitCode is what `orchestra` returns to its caller.
enum ExitCode {
  kExitOk = 0,
  kExitIncomplete = 1,   // some workstream failed or is blocked; or an internal error
  kExitUsage = 2,        // invalid input or usage
  kExitLocked = 3,       // another orchestrator holds the state
  kExitInterrupted = 130,
};

}  // namespace orchestra
