#include "dashboard_api.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>

#include "clock.h"
#include "gantt.h"
#include "graph_export.h"
#include "prompt.h"
#include "report_model.h"
#include "usage_summary.h"

namespace orchestra {
namespace {

using nlohmann::json;

constexpr WorkstreamStatus kStatuses[] = {WorkstreamStatus::kPending, WorkstreamStatus::kRunning,
                                          WorkstreamStatus::kCompleted, WorkstreamStatus::kFailed,
                                          WorkstreamStatus::kBlocked};

/// SnapshotIndex finds a workstream's row, status, latest attempt and
/// duration in a snapshot, indexed once per answer: a search of every row
/// and attempt for each workstream made the dashboard's answers quadratic in
/// the size of the state (the status it polls, on 10,000 workstreams).
class SnapshotIndex {
 public:
  explicit SnapshotIndex(const StateSnapshot& snapshot) : durations_(snapshot) {
    records_.reserve(snapshot.workstreams.size());
    for (const WorkstreamRecord& record : snapshot.workstreams) records_.emplace(record.workstream_id, &record);
    latest_.reserve(snapshot.workstreams.size());
    for (const AttemptRecord& attempt : snapshot.attempts) latest_[attempt.workstream_id] = &attempt;  // id order
  }

  /// The recorded row of `id`, or null when the state has none yet (pending).
  const WorkstreamRecord* Record(const std::string& id) const {
    const auto found = records_.find(id);
    return found == records_.end() ? nullptr : found->second;
  }
  WorkstreamStatus Status(const std::string& id) const {
    const WorkstreamRecord* record = Record(id);
    return record ? record->status : WorkstreamStatus::kPending;
  }
  /// The latest attempt of `id`, or null.
  const AttemptRecord* Latest(const std::string& id) const {
    const auto found = latest_.find(id);
    return found == latest_.end() ? nullptr : found->second;
  }
  double Seconds(const WorkstreamRecord& record) const { return durations_.Seconds(record); }

 private:
  std::unordered_map<std::string_view, const WorkstreamRecord*> records_;  // the first row of each id
  std::unordered_map<std::string_view, const AttemptRecord*> latest_;
  WorkstreamDurations durations_;
};

double EstimateHours(const Project& project, int node) {
  return project.workstreams[node].estimate_hours.value_or(project.config.estimate_hours);
}

json OptionalInt(const std::optional<int>& value) { return value ? json(*value) : json(nullptr); }

/// The agent type of a workstream: its latest attempt's, else the one its
/// `agent` field asks for; "" when neither says.
std::string TypeOf(const Project& project, const SnapshotIndex& index, int node) {
  const AttemptRecord* latest = index.Latest(project.graph->id(node));
  if (latest && !latest->agent_type.empty()) return latest->agent_type;
  return project.workstreams[node].agent_type;
}

json Neighbours(const Project& project, const SnapshotIndex& index, const std::vector<int>& nodes) {
  json list = json::array();
  for (int node : nodes) {
    list.push_back({{"id", project.graph->id(node)}, {"status", StatusName(index.Status(project.graph->id(node)))}});
  }
  return list;
}

json AttemptJson(const AttemptRecord& attempt) {
  return {{"id", attempt.id},
          {"attempt", attempt.attempt},
          {"agent", attempt.agent_id},
          {"agent_type", attempt.agent_type},
          {"started_at", attempt.started_at},
          {"ended_at", attempt.ended_at},
          {"outcome", OutcomeName(attempt.outcome)},
          {"exit_code", OptionalInt(attempt.exit_code)},
          {"signal", OptionalInt(attempt.signal)},
          {"duration_seconds", attempt.duration_seconds},
          {"error", attempt.error_message},
          {"cost_usd", CostJson(attempt.usage)},
          {"tokens", TokensJson(attempt.usage)},
          {"base_commit", attempt.base_commit},
          {"head_commit", attempt.head_commit},
          {"merge_commit", attempt.merge_commit}};
}

}  // namespace

const AttemptRecord* LatestAttempt(const StateSnapshot& snapshot, const std::string& id) {
  const AttemptRecord* latest = nullptr;
  for (const AttemptRecord& attempt : snapshot.attempts) {
    if (attempt.workstream_id == id) latest = &attempt;  // attempts are in id order
  }
  return latest;
}

const AttemptRecord* AttemptWithChanges(const StateSnapshot& snapshot, const std::string& id) {
  const AttemptRecord* latest = nullptr;
  for (const AttemptRecord& attempt : snapshot.attempts) {
    if (attempt.workstream_id == id && !attempt.head_commit.empty() && !attempt.base_commit.empty()) {
      latest = &attempt;
    }
  }
  return latest;
}

json StatusApiJson(const Project& project, const StateSnapshot& snapshot) {
  std::map<WorkstreamStatus, int> counts;
  const SnapshotIndex index(snapshot);
  for (int node = 0; node < project.graph->size(); ++node) ++counts[index.Status(project.graph->id(node))];
  json totals = json::object();
  for (WorkstreamStatus status : kStatuses) totals[StatusName(status)] = counts[status];
  json status = {{"totals", totals}, {"workstreams", project.graph->size()}};
  status["run"] = nullptr;
  if (snapshot.has_run) {
    status["run"] = {{"id", snapshot.run.id},
                     {"state", RunStateName(snapshot.run.state)},
                     {"started_at", snapshot.run.started_at},
                     {"ended_at", snapshot.run.ended_at},
                     {"pause_requested", snapshot.run.pause_requested}};
  }
  const std::optional<double> elapsed = RunElapsedSeconds(snapshot);
  const std::optional<double> eta = EtaSeconds(project, snapshot);
  status["elapsed_seconds"] = elapsed ? json(*elapsed) : json(nullptr);
  status["eta_seconds"] = eta ? json(*eta) : json(nullptr);
  const UsageTotals usage = SumUsage(snapshot.attempts);
  status["usage"] = {{"cost_usd", CostJson(usage.total)}, {"tokens", TokensJson(usage.total)}};
  status["budget_usd"] = project.config.budget_usd ? json(*project.config.budget_usd) : json(nullptr);
  status["pauses"] = json::array();
  for (const RunPause& pause : RunPauses(snapshot)) status["pauses"].push_back(RunPauseJson(pause));
  return status;
}

json WorkstreamsApiJson(const Project& project, const StateSnapshot& snapshot) {
  const UsageTotals usage = SumUsage(snapshot.attempts);
  const SnapshotIndex index(snapshot);
  json list = json::array();
  for (int node = 0; node < project.graph->size(); ++node) {
    const Workstream& workstream = project.workstreams[node];
    const WorkstreamRecord* record = index.Record(workstream.id);
    const auto spent = usage.by_workstream.find(workstream.id);
    list.push_back(
        {{"id", workstream.id},
         {"title", workstream.title},
         {"status", StatusName(record ? record->status : WorkstreamStatus::kPending)},
         {"track", record && !record->track.empty() ? record->track : workstream.track},
         {"agent", record ? record->agent_id : ""},
         {"type", TypeOf(project, index, node)},
         {"attempts", record ? record->attempt : 0},
         {"duration_seconds", record ? index.Seconds(*record) : 0.0},
         {"cost_usd", CostJson(spent == usage.by_workstream.end() ? Usage() : spent->second)},
         {"reason", record && (record->status == WorkstreamStatus::kFailed ||
                               record->status == WorkstreamStatus::kBlocked)
                        ? Reason(record->error_message)
                        : ""},
         {"estimate_hours", EstimateHours(project, node)}});
  }
  return list;
}

json WorkstreamApiJson(const Project& project, const StateSnapshot& snapshot, int node, const std::string& diff) {
  const Workstream& workstream = project.workstreams[node];
  json detail = WorkstreamsApiJson(project, snapshot)[node];
  const SnapshotIndex index(snapshot);
  const WorkstreamRecord* record = index.Record(workstream.id);
  detail["error"] = record ? record->error_message : "";
  detail["prompt"] = BuildPrompt(workstream, "");
  detail["tasks"] = workstream.tasks;
  detail["files_scope"] = workstream.files_scope;
  detail["files_create"] = workstream.files_create;
  detail["acceptance_tests"] = workstream.acceptance_tests;
  detail["depends_on"] = Neighbours(project, index, project.graph->dependencies(node));
  detail["dependents"] = Neighbours(project, index, project.graph->dependents(node));
  detail["attempts"] = json::array();
  for (const AttemptRecord& attempt : snapshot.attempts) {
    if (attempt.workstream_id == workstream.id) detail["attempts"].push_back(AttemptJson(attempt));
  }
  detail["diff"] = nullptr;
  if (const AttemptRecord* changed = AttemptWithChanges(snapshot, workstream.id)) {
    detail["diff"] = {{"attempt", changed->attempt},
                      {"base", changed->base_commit},
                      {"head", changed->head_commit},
                      {"text", diff}};
  }
  return detail;
}

json LanesApiJson(const Project& project, const StateSnapshot& snapshot, const Plan& plan) {
  return {{"actual", GanttChartJson(GanttFromAttempts(snapshot, project, plan.critical_path))},
          {"planned", GanttChartJson(GanttFromPlan(project, plan))}};
}

json LogEntryJson(const LogEntry& entry) {
  return {{"id", entry.id},
          {"timestamp", entry.timestamp},
          {"workstream", entry.workstream_id},
          {"agent", entry.agent_id},
          {"event", entry.event_type},
          {"message", entry.message}};
}

std::string GraphDot(const Project& project, const StateSnapshot& snapshot, const Plan& plan) {
  GraphPicture picture;
  picture.statuses = NodeStatuses(project, snapshot);
  picture.critical_path = plan.critical_path;
  return DotText(project, picture);
}

}  // namespace orchestra
