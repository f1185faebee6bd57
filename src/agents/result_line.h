// Result lines: how any agent command (kind `command`) tells Orchestra more
// than its exit code. A line of its output starting with `orchestra-result: `
// followed by a JSON object gives the outcome, why, tokens and cost, a
// provider's retry time and the conversation's id; the last such line counts.
// A wrapper script around any model CLI can so report rate limits and cost.
// docs/agents.md documents the fields.
#pragma once

#include <string>
#include <string_view>

#include "agent_kind.h"

namespace orchestra {

/// The prefix of a result line.
inline constexpr std::string_view kResultLinePrefix = "orchestra-result: ";

/// Reads the last result line of `output` into `*verdict` (outcome, reason,
/// usage, retry_after_seconds, session_id). False when there is none; a line
/// that is not a JSON object, or names an unknown outcome, gives a failed
/// verdict whose reason says what is wrong with it.
bool ReadResultLine(std::string_view output, AgentVerdict* verdict);

}  // namespace orchestra
