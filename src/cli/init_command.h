// `orchestra init`: a starting orchestra.toml for the agent CLIs found on PATH
// (the simulated agent when there is none) and, when the project has no
// workstreams folder, one example workstream, so `validate` and `plan` work at
// once. It never overwrites a file, except the config with --force.
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "doctor_command.h"

namespace orchestra {

/// The commented orchestra.toml for the agent CLIs `found` (in the order of
/// KnownAgentClis); without any, one for the `sim` agent.
std::string InitConfigText(const std::vector<const AgentCli*>& found);

/// The example workstream written to workstreams/example-hello.json.
std::string ExampleWorkstreamText();

/// Writes the files; exit 0, or 2 naming a file that exists already.
int CommandInit(const CommandArgs& args);

}  // namespace orchestra
