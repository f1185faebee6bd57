#include "claude_agent.h"

#include <fmt/format.h>

#include "agent_output.h"

namespace orchestra {
namespace {

constexpr const char* kKeyHint =
    "check ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in the agent's environment and the account's credit";

/// The last `{"type": "result"}` object Claude Code printed (json: the only
/// object; stream-json: the last line), or null.
nlohmann::json FindResult(std::string_view output) {
  nlohmann::json found;
  for (nlohmann::json& object : JsonObjectsIn(AgentText(output))) {
    if (JsonString(object, "type") == "result") found = std::move(object);
  }
  return found;
}

/// Tokens, cost, turns and model of a result object.
Usage UsageOf(const nlohmann::json& result) {
  Usage usage;
  const auto tokens = result.find("usage");
  if (tokens != result.end() && tokens->is_object()) {
    usage.input_tokens = JsonCount(*tokens, "input_tokens");
    usage.output_tokens = JsonCount(*tokens, "output_tokens");
    usage.cache_read_tokens = JsonCount(*tokens, "cache_read_input_tokens");
    usage.cache_write_tokens = JsonCount(*tokens, "cache_creation_input_tokens");
  }
  const auto cost = result.find("total_cost_usd");
  if (cost != result.end() && cost->is_number()) usage.cost_usd = cost->get<double>();
  usage.turns = static_cast<int>(JsonInteger(result, "num_turns"));
  const auto models = result.find("modelUsage");
  if (models != result.end() && models->is_object() && !models->empty()) usage.model = models->begin().key();
  return usage;
}

/// The names of the tools Claude Code was refused, joined: "Write, Bash".
std::string DeniedTools(const nlohmann::json& result) {
  const auto denials = result.find("permission_denials");
  if (denials == result.end() || !denials->is_array() || denials->empty()) return "";
  std::vector<std::string> names;
  for (const nlohmann::json& denial : *denials) {
    const std::string tool = JsonString(denial, "tool_name");
    names.push_back(tool.empty() ? "a tool" : tool);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

/// Classifies a result with is_error set.
void ClassifyError(const nlohmann::json& result, AgentVerdict* verdict) {
  const int64_t status = JsonInteger(result, "api_error_status");
  const std::string text = JsonString(result, "result");
  const std::string subtype = JsonString(result, "subtype");
  const std::string detail = text.empty() ? subtype : Excerpt(text);
  if (status == 429 || status == 529 || ContainsNoCase(text, "rate limit") || ContainsNoCase(text, "rate_limit") ||
      ContainsNoCase(text, "overloaded")) {
    verdict->outcome = AgentOutcome::kRateLimited;
    verdict->retry_after_seconds = RetryAfterSeconds(text);
    verdict->reason = "claude was rate limited: " + detail;
  } else if (status == 401 || status == 403 || ContainsNoCase(text, "invalid api key") ||
             ContainsNoCase(text, "authentication") || ContainsNoCase(text, "credit balance")) {
    verdict->outcome = AgentOutcome::kFatal;
    verdict->reason = fmt::format("claude could not authenticate ({}): {}", detail, kKeyHint);
  } else if (subtype == "error_max_turns") {
    verdict->reason = "claude stopped: max_turns was reached before the work was done";
  } else {
    verdict->reason = "claude reported an error: " + detail;
  }
  if (status != 0 && verdict->outcome != AgentOutcome::kFatal) {
    verdict->reason += fmt::format(" (HTTP {})", status);
  }
}

}  // namespace

AgentType ClaudeAgent::BuiltinType() const {
  return AgentType{.name = name(),
                   .kind = name(),
                   .argv = {"claude", "-p", "--output-format", "stream-json", "--verbose", "--permission-mode",
                            "acceptEdits", "--", "{prompt}"}};
}

bool ClaudeAgent::OwnsKey(const std::string& key) const {
  return key == "model" || key == "max_turns" || key == "allowed_tools";
}

std::vector<std::string> ClaudeAgent::Options(const AgentType& type, const AttemptContext& context) const {
  std::vector<std::string> options = CodingAgent::Options(type, context);
  if (type.max_turns > 0) options.insert(options.end(), {"--max-turns", std::to_string(type.max_turns)});
  if (!type.allowed_tools.empty()) {
    options.insert(options.end(), {"--allowedTools", fmt::format("{}", fmt::join(type.allowed_tools, ","))});
  }
  if (!context.resume_session.empty()) options.insert(options.end(), {"--resume", context.resume_session});
  return options;
}

AgentVerdict ClaudeAgent::Interpret(const ProcessResult& result, std::string_view output) const {
  const nlohmann::json found = FindResult(output);
  if (found.is_null()) {
    AgentVerdict verdict = InterpretExitCode(result);
    if (verdict.succeeded()) return verdict;
    const std::string text = AgentText(output);
    const size_t missing = text.find("No conversation found");
    if (missing != std::string::npos) {
      verdict.reason = "claude could not resume the conversation (" + Excerpt(text.substr(missing), 120) +
                       "): a fresh start is needed";
    } else {
      verdict.reason += " (claude printed no result object)";
    }
    return verdict;
  }
  AgentVerdict verdict;
  verdict.usage = UsageOf(found);
  verdict.session_id = JsonString(found, "session_id");
  const auto is_error = found.find("is_error");
  const std::string subtype = JsonString(found, "subtype");
  const std::string denied = DeniedTools(found);
  if ((is_error != found.end() && is_error->is_boolean() && is_error->get<bool>()) ||
      subtype.rfind("error", 0) == 0) {
    ClassifyError(found, &verdict);
  } else if (!denied.empty()) {
    verdict.reason = "claude was denied permission to use " + denied +
                     ": allow it with allowed_tools or a --permission-mode in the type's argv";
  } else {
    verdict.outcome = AgentOutcome::kSucceeded;
  }
  return verdict;
}

}  // namespace orchestra
