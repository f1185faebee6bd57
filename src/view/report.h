// The status table (`orchestra status`, the end of a run) and its JSON form,
// and the snapshot of the state every report is made from (`orchestra report`:
// report_model.h).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "state_store.h"

namespace orchestra {

/// Everything a report is made from: the stored state at one moment.
struct StateSnapshot {
  std::vector<WorkstreamRecord> workstreams;
  std::vector<AttemptRecord> attempts;
  std::vector<LogEntry> log;  // may be empty
  RunRecord run;
  bool has_run = false;
  double now = 0;
  std::optional<double> budget_usd;  // [defaults] budget_usd, when the caller read the config
};

/// Loads a snapshot from the store. `log_limit` entries of the log (0: none).
bool LoadSnapshot(StateStore* store, double now, int log_limit, StateSnapshot* snapshot,
                  std::string* error);

/// "run 2 completed (started ..., ended ...)"; "pausing" for a running run
/// asked to pause; "no run yet" without a run.
std::string RunLine(const StateSnapshot& snapshot);

/// LoadSnapshot with only what the status table and StatusJson read: every
/// workstream, the attempts by LoadAttemptUsage, the latest run, no log.
bool LoadStatusSnapshot(StateStore* store, double now, StateSnapshot* snapshot, std::string* error);

/// WorkstreamDurations answers how many seconds each workstream has taken:
/// its latest attempt's duration, or the time since it started while it
/// runs. Built once per snapshot (the latest attempt of each workstream found
/// in one pass) and asked per row: a search of every attempt per row made a
/// report or a dashboard answer quadratic in the size of the state.
class WorkstreamDurations {
 public:
  explicit WorkstreamDurations(const StateSnapshot& snapshot);
  double Seconds(const WorkstreamRecord& record) const;

 private:
  const StateSnapshot& snapshot_;
  std::unordered_map<std::string_view, double> latest_;  // views into snapshot_.attempts
};

/// Why a workstream failed or is blocked, in one line: the first line of its
/// error (not Orchestra's own `orchestra: argv:` notes nor the log tail after
/// it), cut at a character boundary to at most `max_bytes` bytes with "..."
/// when it was longer.
std::string Reason(const std::string& error, size_t max_bytes = 200);

/// The status table: one row per workstream (id, status, agent, attempt,
/// duration, track), then totals by status and the run's state. When a row
/// is failed or blocked a REASON column follows: Reason cut to the rest of a
/// `columns`-wide terminal (at least 30 bytes), or to 60 bytes when
/// `columns` is 0 (not a terminal). When any workstream's attempts reported a
/// cost, a COST column follows DURATION; when any attempt reported usage (or
/// `budget_usd` is set) a UsageSummaryLine precedes the run's line.
/// `types` (with [[routes]] only) adds a TYPE column after AGENT: the agent
/// type of each workstream id it lists, "-" for the others.
std::string RenderStatusTable(const StateSnapshot& snapshot, bool color, size_t columns = 0,
                              const std::map<std::string, std::string>* types = nullptr);

/// The same as JSON: {"run": {...}, "totals": {...}, "workstreams": [...]};
/// each workstream's "reason" is Reason (empty unless failed or blocked),
/// its "cost_usd" the sum of its attempts' costs (null when none is known) and
/// its "tokens" their sums; "usage" holds the totals ({"cost_usd", "tokens"}),
/// and "budget_usd" is there when set.
nlohmann::json StatusJson(const StateSnapshot& snapshot);


class JsonWriter;

/// StatusJson written straight to `out` without building the document, with
/// the same bytes as StatusJson(snapshot).dump(2) (100,000 workstreams: the
/// document would be most of `status --json`'s time). `types` (with
/// [[routes]] only) adds each row's "type": the agent type of the ids it
/// lists, "" for the others.
void WriteStatusJson(const StateSnapshot& snapshot, const std::map<std::string, std::string>* types,
                     JsonWriter* out);

/// Writes the Markdown execution report (totals, per-workstream table with
/// attempts and errors, every attempt with its outcome, agent type, tokens
/// and cost, a cost section when any usage is known (total, per agent type,
/// the ten costliest workstreams), failures with their log paths, the event
/// timeline).
bool WriteExecutionReport(const std::string& path, const StateSnapshot& snapshot,
                          double wall_seconds, std::string* error);

}  // namespace orchestra
