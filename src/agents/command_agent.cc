#include "command_agent.h"

#include "argv_template.h"
#include "result_line.h"

namespace orchestra {

void CommandAgent::Check(const AgentType& type, std::vector<AgentTypeProblem>* problems) const {
  CheckArgvTemplate(type, problems);
}

bool CommandAgent::BuildArgv(const AgentType& type, const AttemptContext& context,
                             std::vector<std::string>* argv, std::string* error) const {
  return ExpandArgv(type.argv, context, argv, error);
}

AgentVerdict CommandAgent::Interpret(const ProcessResult& result, std::string_view output) const {
  AgentVerdict verdict;
  if (result.spawn_error.empty() && !result.timed_out && ReadResultLine(output, &verdict)) {
    // A success claimed by a process that did not exit 0 is not one.
    if (verdict.succeeded() && !result.Succeeded()) {
      verdict.outcome = AgentOutcome::kFailed;
      verdict.reason = "agent " + result.Describe() + " after reporting success";
    }
    return verdict;
  }
  const AgentVerdict by_exit = InterpretExitCode(result);
  verdict.outcome = by_exit.outcome;
  verdict.reason = by_exit.reason;
  return verdict;
}

}  // namespace orchestra
