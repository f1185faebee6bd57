#include "result_line.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "agent_output.h"

namespace orchestra {
namespace {

using nlohmann::json;

/// The last line of `output` that starts with the prefix, without it; npos when none.
std::string_view LastResultLine(std::string_view output) {
  size_t end = output.size();
  while (end > 0) {
    const size_t newline = output.rfind('\n', end - 1);
    const size_t begin = newline == std::string_view::npos ? 0 : newline + 1;
    const std::string_view line = output.substr(begin, end - begin);
    if (line.substr(0, kResultLinePrefix.size()) == kResultLinePrefix) return line.substr(kResultLinePrefix.size());
    if (newline == std::string_view::npos) break;
    end = newline;
  }
  return {};
}

bool ParseOutcome(const std::string& name, AgentOutcome* outcome) {
  for (AgentOutcome candidate : {AgentOutcome::kSucceeded, AgentOutcome::kFailed, AgentOutcome::kRateLimited,
                                 AgentOutcome::kFatal, AgentOutcome::kStalled}) {
    if (name == AgentOutcomeName(candidate)) {
      *outcome = candidate;
      return true;
    }
  }
  return false;
}

template <typename T>
void Read(const json& object, const char* key, T* out) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return;
  if constexpr (std::is_same_v<T, std::string>) {
    if (found->is_string()) *out = found->get<std::string>();
  } else {
    if (found->is_number()) *out = found->get<T>();
  }
}

}  // namespace

bool ReadResultLine(std::string_view output, AgentVerdict* verdict) {
  const std::string_view line = LastResultLine(output);
  if (line.data() == nullptr) return false;
  const json object = json::parse(line, nullptr, false);
  if (!object.is_object()) {
    verdict->outcome = AgentOutcome::kFailed;
    verdict->reason = "the agent's orchestra-result line is not a JSON object";
    return true;
  }
  std::string outcome = "succeeded";
  Read(object, "outcome", &outcome);
  if (!ParseOutcome(outcome, &verdict->outcome) || verdict->outcome == AgentOutcome::kStalled) {
    verdict->outcome = AgentOutcome::kFailed;
    verdict->reason = "the agent's orchestra-result line has an unknown outcome \"" + outcome +
                      "\" (one of succeeded, failed, rate_limited, fatal)";
    return true;
  }
  Read(object, "reason", &verdict->reason);
  if (verdict->reason.empty() && !verdict->succeeded()) verdict->reason = "agent reported " + outcome;
  double retry_after = -1;
  Read(object, "retry_after_seconds", &retry_after);
  if (retry_after >= 0) verdict->retry_after_seconds = retry_after;
  Read(object, "session_id", &verdict->session_id);
  const auto usage = object.find("usage");
  if (usage != object.end() && usage->is_object()) {
    Usage& out = verdict->usage;
    // Counts go through JsonCount: a float beyond int64 in get<int64_t>()
    // is undefined, and a negative or absurd count would poison the sums.
    out.input_tokens = JsonCount(*usage, "input_tokens");
    out.output_tokens = JsonCount(*usage, "output_tokens");
    out.cache_read_tokens = JsonCount(*usage, "cache_read_tokens");
    out.cache_write_tokens = JsonCount(*usage, "cache_write_tokens");
    double cost = -1;
    Read(*usage, "cost_usd", &cost);
    if (cost >= 0) out.cost_usd = cost;
    Read(*usage, "model", &out.model);
    if (usage->contains("turns")) out.turns = static_cast<int>(std::min<int64_t>(JsonCount(*usage, "turns"), 1'000'000));
  }
  return true;
}

}  // namespace orchestra
