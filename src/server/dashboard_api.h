// The dashboard's JSON API (docs/dashboard.md): pure functions from the
// project and a snapshot of the state to the JSON each endpoint returns. The
// server (dashboard_server.h) does the reading; nothing here touches a file,
// a process or the database.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "planner.h"
#include "project.h"
#include "report.h"

namespace orchestra {

/// GET /api/status: {"run", "totals" (by status), "workstreams" (how many),
/// "elapsed_seconds", "eta_seconds", "usage", "budget_usd", "pauses"}. The
/// run is the newest one; elapsed and the ETA are RunElapsedSeconds and
/// EtaSeconds (report_model.h), the pauses RunPauses as RunPauseJson (they
/// need the snapshot's log).
nlohmann::json StatusApiJson(const Project& project, const StateSnapshot& snapshot);

/// GET /api/workstreams: every workstream of the project in id order:
/// {"id", "title", "status", "track", "agent", "type", "attempts",
/// "duration_seconds", "cost_usd", "reason", "estimate_hours"}.
nlohmann::json WorkstreamsApiJson(const Project& project, const StateSnapshot& snapshot);

/// The attempt whose changes /api/workstreams/<id> shows as a diff: the
/// latest of `id` with a recorded head commit (worktree isolation), or null.
const AttemptRecord* AttemptWithChanges(const StateSnapshot& snapshot, const std::string& id);

/// The latest attempt of `id`, or null before its first.
const AttemptRecord* LatestAttempt(const StateSnapshot& snapshot, const std::string& id);

/// GET /api/workstreams/<id> for the project's workstream `node`: its row of
/// WorkstreamsApiJson and "prompt", "tasks", "files_scope", "files_create",
/// "acceptance_tests", "depends_on" and "dependents" ([{"id", "status"}]),
/// "attempts" (each with outcome, exit, signal, duration, usage, commits,
/// error) and "diff" ({"attempt", "base", "head", "text"} or null; `diff` is
/// `git diff base head` of AttemptWithChanges, run by the caller).
nlohmann::json WorkstreamApiJson(const Project& project, const StateSnapshot& snapshot, int node,
                                 const std::string& diff);

/// GET /api/lanes: {"actual": chart, "planned": chart}, the attempts per agent
/// (GanttFromAttempts) and the plan's bars (GanttFromPlan); a chart is
/// {"unit", "lanes": [{"agent", "caption", "bars": [{"workstream", "start",
/// "end", "track", "critical", "state", "note"}]}]}.
nlohmann::json LanesApiJson(const Project& project, const StateSnapshot& snapshot, const Plan& plan);

/// One execution_log row: {"id", "timestamp", "workstream", "agent", "event", "message"}.
nlohmann::json LogEntryJson(const LogEntry& entry);

/// The DAG for /api/graph.svg: DotText with each node filled by its status.
std::string GraphDot(const Project& project, const StateSnapshot& snapshot, const Plan& plan);

}  // namespace orchestra
