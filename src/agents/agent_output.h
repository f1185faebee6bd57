// Reading what a coding agent printed: its attempt log holds the agent's
// stdout and stderr interleaved, with the orchestrator's own lines among them.
// The adapters (claude, codex, gemini, aider) find their JSON results, error
// texts, token counts and retry-after hints here. Nothing here throws, whatever
// the text: garbage, truncated output and pretty-printed JSON are all expected.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchestra {

/// `output` without the orchestrator's lines (those starting with "orchestra: ").
std::string AgentText(std::string_view output);

/// The top-level JSON objects in `text`, in order: each '{' that opens a
/// complete, valid object (one line or many); text around and between them,
/// and objects that never close, are skipped.
std::vector<nlohmann::json> JsonObjectsIn(std::string_view text);

/// `object[key]` when it is a string, else "".
std::string JsonString(const nlohmann::json& object, const char* key);
/// `object[key]` when it is a number (or a string holding an integer), else 0.
int64_t JsonInteger(const nlohmann::json& object, const char* key);
/// `object[key]` as a count of tokens (or turns): JsonInteger when it lies in
/// [0, kMaxTokenCount], else 0, so differences and sums of counts never
/// overflow (a negative cached count overflowed codex's `input - cached`:
/// found by fuzz/agent_output_fuzz).
int64_t JsonCount(const nlohmann::json& object, const char* key);

/// True when `text` contains `needle`, ignoring ASCII case.
bool ContainsNoCase(std::string_view text, std::string_view needle);

/// True when `text` holds the HTTP status `code` as a number of its own
/// ("status 429", "429 Too Many Requests"; not "14290").
bool MentionsStatus(std::string_view text, int code);

/// The wait a rate-limit message asks for, in seconds: "retry after 30s",
/// "Retry-After: 30", "try again in 1.5m", "Please retry in 41.2s",
/// "retryDelay": "41s". A number without a unit is seconds.
std::optional<double> RetryAfterSeconds(std::string_view text);

/// The largest token count believed (a trillion): larger figures are garbage,
/// and a sum of millions of them still fits an int64.
inline constexpr double kMaxTokenCount = 1e12;

/// A token count as CLIs print it: "345", "1.2k", "15k", "1.5M"; none above
/// kMaxTokenCount.
std::optional<int64_t> ParseTokenCount(std::string_view text);

/// `text` on one line, cut to `limit` bytes (never inside a character) with
/// "..." when longer, bytes that are not UTF-8 as '?': for reasons that quote
/// an agent's error, which end up in JSON.
std::string Excerpt(std::string_view text, size_t limit = 300);

}  // namespace orchestra
