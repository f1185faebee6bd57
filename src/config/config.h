// The project configuration, read from `orchestra.toml` (optional; every field
// has a default). docs/config.md documents the format.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent_kind.h"
#include "diagnostic.h"

namespace orchestra {

/// One agent slot of the pool: an id, its type, and optionally the track it is
/// bound to (a tracked agent takes its track's work and untracked work).
struct AgentConfig {
  std::string id;
  std::string type;
  std::string track;
  int line = 0;  // position in the config file, for diagnostics
};

/// A `[tracks]` entry as written: the names still need matching against ids.
struct TrackEntry {
  std::string track;
  std::vector<std::string> names;
  int line = 0;
  int column = 0;
};

/// A `[[routes]]` entry: the workstreams it names run with its agent type on
/// whichever agent takes them. `workstreams` holds short ids (as in [tracks])
/// or globs with * and ?; the type is a named one, or a command-kind type made
/// from the route's own argv.
struct Route {
  std::vector<std::string> workstreams;
  std::string agent_type;  // the named type; empty for an argv route
  AgentType argv_type;     // an argv route's type (kind command), named "argv:PROGRAM"
  int line = 0;
  int column = 0;

  /// ["ws-0*", "auth-api"]: the patterns as written, for messages.
  std::string Patterns() const;
};

/// Config is everything `orchestra.toml` can say, with defaults filled in.
/// Paths are stored as written; `ProjectPath` makes them absolute.
struct Config {
  std::string file;         // the config file read, empty when none
  /// False when `file` could not be read or parsed as TOML: every setting is
  /// then a default, and its agents are unknown rather than absent.
  bool file_parsed = true;
  std::string config_dir;   // folder of the config file (absolute)
  std::string project_dir;  // folder orchestra runs in (absolute)

  std::string workstreams_dir = "workstreams";
  std::string state_path = ".state/orchestration.db";
  std::string logs_dir = "logs";
  std::string reports_dir = "reports";

  int max_attempts = 3;
  double timeout_seconds = 30 * 60;
  double backoff_seconds = 5;
  double estimate_hours = 2;
  double kill_grace_seconds = 10;
  double acceptance_timeout_seconds = 10 * 60;
  double state_lock_timeout_seconds = 30 * 60;  // how long a run waits for another process's write lock
  bool honor_tool = false;
  /// [defaults] budget_usd: once attempts have cost this much, nothing new starts.
  std::optional<double> budget_usd;
  /// [defaults] stall_timeout: overrides every kind's default (a type's own wins); 0: never.
  std::optional<double> stall_timeout_seconds;
  /// [defaults] max_log_size: the most output of one process an attempt log
  /// keeps (its head and tail, the cut marked); 0: everything.
  int64_t max_log_bytes = int64_t{50} << 20;
  /// [secrets] redact: variables whose values are redacted besides those
  /// named like secrets (*_KEY, *_TOKEN, *_SECRET, *PASSWORD*).
  std::vector<std::string> redact_variables;
  std::string default_agent_type = "sim";
  double planner_budget_seconds = 0.2;  // [planner] budget: schedule search time
  /// [state] durability: "power" (a commit survives a power cut) or "process"
  /// (it survives a crash of Orchestra, not of the machine); docs/state.md.
  /// The older spellings "full" and "normal" are read as these two.
  std::string state_durability = "power";
  /// [state] url, or --state with a URL: the PostgreSQL server holding the
  /// state instead of the SQLite file at `state_path` (docs/state.md).
  std::string state_url;
  /// Where state_url came from, for messages: "--state" or "[state] url in FILE".
  std::string state_url_origin;

  // Isolation and merge-back (docs/config.md, "Isolation").
  std::string isolation = "auto";  // "worktree", "none"; "auto" until LoadProjectConfig resolves it
  std::string integration_branch = "orchestra/integration";
  std::string merge_strategy = "merge";  // or "rebase"
  bool verify_after_merge = false;
  /// Workers on several hosts: the git repository their clones share
  /// branches and the integration branch through (a remote name such as
  /// "origin", a path or a URL); empty: none.
  std::string remote;
  std::string scope_policy = "warn";  // or "fail"
  std::optional<bool> serialize_overlapping_scopes;  // unset: when isolation is worktree

  /// True when each attempt runs in its own git worktree.
  bool UsesWorktrees() const { return isolation == "worktree"; }
  /// True when workstreams with overlapping file scopes must not run together.
  bool SerializesOverlappingScopes() const {
    return serialize_overlapping_scopes.value_or(UsesWorktrees());
  }

  // Built-ins merged with the file's; a Config made without any file (the
  // `--agents N` quick start) still knows the built-in types.
  std::map<std::string, AgentType> agent_types = BuiltinAgentTypes();
  std::vector<AgentConfig> agents;
  std::vector<TrackEntry> tracks;
  std::vector<Route> routes;  // in the file's order: the first match wins

  /// Seconds without output after which an attempt of `type` is stalled; 0: never.
  double StallTimeoutOf(const AgentType& type) const;

  /// The type of `agent`, or null when it names an unknown one.
  const AgentType* TypeOf(const AgentConfig& agent) const;
  /// The type `route` runs: its argv type or the named one (null when unknown).
  const AgentType* TypeOf(const Route& route) const;
  /// The kind of `agent`'s type, or null when the type or its kind is unknown.
  const AgentKind* KindOf(const AgentConfig& agent) const;

  /// Absolute path for a project-relative path (absolute paths pass through).
  std::string ProjectPath(const std::string& path) const;
};

/// Reads `path` (TOML) into `config`, starting from the defaults. Problems go to
/// `diagnostics` with file:line:column; returns false if any is an error.
bool LoadConfig(const std::string& path, Config* config, Diagnostics* diagnostics);

/// Replaces the configured agents with `count` untracked agents of the default
/// type, named agent-1..agent-N (the `--agents N` quick start).
void UseAnonymousAgents(int count, Config* config);

}  // namespace orchestra
