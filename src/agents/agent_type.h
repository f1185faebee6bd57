// Agent types: the `[agent_types.NAME]` tables of orchestra.toml as data. A
// type names its kind (agent_kind.h), which decides how the type's fields turn
// into a process.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "usage.h"

namespace orchestra {

/// AgentType says how to start an agent process: a `kind` and, for kinds that
/// take one, the argv template with {placeholders}.
struct AgentType {
  std::string name;
  std::string kind;               // a registered AgentKind's name
  std::vector<std::string> argv;  // template; program resolved against the config dir
  std::map<std::string, std::string> env;  // extra environment for the agent
  int line = 0;  // where [agent_types.NAME] is in the config file; 0 when only built in

  // Any kind: limits on how this type is dispatched, and its price table.
  int max_concurrent = 0;          // attempts of this type running at once; 0: as many as agents
  double requests_per_minute = 0;  // attempts of this type started per minute; 0: no limit
  std::optional<double> stall_timeout_seconds;  // no output this long: stalled; unset: the kind's default
  Price price;  // USD per million tokens, for the cost of agents that report tokens but no cost

  // Coding-agent kinds (claude, codex, gemini, aider); empty/0: the CLI's own default.
  std::string model;
  int max_turns = 0;
  std::vector<std::string> allowed_tools;  // claude only

  // `sim` only: seconds slept = estimate_hours * time_scale.
  double time_scale = 0.05;
  std::vector<std::string> fail_ids;  // these workstreams fail...
  int fail_attempts = 0;              // ...on their first N attempts (0 = always)
  double fail_probability = 0.0;      // each attempt fails with this probability,
  uint64_t seed = 0;                  // decided by a hash of (seed, id, attempt)
};

}  // namespace orchestra
