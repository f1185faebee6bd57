// The workstream model: one unit of work for one agent, as loaded from a
// `workstreams/*.json` file (docs/workstream-format.md documents every field).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace orchestra {

/// Where a workstream's hour estimate came from (`plan` reports the defaults).
enum class EstimateSource { kField, kMetadataHours, kMetadataRange, kDefault };

/// Workstream is one node of the plan: what to do, what it needs first, and the
/// constraints on who runs it and how. Fields left unset by the file stay
/// empty/nullopt here; `ResolvedWorkstream` applies the config's defaults.
struct Workstream {
  std::string id;
  std::string file;  // the file it was loaded from, as given to the loader
  int line = 0;      // position of the workstream object in `file`
  int column = 0;

  std::string title;
  std::string prompt;  // explicit prompt; empty means "build it from the fields"
  std::vector<std::string> tasks;
  std::vector<std::string> files_scope;
  std::vector<std::string> files_create;
  std::vector<std::string> acceptance_tests;
  std::vector<std::string> depends_on;  // deduplicated, in file order
  std::string track;       // `track` field; empty when untracked by the file
  std::string agent_type;  // `agent` field: only agents of this type may run it
  std::string tool;        // upstream `tool`; restricts only with honor_tool

  std::optional<double> estimate_hours;  // from estimate_hours or metadata
  EstimateSource estimate_source = EstimateSource::kDefault;
  std::optional<double> timeout_seconds;
  std::optional<int> max_attempts;  // max_attempts or circuit_breaker.max_attempts
  std::optional<double> max_cost_usd;  // the most its attempts together should cost (USD)
  int priority = 0;                 // higher runs first
  bool allow_empty = false;         // may succeed without changing a file (worktree isolation)

  /// The whole object as JSON text, unknown fields included: the file's own
  /// text of it when it loaded cleanly, else the parsed object printed again.
  /// Kept as text because nothing reads it on the way to a plan or a run: a
  /// parsed document per workstream was most of the loader's time and memory.
  std::string raw_json;

  /// `raw_json` parsed: the object as written.
  nlohmann::json Raw() const;
};

/// Parses "45m", "30s", "2h", "1h30m", "1.5h", "500ms" or "90" (seconds) into
/// seconds: unsigned decimals with units h, m, s, ms, largest first, each at
/// most once. Returns false on anything else (negatives, empty text, junk).
bool ParseDuration(const std::string& text, double* seconds);

/// Formats seconds as a short human duration: "0.4s" (a tenth below ten
/// seconds), "42s", "3m05s", "1h02m" (hours drop the seconds).
std::string FormatDuration(double seconds);

/// The longest id, in bytes. The id names the branch orchestra/<id>, and git
/// writes the branch through a lock file <id>.lock, which must fit in a file
/// name (255 bytes); a longer id would load and then fail every attempt.
constexpr size_t kMaxWorkstreamIdBytes = 250;

/// True when `id` can name a file and a git branch: [A-Za-z0-9._-]+, at most
/// kMaxWorkstreamIdBytes long, not starting with '.' or '-', not ending with
/// '.' or ".lock", without "..".
bool IsValidWorkstreamId(const std::string& id);

/// Maps the upstream priority words (any case) to an integer: critical 3, high 2,
/// medium 1, normal and foreground 0, low -1, background -2; and the levels
/// "P0".."P3", alone or labelled ("P0-CRITICAL"), to 3..0. Returns false if unknown.
bool PriorityFromWord(const std::string& word, int* priority);

/// True when an acceptance_tests entry reads as prose ("Verify the docs ...")
/// rather than a shell command; such entries go into the prompt but are not run.
/// Prose: at least three words, the first capitalised, purely alphabetic and not
/// an executable on $PATH.
bool LooksLikeProse(const std::string& acceptance_test);

}  // namespace orchestra
