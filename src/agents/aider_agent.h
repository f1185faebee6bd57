// The `aider` kind: the aider CLI, one message and exit. Default argv:
//   aider --message-file {prompt_file} --yes-always --no-auto-commits --no-stream --no-pretty -- {files}
// The workstream's files come after "--", so aider's argparse reads none of
// them as an option; the type's `model` adds `--model` before the "--".
// Orchestra commits the work itself, hence --no-auto-commits.
//
// aider's exit code is unreliable (0 after a fatal API error), so its output
// decides: a litellm error printed after the last answer (aider retries
// transient errors itself, and an answer after the error means a retry
// worked) is rate_limited (RateLimitError), fatal (AuthenticationError,
// PermissionDeniedError, NotFoundError, insufficient_quota) or failed (any
// other); otherwise exit 0 succeeds, and the diff and acceptance tests judge
// the work. Usage: each answer prints
//   Tokens: 1.2k sent, 300 cache write, 2.3k cache hit, 345 received. Cost: $0.01 message, $0.05 session.
// The per-message tokens are summed over the answers; the cost is the last
// "session" figure (aider's own running total). "sent" includes the cache
// writes, which are counted apart.
#pragma once

#include "coding_agent.h"

namespace orchestra {

/// AiderAgent runs aider and reads its error and usage lines.
class AiderAgent : public CodingAgent {
 public:
  const char* name() const override { return "aider"; }
  AgentType BuiltinType() const override;
  AgentVerdict Interpret(const ProcessResult& result, std::string_view output) const override;
};

/// The usage in aider's "Tokens: ... Cost: ..." lines of `text`.
Usage AiderUsage(std::string_view text);

}  // namespace orchestra
