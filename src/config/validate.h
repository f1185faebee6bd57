// Validation: checks the loaded workstreams against each other and against the
// config (ids, dependencies, cycles, tracks, agents), and resolves defaults.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "diagnostic.h"
#include "workstream.h"

namespace orchestra {

/// Validates `workstreams` and fills in what the config decides: `track` from
/// `[tracks]` (when the file sets none), `estimate_hours` (default when unset;
/// `estimate_source` says which), `timeout_seconds`, `max_attempts`. Reports every
/// problem in one pass: duplicate ids (both files named), invalid ids, unknown
/// dependencies (with the nearest id), self-dependencies, cycles (printed as
/// `a -> b -> a`), `[tracks]` names matching no or several ids, tracks or agent
/// types no agent can serve (when there are agents at all: see
/// CheckAgentsConfigured). Sorts `workstreams` by id. Returns false on errors.
/// `unloaded_ids` are workstreams dropped by the loader for an error: a
/// dependency on one is reported as such, not as unknown.
bool ValidateProject(const Config& config, std::vector<Workstream>* workstreams,
                     Diagnostics* diagnostics, const std::vector<std::string>& unloaded_ids = {});

/// Reports workstreams without any agent to run them: an error with `severity`
/// kError (for `run`, which cannot start), else a warning that `run` will need
/// agents. Returns false when it reported an error.
bool CheckAgentsConfigured(const Config& config, const std::vector<Workstream>& workstreams,
                           Severity severity, Diagnostics* diagnostics);

/// Reports, for every agent, what its type's kind finds wrong with the type
/// (unknown placeholders, a placeholder as the program...). A type without the
/// argv its kind needs is left to LoadConfig, which says so once. Returns false
/// if any is an error.
bool CheckAgentTypes(const Config& config, Diagnostics* diagnostics);

/// Resolves a `[tracks]` name: an exact id, else the unique id that starts with
/// `name + "-"`. On failure `candidates` holds the ids that matched (0 or >1).
bool MatchTrackName(const std::string& name, const std::vector<std::string>& ids,
                    std::string* match, std::vector<std::string>* candidates);

/// The id closest to `name` by edit distance (for "did you mean"), or "" when
/// nothing is reasonably close.
std::string NearestId(const std::string& name, const std::vector<std::string>& ids);

/// True when an agent may run the workstream: tracks match (an untracked
/// workstream fits any agent), the `agent` type matches, and with `honor_tool`
/// the upstream tool names the agent's type.
bool AgentCanRun(const Config& config, const AgentConfig& agent, const Workstream& workstream);

}  // namespace orchestra
