#include "gemini_agent.h"

#include <fmt/format.h>

#include "agent_output.h"

namespace orchestra {
namespace {

constexpr const char* kAuthHint =
    "check GEMINI_API_KEY in the agent's environment and that ~/.gemini/settings.json selects "
    "{\"security\": {\"auth\": {\"selectedType\": \"gemini-api-key\"}}}";

/// The last object Gemini printed as its result (with `response`, `stats` or
/// `error`), or null.
nlohmann::json FindResult(std::string_view output) {
  nlohmann::json found;
  for (nlohmann::json& object : JsonObjectsIn(AgentText(output))) {
    if (object.contains("response") || object.contains("stats") || object.contains("error")) found = std::move(object);
  }
  return found;
}

/// Tokens summed over `stats.models` (the main model and the small one that
/// routes); the model is the one that used the most. `input` is the prompt
/// without its cached part (older versions print only `prompt`, which
/// includes it); thoughts are billed as output.
Usage UsageOf(const nlohmann::json& result) {
  Usage usage;
  const auto stats = result.find("stats");
  if (stats == result.end() || !stats->is_object()) return usage;
  const auto models = stats->find("models");
  if (models == stats->end() || !models->is_object()) return usage;
  int64_t most = -1;
  for (const auto& [model, figures] : models->items()) {
    const auto tokens = figures.find("tokens");
    if (tokens == figures.end() || !tokens->is_object()) continue;
    if (JsonCount(*tokens, "total") > most) {
      most = JsonCount(*tokens, "total");
      usage.model = model;
    }
    const int64_t cached = JsonCount(*tokens, "cached");
    const int64_t input = tokens->contains("input") ? JsonCount(*tokens, "input")
                                                    : JsonCount(*tokens, "prompt") - cached;
    usage.input_tokens += input > 0 ? input : 0;
    usage.cache_read_tokens += cached;
    usage.output_tokens += JsonCount(*tokens, "candidates") + JsonCount(*tokens, "thoughts");
  }
  return usage;
}

/// The meaning of Gemini's documented exit codes; false for the others.
bool ClassifyExitCode(int exit_code, const std::string& detail, AgentVerdict* verdict) {
  switch (exit_code) {
    case 41:
    case 145:  // 401 modulo 256
    case 147:  // 403 modulo 256
      verdict->outcome = AgentOutcome::kFatal;
      verdict->reason = fmt::format("gemini could not authenticate ({}): {}", detail, kAuthHint);
      return true;
    case 42:
    case 44:
    case 52:
      verdict->outcome = AgentOutcome::kFatal;
      verdict->reason = fmt::format("gemini refused its input or configuration ({}): check the type's argv and "
                                    "~/.gemini/settings.json",
                                    detail);
      return true;
    case 55:
      verdict->outcome = AgentOutcome::kFatal;
      verdict->reason = fmt::format("gemini does not trust the working folder ({}): set "
                                    "GEMINI_CLI_TRUST_WORKSPACE=true in the type's env or trust the folder",
                                    detail);
      return true;
    case 53:
      verdict->outcome = AgentOutcome::kFailed;
      verdict->reason = fmt::format("gemini stopped at its turn limit ({})", detail);
      return true;
    case 173:  // 429 modulo 256
      verdict->outcome = AgentOutcome::kRateLimited;
      verdict->reason = fmt::format("gemini was rate limited ({})", detail);
      return true;
    default:
      return false;
  }
}

/// Classifies Gemini's `error` object.
void ClassifyError(const nlohmann::json& error, int exit_code, AgentVerdict* verdict) {
  const int64_t code = JsonInteger(error, "code");
  const std::string message = JsonString(error, "message");
  const std::string type = JsonString(error, "type");
  const std::string detail = Excerpt(message.empty() ? type : message);
  if (code == 429 || ContainsNoCase(message, "RESOURCE_EXHAUSTED") || ContainsNoCase(message, "rate limit")) {
    verdict->outcome = AgentOutcome::kRateLimited;
    verdict->retry_after_seconds = RetryAfterSeconds(message);
    verdict->reason = "gemini was rate limited: " + detail;
  } else if (code == 401 || code == 403 || ContainsNoCase(type, "Authentication")) {
    ClassifyExitCode(41, detail, verdict);
  } else if (!ClassifyExitCode(exit_code, detail, verdict)) {
    verdict->outcome = AgentOutcome::kFailed;
    verdict->reason = code != 0 ? fmt::format("gemini reported an error: {} (HTTP {})", detail, code)
                                : "gemini reported an error: " + detail;
  }
}

}  // namespace

AgentType GeminiAgent::BuiltinType() const {
  return AgentType{.name = name(),
                   .kind = name(),
                   .argv = {"gemini", "--prompt={prompt}", "--output-format", "json", "--approval-mode", "yolo"}};
}

AgentVerdict GeminiAgent::Interpret(const ProcessResult& result, std::string_view output) const {
  const nlohmann::json found = FindResult(output);
  AgentVerdict verdict;
  if (!found.is_null()) {
    verdict.usage = UsageOf(found);
    verdict.session_id = JsonString(found, "session_id");
    const auto error = found.find("error");
    if (error != found.end() && error->is_object()) {
      ClassifyError(*error, result.exit_code, &verdict);
      return verdict;
    }
  }
  if (result.Succeeded()) {
    verdict.outcome = AgentOutcome::kSucceeded;
    return verdict;
  }
  const std::string detail = "agent " + result.Describe() + (found.is_null() ? ", no JSON result printed" : "");
  const bool exited = result.spawn_error.empty() && result.term_signal == 0 && !result.timed_out;
  if (!exited || !ClassifyExitCode(result.exit_code, detail, &verdict)) {
    verdict.outcome = AgentOutcome::kFailed;
    verdict.reason = detail;
  }
  return verdict;
}

}  // namespace orchestra
