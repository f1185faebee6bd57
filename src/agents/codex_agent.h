// The `codex` kind: OpenAI Codex CLI in exec mode. Default argv:
//   codex exec --json --sandbox workspace-write --skip-git-repo-check -- {prompt}
// --json prints one JSON event per line as Codex works (thread.started,
// turn.started, item.*, turn.completed with usage, turn.failed, error), so a
// stall timeout means something. The prompt comes after "--"; the type's
// `model` adds `--model` before it. Codex reports tokens but no cost: the
// type's price table prices them.
#pragma once

#include "coding_agent.h"

namespace orchestra {

/// CodexAgent runs `codex exec` and reads its JSONL events.
class CodexAgent : public CodingAgent {
 public:
  const char* name() const override { return "codex"; }
  AgentType BuiltinType() const override;
  /// The last turn.completed or turn.failed event decides (Codex's exit code
  /// can say the opposite); without either, the last `error` event; without
  /// any, the exit code. Errors naming 429 or a rate limit are rate_limited,
  /// 401/403 or a quota fatal. An item of type "error" is only a warning.
  AgentVerdict Interpret(const ProcessResult& result, std::string_view output) const override;
  double DefaultStallTimeout() const override { return 600; }
};

}  // namespace orchestra
