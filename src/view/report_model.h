// What `orchestra report` says about a run, gathered once from the project,
// a snapshot of the state and (optionally) the plan, and then written as HTML
// (report_html.h), Markdown (report_markdown.h) or JSON (RunReportJson). The
// dashboard shares its measures: elapsed time, ETA and the pauses of a run.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gantt.h"
#include "planner.h"
#include "project.h"
#include "report.h"
#include "usage_summary.h"

namespace orchestra {

/// RunPause is a stretch of a run in which some agents started nothing new,
/// read from execution_log: a rate limit pausing one agent type (the executor's
/// `rate_limited` message names the type and the pause), a fatal end stopping a
/// type for the rest of the run, the budget spent, or `orchestra pause`.
struct RunPause {
  std::string kind;        // "rate_limit", "agent_type_stopped", "budget_spent" or "pause_requested"
  std::string at;          // when it began (the event's timestamp)
  std::string agent_type;  // rate_limit: the type that waits ("" when the message did not say)
  std::string workstream;  // rate_limit: whose attempt was turned away
  std::optional<double> seconds;  // rate_limit: how long the type waits
  std::string until;              // rate_limit: `at` + `seconds`
  bool active = false;            // still holding agents back: the run is running and (rate limits) before `until`
  std::string message;            // the event's message
};

/// The pauses of the newest run (the log entries after its last
/// `run_started`), oldest first. Needs `snapshot.log`; none without it.
std::vector<RunPause> RunPauses(const StateSnapshot& snapshot);

/// Seconds from the newest run's start to its end, or to `snapshot.now` while
/// it runs; nothing without a run (or a readable start).
std::optional<double> RunElapsedSeconds(const StateSnapshot& snapshot);

/// While the newest run is running: the estimated hours still pending or
/// running, at the rate (estimated hours per second) at which this run has
/// completed workstreams so far. Nothing before it completed any, or once it
/// ended.
std::optional<double> EtaSeconds(const Project& project, const StateSnapshot& snapshot);

/// Each graph node's status in the state; pending when the state has no row.
std::vector<WorkstreamStatus> NodeStatuses(const Project& project, const StateSnapshot& snapshot);

/// One attempt as the report shows it.
struct ReportAttempt {
  int64_t id = 0;
  int number = 0;
  std::string agent;
  std::string agent_type;
  std::string started_at;
  std::string ended_at;
  AttemptOutcome outcome = AttemptOutcome::kRunning;
  std::optional<int> exit_code;
  std::optional<int> signal;
  double duration_seconds = 0;
  Usage usage;
  std::string error;
  std::string log_path;
};

/// One workstream as the report shows it: the project's view (title, track,
/// estimate, dependencies) with the state's (status, attempts, usage).
struct ReportWorkstream {
  std::string id;
  std::string title;
  std::string track;
  std::string agent;  // of its latest attempt
  WorkstreamStatus status = WorkstreamStatus::kPending;
  double estimate_hours = 0;
  double duration_seconds = 0;  // WorkstreamSeconds
  Usage usage;                  // its attempts' summed
  std::string reason;           // Reason of a failed or blocked one, else ""
  std::string error;            // the whole error message
  std::vector<std::string> depends_on;
  std::vector<ReportAttempt> attempts;
  /// Failed only: the last lines of its latest attempt's log (LogTail), and that log.
  std::string log_tail;
  std::string log_path;
};

/// RunReport is everything a report shows, computed once.
struct RunReport {
  std::string generated_at;  // FormatTimestamp(snapshot.now)
  bool has_run = false;
  RunRecord run;
  std::string run_line;  // "run 2 completed (started ..., ended ...)"
  std::map<WorkstreamStatus, int> totals;
  size_t attempt_count = 0;
  std::optional<double> elapsed_seconds;
  std::optional<double> eta_seconds;
  UsageTotals usage;
  std::optional<double> budget_usd;
  std::vector<RunPause> pauses;
  std::vector<ReportWorkstream> workstreams;  // the project's, in id order; then any only the state knows
  std::vector<std::string> critical_path;     // from the plan; empty without one
  std::optional<double> planned_hours;        // the plan's predicted finish
  GanttChart run_chart;                       // GanttFromAttempts: one bar per attempt
  std::optional<GanttChart> plan_chart;       // GanttFromPlan, with a plan
  std::vector<LogEntry> log;                  // the snapshot's, for the timeline
};

/// How much of each failed workstream's log a report quotes.
struct ReportOptions {
  int log_tail_lines = 20;
  size_t log_line_bytes = 400;
  /// Reads a log that is not on this host (an attempt of another host) from
  /// the state's copy (attempt_log_store.h); null: from the files only.
  StateStore* store = nullptr;
};

/// Gathers the report. `plan` (may be null) adds the critical path, the
/// predicted finish and the plan's chart; the log tails are read from the
/// attempts' log files (or their copies in `options.store`).
RunReport BuildRunReport(const Project& project, const StateSnapshot& snapshot, const Plan* plan,
                         const ReportOptions& options = {});

/// The report as JSON (docs/dashboard.md, "orchestra report"): {"generated_at",
/// "run", "totals", "workstream_count", "attempt_count", "elapsed_seconds",
/// "eta_seconds", "usage", "budget_usd", "pauses", "critical_path",
/// "planned_hours", "lanes", "workstreams", "failures"}.
nlohmann::json RunReportJson(const RunReport& report);

/// A pause as JSON: {"kind", "at", "agent_type", "workstream", "seconds", "until", "active", "message"}.
nlohmann::json RunPauseJson(const RunPause& pause);

/// Writes a report's text to `path`, creating its folder; false with
/// `*error` naming the file when it cannot.
bool WriteReportFile(const std::string& path, const std::string& text, std::string* error);

/// One line saying what a pause is: "rate limit: agents of type claude paused
/// 30s from 2026-12-01 18:20:05 (attempt 1 of ws-a)".
std::string DescribePause(const RunPause& pause);

}  // namespace orchestra
