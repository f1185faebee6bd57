// The registry of agent kinds, and what every kind shares.
#include "agent_kind.h"

#include <fmt/format.h>

#include "aider_agent.h"
#include "claude_agent.h"
#include "codex_agent.h"
#include "command_agent.h"
#include "gemini_agent.h"
#include "sim_agent.h"

namespace orchestra {

AgentType AgentKind::BuiltinType() const { return AgentType{.name = name(), .kind = name()}; }

bool AgentKind::OwnsKey(const std::string&) const { return false; }

void AgentKind::Check(const AgentType&, std::vector<AgentTypeProblem>*) const {}

const char* AgentOutcomeName(AgentOutcome outcome) {
  switch (outcome) {
    case AgentOutcome::kSucceeded:
      return "succeeded";
    case AgentOutcome::kFailed:
      return "failed";
    case AgentOutcome::kRateLimited:
      return "rate_limited";
    case AgentOutcome::kFatal:
      return "fatal";
    case AgentOutcome::kStalled:
      return "stalled";
  }
  return "failed";
}

AgentVerdict InterpretExitCode(const ProcessResult& result) {
  AgentVerdict verdict;
  if (result.Succeeded()) {
    verdict.outcome = AgentOutcome::kSucceeded;
  } else {
    verdict.reason = "agent " + result.Describe();
  }
  return verdict;
}

AgentVerdict AgentKind::Interpret(const ProcessResult& result, std::string_view) const {
  return InterpretExitCode(result);
}

const std::vector<const AgentKind*>& AgentKinds() {
  static const CommandAgent command;
  static const SimAgent sim;
  static const ClaudeAgent claude;
  static const CodexAgent codex;
  static const GeminiAgent gemini;
  static const AiderAgent aider;
  static const std::vector<const AgentKind*> kinds{&command, &sim, &claude, &codex, &gemini, &aider};
  return kinds;
}

const AgentKind* FindAgentKind(const std::string& name) {
  for (const AgentKind* kind : AgentKinds()) {
    if (name == kind->name()) return kind;
  }
  return nullptr;
}

std::string AgentKindNames() {
  std::vector<std::string> names;
  for (const AgentKind* kind : AgentKinds()) names.push_back(kind->name());
  return fmt::format("{}", fmt::join(names, ", "));
}

std::map<std::string, AgentType> BuiltinAgentTypes() {
  std::map<std::string, AgentType> types;
  for (const AgentKind* kind : AgentKinds()) types[kind->name()] = kind->BuiltinType();
  return types;
}

bool BuildAgentProcess(const AgentType& type, const AttemptContext& context, ProcessSpec* spec,
                       std::string* error) {
  const AgentKind* kind = FindAgentKind(type.kind);
  if (kind == nullptr) {
    *error = fmt::format("agent '{}' has type '{}' of unknown kind '{}'", context.agent_id, type.name,
                         type.kind);
    return false;
  }
  spec->argv.clear();
  if (!kind->BuildArgv(type, context, &spec->argv, error)) return false;
  spec->env = {
      "ORCHESTRA_WORKSTREAM_ID=" + context.workstream->id,
      "ORCHESTRA_ATTEMPT=" + std::to_string(context.attempt),
      "ORCHESTRA_AGENT_ID=" + context.agent_id,
      "ORCHESTRA_PROMPT_FILE=" + context.prompt_file,
      "ORCHESTRA_WORKSTREAM_FILE=" + context.workstream_file,
      "ORCHESTRA_WORKDIR=" + context.workdir,
  };
  for (const auto& [key, value] : kind->DefaultEnv()) {
    if (type.env.count(key) == 0) spec->env.push_back(key + "=" + value);
  }
  for (const auto& [key, value] : type.env) spec->env.push_back(key + "=" + value);
  spec->cwd = context.workdir;
  spec->log_path = context.log_path;
  spec->timeout_seconds = context.timeout_seconds;
  spec->kill_grace_seconds = context.kill_grace_seconds;
  return true;
}

}  // namespace orchestra
