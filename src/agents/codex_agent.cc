#include "codex_agent.h"

#include <fmt/format.h>

#include "agent_output.h"

namespace orchestra {
namespace {

/// The message of a turn.failed (`error.message`) or error (`message`) event.
std::string ErrorMessage(const nlohmann::json& event) {
  const auto error = event.find("error");
  if (error != event.end() && error->is_object()) return JsonString(*error, "message");
  return JsonString(event, "message");
}

/// Classifies Codex's error message.
void ClassifyError(const std::string& message, AgentVerdict* verdict) {
  const std::string detail = message.empty() ? "no message" : Excerpt(message);
  if (ContainsNoCase(message, "insufficient_quota") || ContainsNoCase(message, "quota exceeded") ||
      ContainsNoCase(message, "exceeded your current quota")) {
    verdict->outcome = AgentOutcome::kFatal;
    verdict->reason = "codex: the provider's quota is used up (" + detail + "): check the account's plan and billing";
  } else if (MentionsStatus(message, 429) || ContainsNoCase(message, "too many requests") ||
             ContainsNoCase(message, "rate limit")) {
    verdict->outcome = AgentOutcome::kRateLimited;
    verdict->retry_after_seconds = RetryAfterSeconds(message);
    verdict->reason = "codex was rate limited: " + detail;
  } else if (MentionsStatus(message, 401) || MentionsStatus(message, 403) || ContainsNoCase(message, "unauthorized") ||
             ContainsNoCase(message, "invalid api key") || ContainsNoCase(message, "incorrect api key")) {
    verdict->outcome = AgentOutcome::kFatal;
    verdict->reason = "codex could not authenticate (" + detail +
                      "): check OPENAI_API_KEY (or the provider's env_key) in the agent's environment";
  } else {
    verdict->outcome = AgentOutcome::kFailed;
    verdict->reason = "codex turn failed: " + detail;
  }
}

/// The token usage of a turn.completed event. Codex's input_tokens include the
/// cached ones; Usage counts them apart.
Usage TurnUsage(const nlohmann::json& event) {
  Usage usage;
  const auto tokens = event.find("usage");
  if (tokens == event.end() || !tokens->is_object()) return usage;
  const int64_t input = JsonCount(*tokens, "input_tokens");
  usage.cache_read_tokens = JsonCount(*tokens, "cached_input_tokens");
  usage.input_tokens = input > usage.cache_read_tokens ? input - usage.cache_read_tokens : 0;
  usage.output_tokens = JsonCount(*tokens, "output_tokens");
  usage.turns = 1;
  return usage;
}

}  // namespace

AgentType CodexAgent::BuiltinType() const {
  return AgentType{.name = name(),
                   .kind = name(),
                   .argv = {"codex", "exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check",
                            "--", "{prompt}"}};
}

AgentVerdict CodexAgent::Interpret(const ProcessResult& result, std::string_view output) const {
  AgentVerdict verdict;
  const nlohmann::json* turn_end = nullptr;  // the last turn.completed or turn.failed
  const nlohmann::json* last_error = nullptr;
  const std::vector<nlohmann::json> events = JsonObjectsIn(AgentText(output));
  for (const nlohmann::json& event : events) {
    const std::string type = JsonString(event, "type");
    if (type == "thread.started" && verdict.session_id.empty()) verdict.session_id = JsonString(event, "thread_id");
    if (type == "turn.completed") verdict.usage.Add(TurnUsage(event));
    if (type == "turn.completed" || type == "turn.failed") turn_end = &event;
    if (type == "error") last_error = &event;
  }
  if (turn_end != nullptr && JsonString(*turn_end, "type") == "turn.completed") {
    verdict.outcome = AgentOutcome::kSucceeded;
  } else if (turn_end != nullptr || last_error != nullptr) {
    // A failed turn's own message, else the error event before it ("stream error: ... 429").
    std::string message = turn_end != nullptr ? ErrorMessage(*turn_end) : "";
    if (last_error != nullptr) {
      const std::string error_message = ErrorMessage(*last_error);
      if (message.empty()) {
        message = error_message;
      } else if (!error_message.empty() && message.find(error_message) == std::string::npos) {
        message += "; " + error_message;
      }
    }
    ClassifyError(message, &verdict);
  } else {
    const std::string session_id = verdict.session_id;
    verdict = InterpretExitCode(result);
    verdict.session_id = session_id;
    if (!verdict.succeeded()) verdict.reason += " (codex printed no turn.completed or turn.failed event)";
  }
  return verdict;
}

}  // namespace orchestra
