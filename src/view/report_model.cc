#include "report_model.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "attempt_log_store.h"
#include "clock.h"
#include "log_tail.h"
#include "workstream.h"

namespace orchestra {
namespace {

using nlohmann::json;

constexpr WorkstreamStatus kStatuses[] = {WorkstreamStatus::kPending, WorkstreamStatus::kRunning,
                                          WorkstreamStatus::kCompleted, WorkstreamStatus::kFailed,
                                          WorkstreamStatus::kBlocked};

/// The words the executor's `rate_limited` message puts around the agent type
/// and the pause: "...; agents of type TYPE pause for DURATION, then it runs
/// again (no attempt used up)" (run/executor.cc, DescribeEnd).
constexpr std::string_view kTypeMarker = "; agents of type ";
constexpr std::string_view kPauseMarker = " pause for ";
constexpr std::string_view kPauseEnd = ", then";

/// A rate limit's type and pause, read from its event's message. The reason
/// quoted before them may hold anything, so the last marker counts.
void ReadRateLimit(const std::string& message, RunPause* pause) {
  const size_t type_at = message.rfind(kTypeMarker);
  if (type_at == std::string::npos) return;
  const size_t type_start = type_at + kTypeMarker.size();
  const size_t pause_at = message.find(kPauseMarker, type_start);
  if (pause_at == std::string::npos) return;
  pause->agent_type = message.substr(type_start, pause_at - type_start);
  const size_t seconds_start = pause_at + kPauseMarker.size();
  const size_t seconds_end = message.find(kPauseEnd, seconds_start);
  double seconds = 0;
  if (seconds_end != std::string::npos &&
      ParseDuration(message.substr(seconds_start, seconds_end - seconds_start), &seconds)) {
    pause->seconds = seconds;
  }
}

/// The pause an event starts, if it starts one.
std::optional<RunPause> PauseOf(const LogEntry& entry) {
  static const std::map<std::string, std::string> kKinds = {{"rate_limited", "rate_limit"},
                                                            {"agent_type_stopped", "agent_type_stopped"},
                                                            {"budget_spent", "budget_spent"},
                                                            {"paused", "pause_requested"}};
  const auto kind = kKinds.find(entry.event_type);
  if (kind == kKinds.end()) return std::nullopt;
  RunPause pause;
  pause.kind = kind->second;
  pause.at = entry.timestamp;
  pause.message = entry.message;
  if (pause.kind == "rate_limit") {
    pause.workstream = entry.workstream_id;
    ReadRateLimit(entry.message, &pause);
  }
  return pause;
}

double EstimateHours(const Project& project, int node) {
  return project.workstreams[node].estimate_hours.value_or(project.config.estimate_hours);
}

ReportAttempt AttemptOf(const AttemptRecord& record) {
  ReportAttempt attempt;
  attempt.id = record.id;
  attempt.number = record.attempt;
  attempt.agent = record.agent_id;
  attempt.agent_type = record.agent_type;
  attempt.started_at = record.started_at;
  attempt.ended_at = record.ended_at;
  attempt.outcome = record.outcome;
  attempt.exit_code = record.exit_code;
  attempt.signal = record.signal;
  attempt.duration_seconds = record.duration_seconds;
  attempt.usage = record.usage;
  attempt.error = record.error_message;
  attempt.log_path = record.log_path;
  return attempt;
}

/// A report row from the state's record (null: nothing recorded yet).
void FillFromRecord(const WorkstreamDurations& durations, const WorkstreamRecord* record, ReportWorkstream* row) {
  if (!record) return;
  row->status = record->status;
  row->agent = record->agent_id;
  if (row->track.empty()) row->track = record->track;
  row->duration_seconds = durations.Seconds(*record);
  row->error = record->error_message;
  if (record->status == WorkstreamStatus::kFailed || record->status == WorkstreamStatus::kBlocked) {
    row->reason = Reason(record->error_message);
  }
}

json OptionalNumber(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }
json OptionalInt(const std::optional<int>& value) { return value ? json(*value) : json(nullptr); }

json AttemptJson(const ReportAttempt& attempt) {
  return {{"id", attempt.id},
          {"attempt", attempt.number},
          {"agent", attempt.agent},
          {"agent_type", attempt.agent_type},
          {"started_at", attempt.started_at},
          {"ended_at", attempt.ended_at},
          {"outcome", OutcomeName(attempt.outcome)},
          {"exit_code", OptionalInt(attempt.exit_code)},
          {"signal", OptionalInt(attempt.signal)},
          {"duration_seconds", attempt.duration_seconds},
          {"cost_usd", CostJson(attempt.usage)},
          {"tokens", TokensJson(attempt.usage)},
          {"error", attempt.error},
          {"log_path", attempt.log_path}};
}

json WorkstreamJson(const ReportWorkstream& row) {
  json attempts = json::array();
  for (const ReportAttempt& attempt : row.attempts) attempts.push_back(AttemptJson(attempt));
  return {{"id", row.id},
          {"title", row.title},
          {"status", StatusName(row.status)},
          {"track", row.track},
          {"agent", row.agent},
          {"estimate_hours", row.estimate_hours},
          {"duration_seconds", row.duration_seconds},
          {"cost_usd", CostJson(row.usage)},
          {"tokens", TokensJson(row.usage)},
          {"reason", row.reason},
          {"depends_on", row.depends_on},
          {"attempts", attempts}};
}

}  // namespace

std::vector<RunPause> RunPauses(const StateSnapshot& snapshot) {
  size_t first = 0;  // the newest run's events start after its last run_started
  for (size_t i = 0; i < snapshot.log.size(); ++i) {
    if (snapshot.log[i].event_type == "run_started") first = i;
  }
  const bool running = snapshot.has_run && snapshot.run.state == RunState::kRunning;
  std::vector<RunPause> pauses;
  for (size_t i = first; i < snapshot.log.size(); ++i) {
    std::optional<RunPause> pause = PauseOf(snapshot.log[i]);
    if (!pause) continue;
    pause->active = running;
    double at = 0;
    if (pause->seconds && ParseTimestamp(pause->at, &at)) {
      pause->until = FormatTimestamp(at + *pause->seconds);
      pause->active = running && snapshot.now < at + *pause->seconds;
    }
    pauses.push_back(std::move(*pause));
  }
  return pauses;
}

std::optional<double> RunElapsedSeconds(const StateSnapshot& snapshot) {
  double started = 0;
  if (!snapshot.has_run || !ParseTimestamp(snapshot.run.started_at, &started)) return std::nullopt;
  double ended = snapshot.now;
  if (!snapshot.run.ended_at.empty() && !ParseTimestamp(snapshot.run.ended_at, &ended)) ended = snapshot.now;
  return std::max(0.0, ended - started);
}

std::optional<double> EtaSeconds(const Project& project, const StateSnapshot& snapshot) {
  const std::optional<double> elapsed = RunElapsedSeconds(snapshot);
  if (!elapsed || snapshot.run.state != RunState::kRunning || *elapsed <= 0) return std::nullopt;
  double run_started = 0;
  ParseTimestamp(snapshot.run.started_at, &run_started);
  std::unordered_map<std::string, const WorkstreamRecord*> records;
  for (const WorkstreamRecord& record : snapshot.workstreams) records[record.workstream_id] = &record;
  double done_hours = 0, left_hours = 0;
  for (int node = 0; node < project.graph->size(); ++node) {
    const auto found = records.find(project.graph->id(node));
    const WorkstreamRecord* record = found == records.end() ? nullptr : found->second;
    const WorkstreamStatus status = record ? record->status : WorkstreamStatus::kPending;
    double completed_at = 0;
    if (status == WorkstreamStatus::kCompleted && ParseTimestamp(record->completed_at, &completed_at) &&
        completed_at >= run_started) {
      done_hours += EstimateHours(project, node);
    } else if (status == WorkstreamStatus::kPending || status == WorkstreamStatus::kRunning) {
      left_hours += EstimateHours(project, node);
    }
  }
  if (done_hours <= 0) return std::nullopt;
  return left_hours * *elapsed / done_hours;
}

std::vector<WorkstreamStatus> NodeStatuses(const Project& project, const StateSnapshot& snapshot) {
  std::unordered_map<std::string, WorkstreamStatus> recorded;
  for (const WorkstreamRecord& record : snapshot.workstreams) recorded[record.workstream_id] = record.status;
  std::vector<WorkstreamStatus> statuses;
  for (int node = 0; node < project.graph->size(); ++node) {
    const auto found = recorded.find(project.graph->id(node));
    statuses.push_back(found == recorded.end() ? WorkstreamStatus::kPending : found->second);
  }
  return statuses;
}

RunReport BuildRunReport(const Project& project, const StateSnapshot& snapshot, const Plan* plan,
                         const ReportOptions& options) {
  RunReport report;
  report.generated_at = FormatTimestamp(snapshot.now);
  report.has_run = snapshot.has_run;
  report.run = snapshot.run;
  report.run_line = RunLine(snapshot);
  report.attempt_count = snapshot.attempts.size();
  report.elapsed_seconds = RunElapsedSeconds(snapshot);
  report.eta_seconds = EtaSeconds(project, snapshot);
  report.usage = SumUsage(snapshot.attempts);
  report.budget_usd = snapshot.budget_usd ? snapshot.budget_usd : project.config.budget_usd;
  report.pauses = RunPauses(snapshot);
  report.log = snapshot.log;

  std::unordered_map<std::string, const WorkstreamRecord*> records;
  for (const WorkstreamRecord& record : snapshot.workstreams) records[record.workstream_id] = &record;
  std::unordered_map<std::string, size_t> row_of;
  const WorkstreamDurations durations(snapshot);
  for (int node = 0; node < project.graph->size(); ++node) {
    const Workstream& workstream = project.workstreams[node];
    ReportWorkstream row;
    row.id = workstream.id;
    row.title = workstream.title;
    row.track = workstream.track;
    row.estimate_hours = EstimateHours(project, node);
    for (int dependency : project.graph->dependencies(node)) row.depends_on.push_back(project.graph->id(dependency));
    const auto record = records.find(workstream.id);
    FillFromRecord(durations, record == records.end() ? nullptr : record->second, &row);
    row_of[row.id] = report.workstreams.size();
    report.workstreams.push_back(std::move(row));
  }
  for (const WorkstreamRecord& record : snapshot.workstreams) {  // recorded, no longer in the project
    if (row_of.count(record.workstream_id)) continue;
    ReportWorkstream row;
    row.id = record.workstream_id;
    FillFromRecord(durations, &record, &row);
    row_of[row.id] = report.workstreams.size();
    report.workstreams.push_back(std::move(row));
  }
  std::vector<const AttemptRecord*> latest(report.workstreams.size(), nullptr);  // by row
  for (const AttemptRecord& attempt : snapshot.attempts) {
    const auto row = row_of.find(attempt.workstream_id);
    if (row == row_of.end()) continue;
    report.workstreams[row->second].attempts.push_back(AttemptOf(attempt));
    report.workstreams[row->second].usage.Add(attempt.usage);
    latest[row->second] = &attempt;
  }
  for (size_t index = 0; index < report.workstreams.size(); ++index) {
    ReportWorkstream& row = report.workstreams[index];
    ++report.totals[row.status];
    if (row.status != WorkstreamStatus::kFailed || row.attempts.empty()) continue;
    row.log_path = row.attempts.back().log_path;
    AttemptLogRange range;
    std::string ignored;  // no log anywhere: no tail, as for a missing file
    if (options.store && ReadAttemptLog(options.store, *latest[index], -1,
                                        LogTailWindow(options.log_tail_lines, options.log_line_bytes), &range,
                                        &ignored)) {
      row.log_tail = LogTailOf(range.bytes, range.start > 0, options.log_tail_lines, options.log_line_bytes);
    } else {
      row.log_tail = LogTail(row.log_path, options.log_tail_lines, options.log_line_bytes);
    }
  }

  std::vector<int> critical_path;
  if (plan) {
    critical_path = plan->critical_path;
    for (int node : critical_path) report.critical_path.push_back(project.graph->id(node));
    report.planned_hours = plan->makespan_hours;
    report.plan_chart = GanttFromPlan(project, *plan);
  }
  report.run_chart = GanttFromAttempts(snapshot, project, critical_path);
  return report;
}

bool WriteReportFile(const std::string& path, const std::string& text, std::string* error) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

json RunPauseJson(const RunPause& pause) {
  return {{"kind", pause.kind},
          {"at", pause.at},
          {"agent_type", pause.agent_type},
          {"workstream", pause.workstream},
          {"seconds", OptionalNumber(pause.seconds)},
          {"until", pause.until},
          {"active", pause.active},
          {"message", pause.message}};
}

std::string DescribePause(const RunPause& pause) {
  if (pause.kind == "rate_limit") {
    const std::string type = pause.agent_type.empty() ? "its type" : "type " + pause.agent_type;
    const std::string length = pause.seconds ? " for " + FormatDuration(*pause.seconds) : "";
    return fmt::format("rate limit: agents of {} paused{} from {}{}", type, length, pause.at,
                       pause.workstream.empty() ? "" : " (turned away: " + pause.workstream + ")");
  }
  const std::string first_line = pause.message.substr(0, pause.message.find('\n'));
  if (pause.kind == "agent_type_stopped") return "agent type stopped at " + pause.at + ": " + first_line;
  if (pause.kind == "budget_spent") return "budget spent at " + pause.at + ": " + first_line;
  return "pause requested at " + pause.at + ": " + first_line;
}

json RunReportJson(const RunReport& report) {
  json out;
  out["generated_at"] = report.generated_at;
  out["run"] = nullptr;
  if (report.has_run) {
    out["run"] = {{"id", report.run.id},
                  {"state", RunStateName(report.run.state)},
                  {"started_at", report.run.started_at},
                  {"ended_at", report.run.ended_at},
                  {"pause_requested", report.run.pause_requested}};
  }
  out["totals"] = json::object();
  for (WorkstreamStatus status : kStatuses) {
    const auto count = report.totals.find(status);
    out["totals"][StatusName(status)] = count == report.totals.end() ? 0 : count->second;
  }
  out["workstream_count"] = report.workstreams.size();
  out["attempt_count"] = report.attempt_count;
  out["elapsed_seconds"] = OptionalNumber(report.elapsed_seconds);
  out["eta_seconds"] = OptionalNumber(report.eta_seconds);
  out["usage"] = {{"cost_usd", CostJson(report.usage.total)}, {"tokens", TokensJson(report.usage.total)}};
  out["budget_usd"] = OptionalNumber(report.budget_usd);
  out["pauses"] = json::array();
  for (const RunPause& pause : report.pauses) out["pauses"].push_back(RunPauseJson(pause));
  out["critical_path"] = report.critical_path;
  out["planned_hours"] = OptionalNumber(report.planned_hours);
  out["lanes"] = GanttChartJson(report.run_chart);
  out["workstreams"] = json::array();
  out["failures"] = json::array();
  for (const ReportWorkstream& row : report.workstreams) {
    out["workstreams"].push_back(WorkstreamJson(row));
    if (row.status != WorkstreamStatus::kFailed && row.status != WorkstreamStatus::kBlocked) continue;
    out["failures"].push_back({{"id", row.id},
                               {"status", StatusName(row.status)},
                               {"reason", row.reason},
                               {"error", row.error},
                               {"log_path", row.log_path},
                               {"log_tail", row.log_tail}});
  }
  return out;
}

}  // namespace orchestra
