#include "aider_agent.h"

namespace orchestra {

AgentType AiderAgent::BuiltinType() const {
  return AgentType{.name = name(),
                   .kind = name(),
                   .argv = {"aider", "{files}", "--message", "{prompt}", "--yes-always"}};
}

}  // namespace orchestra
