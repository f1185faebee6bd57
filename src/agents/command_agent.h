// The `command` kind: any program, started from the type's argv template.
#pragma once

#include "agent_kind.h"

namespace orchestra {

/// CommandAgent runs the type's argv, placeholders filled in; exit code 0 succeeds.
class CommandAgent : public AgentKind {
 public:
  const char* name() const override { return "command"; }
  /// Reads the agent's last `orchestra-result:` line (result_line.h) when it
  /// printed one; else its exit code decides.
  AgentVerdict Interpret(const ProcessResult& result, std::string_view output) const override;
  void Check(const AgentType& type, std::vector<AgentTypeProblem>* problems) const override;
  bool BuildArgv(const AgentType& type, const AttemptContext& context, std::vector<std::string>* argv,
                 std::string* error) const override;
};

}  // namespace orchestra
