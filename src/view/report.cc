#include "report.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "clock.h"
#include "json_writer.h"
#include "usage_summary.h"
#include "workstream.h"

namespace orchestra {

namespace {

const WorkstreamStatus kStatuses[] = {WorkstreamStatus::kCompleted, WorkstreamStatus::kRunning,
                                      WorkstreamStatus::kPending, WorkstreamStatus::kFailed,
                                      WorkstreamStatus::kBlocked};

std::map<WorkstreamStatus, int> Totals(const StateSnapshot& snapshot) {
  std::map<WorkstreamStatus, int> totals;
  for (const WorkstreamRecord& record : snapshot.workstreams) ++totals[record.status];
  return totals;
}

const char* StatusColor(WorkstreamStatus status) {
  switch (status) {
    case WorkstreamStatus::kCompleted:
      return "32";
    case WorkstreamStatus::kRunning:
      return "36";
    case WorkstreamStatus::kFailed:
      return "31";
    case WorkstreamStatus::kBlocked:
      return "33";
    case WorkstreamStatus::kPending:
      break;
  }
  return "0";
}


/// The reason of a failed or blocked row; "" for the others.
std::string RowReason(const WorkstreamRecord& record, size_t max_bytes) {
  if (record.status != WorkstreamStatus::kFailed && record.status != WorkstreamStatus::kBlocked) return "";
  return Reason(record.error_message, max_bytes);
}

/// The COST cells of the status table: per workstream id, its attempts' cost,
/// for the workstreams that have one (empty when none has).
std::map<std::string, std::string> CostCells(const UsageTotals& usage) {
  std::map<std::string, std::string> cells;
  for (const auto& [id, sum] : usage.by_workstream) {
    if (sum.cost_usd) cells[id] = FormatCost(*sum.cost_usd);
  }
  return cells;
}

constexpr size_t kTableReasonBytes = 60;   // without a terminal
constexpr size_t kTableReasonMinimum = 30;  // however narrow the terminal

}  // namespace

std::string RunLine(const StateSnapshot& snapshot) {
  if (!snapshot.has_run) return "no run yet";
  std::string state = RunStateName(snapshot.run.state);
  if (snapshot.run.state == RunState::kRunning && snapshot.run.pause_requested) state = "pausing";
  return fmt::format("run {} {} (started {}{}{})", snapshot.run.id, state, snapshot.run.started_at,
                     snapshot.run.ended_at.empty() ? "" : ", ended ", snapshot.run.ended_at);
}

std::string Reason(const std::string& error, size_t max_bytes) {
  std::string line;
  for (size_t start = 0; start < error.size();) {
    size_t end = error.find('\n', start);
    if (end == std::string::npos) end = error.size();
    line = error.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start = end + 1;
    if (line.find_first_not_of(" \t") != std::string::npos && line.rfind("orchestra: argv:", 0) != 0) break;
    line.clear();
  }
  if (line.size() <= max_bytes) return line;
  const size_t ellipsis = 3;
  size_t cut = max_bytes > ellipsis ? max_bytes - ellipsis : 0;
  // Not inside a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return line.substr(0, cut) + "...";
}

bool LoadSnapshot(StateStore* store, double now, int log_limit, StateSnapshot* snapshot,
                  std::string* error) {
  snapshot->now = now;
  if (!store->LoadWorkstreams(&snapshot->workstreams, error) ||
      !store->LoadAttempts("", &snapshot->attempts, error) ||
      !store->LatestRun(&snapshot->run, &snapshot->has_run, error)) {
    return false;
  }
  return log_limit == 0 || store->LoadLog("", log_limit, &snapshot->log, error);
}

bool LoadStatusSnapshot(StateStore* store, double now, StateSnapshot* snapshot, std::string* error) {
  snapshot->now = now;
  return store->LoadWorkstreams(&snapshot->workstreams, error) && store->LoadAttemptUsage(&snapshot->attempts, error) &&
         store->LatestRun(&snapshot->run, &snapshot->has_run, error);
}

WorkstreamDurations::WorkstreamDurations(const StateSnapshot& snapshot) : snapshot_(snapshot) {
  latest_.reserve(snapshot.attempts.size());
  for (const AttemptRecord& attempt : snapshot.attempts) latest_[attempt.workstream_id] = attempt.duration_seconds;
}

double WorkstreamDurations::Seconds(const WorkstreamRecord& record) const {
  double started = 0;
  if (record.status == WorkstreamStatus::kRunning && ParseTimestamp(record.started_at, &started)) {
    return std::max(0.0, snapshot_.now - started);
  }
  if (record.attempt == 0) return 0;
  // Attempts are stored with sub-second durations; timestamps have seconds only.
  const auto found = latest_.find(record.workstream_id);
  return found == latest_.end() ? 0 : found->second;
}

std::string RenderStatusTable(const StateSnapshot& snapshot, bool color, size_t columns,
                              const std::map<std::string, std::string>* types) {
  size_t id_width = 10;
  size_t track_width = 5;
  size_t type_width = 4;
  bool any_reason = false;
  const UsageTotals usage = SumUsage(snapshot.attempts);
  const std::map<std::string, std::string> costs = CostCells(usage);
  size_t cost_width = 4;
  for (const auto& [id, cell] : costs) cost_width = std::max(cost_width, cell.size());
  // "  COST" after DURATION, only when some workstream has a cost.
  auto cost_column = [&](const std::string& cell) {
    return costs.empty() ? std::string() : fmt::format("  {:>{}}", cell, cost_width);
  };
  for (const WorkstreamRecord& record : snapshot.workstreams) {
    id_width = std::max(id_width, record.workstream_id.size());
    track_width = std::max(track_width, record.track.size());
    any_reason |= !RowReason(record, kTableReasonBytes).empty();
  }
  for (const auto& [id, type] : types ? *types : std::map<std::string, std::string>{}) {
    type_width = std::max(type_width, type.size());
  }
  // The TYPE column, only with routes: "" without them.
  auto type_column = [&](const std::string& type) {
    return types ? fmt::format("{:<{}}  ", type, type_width) : std::string();
  };
  // What comes before REASON: the columns and their two-space gaps.
  const size_t before_reason =
      id_width + 2 + 9 + 2 + 10 + 2 + (types ? type_width + 2 : 0) + 7 + 2 + 8 + cost_column("").size() + 2 +
      track_width + 2;
  const size_t reason_bytes =
      columns == 0 ? kTableReasonBytes : std::max(kTableReasonMinimum, columns - std::min(columns, before_reason));
  std::string text = fmt::format("{:<{}}  {:<9}  {:<10}  {}{:>7}  {:>8}{}  {}", "WORKSTREAM", id_width, "STATUS",
                                 "AGENT", type_column("TYPE"), "ATTEMPT", "DURATION", cost_column("COST"), "TRACK");
  if (any_reason) text += fmt::format("{:<{}}  REASON", "", track_width - 5);
  text += "\n";
  const WorkstreamDurations durations(snapshot);
  for (const WorkstreamRecord& record : snapshot.workstreams) {
    std::string status = fmt::format("{:<9}", StatusName(record.status));
    if (color) status = fmt::format("\033[{}m{}\033[0m", StatusColor(record.status), status);
    const double seconds = durations.Seconds(record);
    std::string type = "-";
    if (types && types->count(record.workstream_id)) type = types->at(record.workstream_id);
    const auto cost = costs.find(record.workstream_id);
    std::string row = fmt::format("{:<{}}  {}  {:<10}  {}{:>7}  {:>8}{}  {}", record.workstream_id, id_width, status,
                                  record.agent_id.empty() ? "-" : record.agent_id, type_column(type),
                                  record.attempt ? std::to_string(record.attempt) : "-",
                                  seconds > 0 ? FormatDuration(seconds) : "-",
                                  cost_column(cost == costs.end() ? "-" : cost->second),
                                  record.track.empty() ? "-" : record.track);
    const std::string reason = RowReason(record, reason_bytes);
    if (!reason.empty()) {
      row += fmt::format("{:<{}}  {}", "", track_width - std::max<size_t>(1, record.track.size()), reason);
    }
    text += row + "\n";
  }
  std::map<WorkstreamStatus, int> totals = Totals(snapshot);
  text += fmt::format("\n{} workstreams:", snapshot.workstreams.size());
  for (WorkstreamStatus status : kStatuses) {
    if (totals[status]) text += fmt::format(" {} {},", totals[status], StatusName(status));
  }
  if (text.back() == ',') text.pop_back();
  const std::string usage_line = UsageSummaryLine(usage, snapshot.budget_usd);
  if (!usage_line.empty()) text += "\n" + usage_line;
  text += "\n" + RunLine(snapshot) + "\n";
  return text;
}

nlohmann::json StatusJson(const StateSnapshot& snapshot) {
  nlohmann::json json;
  json["run"] = nullptr;
  if (snapshot.has_run) {
    json["run"] = {{"id", snapshot.run.id},
                   {"pid", snapshot.run.pid},
                   {"state", RunStateName(snapshot.run.state)},
                   {"pause_requested", snapshot.run.pause_requested},
                   {"started_at", snapshot.run.started_at},
                   {"ended_at", snapshot.run.ended_at}};
  }
  std::map<WorkstreamStatus, int> totals = Totals(snapshot);
  json["totals"] = nlohmann::json::object();
  for (WorkstreamStatus status : kStatuses) json["totals"][StatusName(status)] = totals[status];
  const UsageTotals usage = SumUsage(snapshot.attempts);
  json["usage"] = {{"cost_usd", CostJson(usage.total)}, {"tokens", TokensJson(usage.total)}};
  if (snapshot.budget_usd) json["budget_usd"] = *snapshot.budget_usd;
  json["workstreams"] = nlohmann::json::array();
  const WorkstreamDurations durations(snapshot);
  for (const WorkstreamRecord& record : snapshot.workstreams) {
    nlohmann::json row = {{"id", record.workstream_id},
                          {"status", StatusName(record.status)},
                          {"agent", record.agent_id},
                          {"track", record.track},
                          {"attempt", record.attempt},
                          {"started_at", record.started_at},
                          {"completed_at", record.completed_at},
                          {"duration_seconds", durations.Seconds(record)},
                          {"reason", RowReason(record, 200)}};
    row["exit_code"] = record.exit_code ? nlohmann::json(*record.exit_code) : nlohmann::json(nullptr);
    const auto found = usage.by_workstream.find(record.workstream_id);
    const Usage sum = found == usage.by_workstream.end() ? Usage() : found->second;
    row["cost_usd"] = CostJson(sum);
    row["tokens"] = TokensJson(sum);
    json["workstreams"].push_back(std::move(row));
  }
  return json;
}

namespace {

/// TokensJson and CostJson, written.
void WriteTokens(const Usage& usage, JsonWriter* out) {
  out->BeginObject();  // keys in nlohmann's (sorted) order, as everywhere below
  out->Key("cache_read");
  out->Int(usage.cache_read_tokens);
  out->Key("cache_write");
  out->Int(usage.cache_write_tokens);
  out->Key("input");
  out->Int(usage.input_tokens);
  out->Key("output");
  out->Int(usage.output_tokens);
  out->EndObject();
}

void WriteCost(const Usage& usage, JsonWriter* out) {
  if (usage.cost_usd) {
    out->Double(*usage.cost_usd);
  } else {
    out->Null();
  }
}

}  // namespace

void WriteStatusJson(const StateSnapshot& snapshot, const std::map<std::string, std::string>* types,
                     JsonWriter* out) {
  const UsageTotals usage = SumUsage(snapshot.attempts);
  out->BeginObject();
  if (snapshot.budget_usd) {
    out->Key("budget_usd");
    out->Double(*snapshot.budget_usd);
  }
  out->Key("run");
  if (snapshot.has_run) {
    out->BeginObject();
    out->Key("ended_at");
    out->String(snapshot.run.ended_at);
    out->Key("id");
    out->Int(snapshot.run.id);
    out->Key("pause_requested");
    out->Bool(snapshot.run.pause_requested);
    out->Key("pid");
    out->Int(snapshot.run.pid);
    out->Key("started_at");
    out->String(snapshot.run.started_at);
    out->Key("state");
    out->String(RunStateName(snapshot.run.state));
    out->EndObject();
  } else {
    out->Null();
  }
  out->Key("totals");
  out->BeginObject();
  std::map<WorkstreamStatus, int> totals = Totals(snapshot);
  std::map<std::string, int> by_name;
  for (WorkstreamStatus status : kStatuses) by_name[StatusName(status)] = totals[status];
  for (const auto& [name, count] : by_name) {
    out->Key(name);
    out->Int(count);
  }
  out->EndObject();
  out->Key("usage");
  out->BeginObject();
  out->Key("cost_usd");
  WriteCost(usage.total, out);
  out->Key("tokens");
  WriteTokens(usage.total, out);
  out->EndObject();
  out->Key("workstreams");
  out->BeginArray();
  const WorkstreamDurations durations(snapshot);
  for (const WorkstreamRecord& record : snapshot.workstreams) {
    out->BeginObject();
    out->Key("agent");
    out->String(record.agent_id);
    out->Key("attempt");
    out->Int(record.attempt);
    out->Key("completed_at");
    out->String(record.completed_at);
    static const Usage kNone;
    const auto found = usage.by_workstream.find(record.workstream_id);
    const Usage& sum = found == usage.by_workstream.end() ? kNone : found->second;
    out->Key("cost_usd");
    WriteCost(sum, out);
    out->Key("duration_seconds");
    out->Double(durations.Seconds(record));
    out->Key("exit_code");
    if (record.exit_code) {
      out->Int(*record.exit_code);
    } else {
      out->Null();
    }
    out->Key("id");
    out->String(record.workstream_id);
    out->Key("reason");
    out->String(RowReason(record, 200));
    out->Key("started_at");
    out->String(record.started_at);
    out->Key("status");
    out->String(StatusName(record.status));
    out->Key("tokens");
    WriteTokens(sum, out);
    out->Key("track");
    out->String(record.track);
    if (types) {
      const auto type = types->find(record.workstream_id);
      out->Key("type");
      out->String(type == types->end() ? std::string_view() : std::string_view(type->second));
    }
    out->EndObject();
  }
  out->EndArray();
  out->EndObject();
}

}  // namespace orchestra
