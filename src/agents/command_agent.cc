#include "command_agent.h"

#include "argv_template.h"

namespace orchestra {

void CommandAgent::Check(const AgentType& type, std::vector<AgentTypeProblem>* problems) const {
  CheckArgvTemplate(type, problems);
}

bool CommandAgent::BuildArgv(const AgentType& type, const AttemptContext& context,
                             std::vector<std::string>* argv, std::string* error) const {
  return ExpandArgv(type.argv, context, argv, error);
}

}  // namespace orchestra
