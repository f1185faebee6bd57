// The `aider` kind: the aider CLI, with a default argv that passes the
// workstream's files and the prompt.
#pragma once

#include "command_agent.h"

namespace orchestra {

/// AiderAgent is a command whose built-in type already holds aider's argv.
class AiderAgent : public CommandAgent {
 public:
  const char* name() const override { return "aider"; }
  AgentType BuiltinType() const override;
};

}  // namespace orchestra
