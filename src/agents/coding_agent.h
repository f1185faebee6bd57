// The shared shape of the coding-agent kinds (claude, codex, gemini, aider):
// a CLI run from the type's argv template (the kind's documented default, or
// the `argv` of orchestra.toml), to which the kind adds the options the type
// sets (`model`, `max_turns`...). Options go before a standalone "--" of the
// template, when it has one, so they are still read as options there; without
// one they are appended.
#pragma once

#include "command_agent.h"

namespace orchestra {

/// CodingAgent is a command with kind-specific options and a reading of the CLI's output.
class CodingAgent : public CommandAgent {
 public:
  bool OwnsKey(const std::string& key) const override;
  bool BuildArgv(const AgentType& type, const AttemptContext& context, std::vector<std::string>* argv,
                 std::string* error) const override;

 protected:
  /// The options this kind adds for `type` and `context`; by default
  /// `--model <model>` when the type sets one.
  virtual std::vector<std::string> Options(const AgentType& type, const AttemptContext& context) const;
};

/// Expands `argv_template` with `options` inserted before its first "--"
/// element (appended when it has none).
bool ExpandArgvWithOptions(const std::vector<std::string>& argv_template, const std::vector<std::string>& options,
                           const AttemptContext& context, std::vector<std::string>* argv, std::string* error);

}  // namespace orchestra
