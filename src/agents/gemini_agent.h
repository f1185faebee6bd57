// The `gemini` kind: Google's Gemini CLI in headless mode. Default argv:
//   gemini --prompt={prompt} --output-format json --approval-mode yolo
// ("--prompt=" keeps a prompt starting with '-' the option's value). It prints
// one JSON object at the end: `{session_id, response, stats}` on stdout, or
// `{session_id, error: {type, message, code}}` on stderr after a stack trace,
// with the exit status then the HTTP code modulo 256. Nothing is printed while
// it works, so the kind has no default stall timeout. The type's `model` adds
// `--model`. Gemini reports tokens but no cost: the type's price table prices
// them.
#pragma once

#include "coding_agent.h"

namespace orchestra {

/// GeminiAgent runs the Gemini CLI and reads its JSON result or error.
class GeminiAgent : public CodingAgent {
 public:
  const char* name() const override { return "gemini"; }
  AgentType BuiltinType() const override;
  /// The error object decides (429 rate_limited; 401/403 or exit 41 fatal,
  /// with a hint about GEMINI_API_KEY and ~/.gemini/settings.json; exits 42,
  /// 44, 52 and 55 fatal configuration errors; 53, the turn limit, failed);
  /// else the exit code with those same meanings, 0 succeeding.
  AgentVerdict Interpret(const ProcessResult& result, std::string_view output) const override;
};

}  // namespace orchestra
