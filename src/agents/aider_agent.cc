#include "aider_agent.h"

#include <cctype>
#include <cstdlib>
#include <optional>

#include "agent_output.h"

namespace orchestra {
namespace {

/// The lines of `text`, without their line ends.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

/// The count printed just before `label` in a "Tokens:" line ("1.2k sent"), or 0.
int64_t CountBefore(std::string_view line, std::string_view label) {
  const size_t at = line.find(label);  // the label starts with the space after the count
  if (at == std::string_view::npos) return 0;
  size_t start = at;
  while (start > 0 && line[start - 1] != ' ') --start;
  return ParseTokenCount(line.substr(start, at - start)).value_or(0);
}

/// The dollar figure just before `label` in a "Cost:" line ("$0.05 session"), if any.
std::optional<double> DollarsBefore(std::string_view line, std::string_view label) {
  const size_t at = line.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t dollar = line.rfind('$', at);
  if (dollar == std::string_view::npos) return std::nullopt;
  return std::strtod(std::string(line.substr(dollar + 1, at - dollar - 1)).c_str(), nullptr);
}

/// True for a line reporting one of aider's answers.
bool IsUsageLine(std::string_view line) { return line.find("Tokens: ") != std::string_view::npos; }

/// The litellm exception a line names ("litellm.RateLimitError: ..."), or "".
std::string_view LitellmError(std::string_view line) {
  const size_t at = line.find("litellm.");
  if (at == std::string_view::npos) return {};
  size_t end = at + 8;
  while (end < line.size() && std::isalnum(static_cast<unsigned char>(line[end]))) ++end;
  const std::string_view name = line.substr(at + 8, end - at - 8);
  if (name.size() < 5 || (name.substr(name.size() - 5) != "Error" && name != "Timeout")) return {};
  return name;
}

/// Classifies aider's error line `line`, naming exception `error`.
AgentVerdict ClassifyError(std::string_view line, std::string_view error) {
  AgentVerdict verdict;
  const std::string detail = Excerpt(line);
  if (ContainsNoCase(line, "insufficient_quota") || ContainsNoCase(line, "exceeded your current quota")) {
    verdict.outcome = AgentOutcome::kFatal;
    verdict.reason = "aider: the provider's quota is used up (" + detail + "): check the account's plan and billing";
  } else if (error == "RateLimitError") {
    verdict.outcome = AgentOutcome::kRateLimited;
    verdict.retry_after_seconds = RetryAfterSeconds(line);
    verdict.reason = "aider was rate limited: " + detail;
  } else if (error == "AuthenticationError" || error == "PermissionDeniedError") {
    verdict.outcome = AgentOutcome::kFatal;
    verdict.reason = "aider could not authenticate (" + detail +
                     "): check the provider's API key (ANTHROPIC_API_KEY, OPENAI_API_KEY...) in the type's "
                     "environment";
  } else if (error == "NotFoundError") {
    verdict.outcome = AgentOutcome::kFatal;
    verdict.reason = "aider's model was not found (" + detail + "): check the type's model";
  } else {
    verdict.reason = "aider failed: " + detail;
  }
  return verdict;
}

}  // namespace

AgentType AiderAgent::BuiltinType() const {
  return AgentType{.name = name(),
                   .kind = name(),
                   .argv = {"aider", "--message-file", "{prompt_file}", "--yes-always", "--no-auto-commits",
                            "--no-stream", "--no-pretty", "--", "{files}"}};
}

Usage AiderUsage(std::string_view text) {
  Usage usage;
  for (const std::string_view line : Lines(text)) {
    if (!IsUsageLine(line)) continue;
    const int64_t cache_write = CountBefore(line, " cache write");
    const int64_t sent = CountBefore(line, " sent");
    usage.input_tokens += sent > cache_write ? sent - cache_write : 0;
    usage.cache_write_tokens += cache_write;
    usage.cache_read_tokens += CountBefore(line, " cache hit") + CountBefore(line, " cache read");
    usage.output_tokens += CountBefore(line, " received");
    ++usage.turns;
    if (const std::optional<double> session = DollarsBefore(line, " session")) usage.cost_usd = session;
  }
  return usage;
}

AgentVerdict AiderAgent::Interpret(const ProcessResult& result, std::string_view output) const {
  const std::string text = AgentText(output);
  // The last error that no answer followed.
  std::string_view error_line;
  std::string_view error;
  for (const std::string_view line : Lines(text)) {
    if (IsUsageLine(line)) {
      error_line = error = {};
    } else if (const std::string_view name = LitellmError(line); !name.empty()) {
      error_line = line;
      error = name;
    } else if (ContainsNoCase(line, "insufficient_quota")) {
      error_line = line;
      error = "RateLimitError";
    }
  }
  AgentVerdict verdict = error.empty() ? InterpretExitCode(result) : ClassifyError(error_line, error);
  verdict.usage = AiderUsage(text);
  return verdict;
}

}  // namespace orchestra
