// The `claude` kind: Claude Code in print mode. Default argv:
//   claude -p --output-format stream-json --verbose --permission-mode acceptEdits -- {prompt}
// stream-json prints one JSON event per line while Claude works (so a stall
// timeout means something) and ends with the same `{"type":"result",...}`
// object that `--output-format json` prints alone; the result is read from
// either. The prompt comes after "--", so a prompt starting with '-' is never
// read as an option. The type's `model`, `max_turns` and `allowed_tools` add
// `--model`, `--max-turns` and `--allowedTools` (before the "--"), and a retry
// that continues a conversation adds `--resume <session_id>`.
#pragma once

#include "coding_agent.h"

namespace orchestra {

/// ClaudeAgent runs Claude Code and reads its result object.
class ClaudeAgent : public CodingAgent {
 public:
  const char* name() const override { return "claude"; }
  AgentType BuiltinType() const override;
  bool OwnsKey(const std::string& key) const override;
  /// The result object decides, whatever the exit code: is_error with
  /// api_error_status 429/529 is rate_limited, 401/403 (or an auth or credit
  /// text) fatal, any other error failed; permission_denials and
  /// error_max_turns fail too. Without a result object, the exit code decides
  /// (a session that cannot be resumed says so, for a fresh start).
  AgentVerdict Interpret(const ProcessResult& result, std::string_view output) const override;
  bool resumes() const override { return true; }
  double DefaultStallTimeout() const override { return 600; }
  /// CLAUDE_CODE_MAX_RETRIES=2 (Claude Code alone retries a 429 for about three
  /// minutes; Orchestra pauses the type instead) and DISABLE_AUTOUPDATER=1 (no
  /// new version mid-run).
  std::vector<std::pair<std::string, std::string>> DefaultEnv() const override {
    return {{"CLAUDE_CODE_MAX_RETRIES", "2"}, {"DISABLE_AUTOUPDATER", "1"}};
  }

 protected:
  std::vector<std::string> Options(const AgentType& type, const AttemptContext& context) const override;
};

}  // namespace orchestra
