// `orchestra doctor`: whether what the configured agents need is there — the
// agent CLIs and their versions, API keys (never their values), git, SQLite
// and the state folder, the state lock, Graphviz — one line per check with a
// fix for what is not. `orchestra init` uses the same look-up of agent CLIs.
#pragma once

#include <string>
#include <vector>

#include "command.h"

namespace orchestra {

/// AgentCli is a coding-agent command line doctor looks for on PATH.
struct AgentCli {
  const char* program;                // "claude"
  const char* install;                // how to install it
  std::vector<const char*> keys;      // the API keys it reads (any one is enough)
  const char* login;                  // how to sign in without a key
};

/// The agent CLIs doctor and init know: claude, codex, gemini, aider.
const std::vector<AgentCli>& KnownAgentClis();

/// The known agent CLIs found as executables on `path_list` (a PATH value).
std::vector<const AgentCli*> FindAgentClis(const std::string& path_list);

/// DoctorCheck is one line of the report.
struct DoctorCheck {
  std::string name;      // "claude", "ANTHROPIC_API_KEY", "git", "state folder"...
  std::string status;    // "ok", "missing" or "problem"
  std::string detail;    // what was found (a version, "set (40 characters)"...)
  std::string hint;      // how to fix it; empty when ok
  bool required = false;  // needed by the configured agents: not ok makes doctor exit 1
};

/// Runs every check for the project `args` names (orchestra.toml when present).
std::vector<DoctorCheck> RunDoctorChecks(const CommandArgs& args);

/// Prints the checks (a line each, or JSON with --json); exit 0 when every
/// required check is ok, 1 otherwise.
int CommandDoctor(const CommandArgs& args);

}  // namespace orchestra
