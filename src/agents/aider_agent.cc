#include "aider_agent.h"

namespace orchestra {

AgentType AiderAgent::BuiltinType() const {
  // The files come after "--": aider's argparse then reads none of them as an
  // option, whatever a workstream lists. "--message=" keeps a prompt starting
  // with '-' the message's value.
  return AgentType{.name = name(),
                   .kind = name(),
                   .argv = {"aider", "--message={prompt}", "--yes-always", "--", "{files}"}};
}

}  // namespace orchestra
