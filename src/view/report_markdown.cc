#include "report_markdown.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "workstream.h"

namespace orchestra {
namespace {

const WorkstreamStatus kStatuses[] = {WorkstreamStatus::kCompleted, WorkstreamStatus::kRunning,
                                      WorkstreamStatus::kPending, WorkstreamStatus::kFailed,
                                      WorkstreamStatus::kBlocked};

std::string DurationCell(double seconds) { return seconds > 0 ? FormatDuration(seconds) : "-"; }

/// A table cell: one line, no `|` to break the row.
std::string Cell(const std::string& text) {
  std::string cell = text.substr(0, text.find('\n'));
  std::replace(cell.begin(), cell.end(), '|', '/');
  return cell.empty() ? "-" : cell;
}

/// A fenced block that `text` cannot close early: one backtick more than the
/// longest run of backticks inside it.
std::string Fenced(const std::string& text, const std::string& info = "") {
  size_t longest = 0;
  for (size_t i = 0, run = 0; i < text.size(); ++i) {
    run = text[i] == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<size_t>(3, longest + 1), '`');
  std::string block = fence + info + "\n" + text;
  if (!text.empty() && text.back() != '\n') block += "\n";
  return block + fence + "\n";
}

void WriteSummary(std::ostream& out, const RunReport& report) {
  out << fmt::format("- Generated: {} UTC\n- {}\n- Wall time of this run: {}\n", report.generated_at,
                     report.run_line, report.elapsed_seconds ? FormatDuration(*report.elapsed_seconds) : "-");
  out << fmt::format("- Workstreams: {} total", report.workstreams.size());
  for (WorkstreamStatus status : kStatuses) {
    const auto count = report.totals.find(status);
    out << fmt::format(", {} {}", count == report.totals.end() ? 0 : count->second, StatusName(status));
  }
  out << fmt::format("\n- Attempts: {}\n", report.attempt_count);
  if (report.eta_seconds) {
    out << fmt::format("- ETA: {} (the work left, at the rate this run has completed estimated hours)\n",
                       FormatDuration(*report.eta_seconds));
  }
  const std::string usage = UsageSummaryLine(report.usage, report.budget_usd);
  if (!usage.empty()) out << "- Usage: " << usage << "\n";
  if (!report.pauses.empty()) {
    int rate_limits = 0;
    for (const RunPause& pause : report.pauses) rate_limits += pause.kind == "rate_limit";
    out << fmt::format("- Pauses: {} ({} by rate limits; see below)\n", report.pauses.size(), rate_limits);
  }
  out << "\n";
}

void WriteWorkstreams(std::ostream& out, const RunReport& report) {
  out << "## Workstreams\n\n| Workstream | Status | Agent | Attempts | Duration | Track |\n"
         "|---|---|---|---|---|---|\n";
  for (const ReportWorkstream& row : report.workstreams) {
    out << fmt::format("| {} | {} | {} | {} | {} | {} |\n", row.id, StatusName(row.status),
                       row.agent.empty() ? "-" : row.agent, row.attempts.size(), DurationCell(row.duration_seconds),
                       row.track.empty() ? "-" : row.track);
  }
}

/// Each agent's attempts, how they ended and how long it was busy: the
/// Markdown stand-in for the Gantt chart of the HTML report.
void WriteAgents(std::ostream& out, const RunReport& report) {
  struct AgentLine {
    int attempts = 0, succeeded = 0, failed = 0, running = 0;
    double busy = 0;
  };
  std::map<std::string, AgentLine> lines;
  for (const ReportWorkstream& row : report.workstreams) {
    for (const ReportAttempt& attempt : row.attempts) {
      AgentLine& line = lines[attempt.agent];
      ++line.attempts;
      line.succeeded += attempt.outcome == AttemptOutcome::kSucceeded;
      line.failed += CountsAsFailure(attempt.outcome);
      line.running += attempt.outcome == AttemptOutcome::kRunning;
      line.busy += attempt.duration_seconds;
    }
  }
  if (lines.empty()) return;
  out << "\n## Agents\n\n| Agent | Attempts | Succeeded | Failed | Running | Busy |\n|---|---|---|---|---|---|\n";
  for (const GanttLane& lane : report.run_chart.lanes) {
    const auto found = lines.find(lane.agent == "(no agent)" ? "" : lane.agent);
    const AgentLine line = found == lines.end() ? AgentLine() : found->second;
    out << fmt::format("| {} | {} | {} | {} | {} | {} |\n", lane.agent, line.attempts, line.succeeded, line.failed,
                       line.running, DurationCell(line.busy));
  }
}

/// Every attempt, in the order they started: its outcome as recorded
/// (rate_limited, fatal, stalled included), agent type, tokens and cost.
void WriteAttempts(std::ostream& out, const RunReport& report) {
  std::vector<std::pair<const ReportWorkstream*, const ReportAttempt*>> attempts;
  for (const ReportWorkstream& row : report.workstreams) {
    for (const ReportAttempt& attempt : row.attempts) attempts.push_back({&row, &attempt});
  }
  if (attempts.empty()) return;
  std::sort(attempts.begin(), attempts.end(), [](const auto& a, const auto& b) { return a.second->id < b.second->id; });
  out << "\n## Attempts\n\n| Workstream | Attempt | Agent | Type | Outcome | Duration | Tokens | Cost |\n"
         "|---|---|---|---|---|---|---|---|\n";
  for (const auto& [row, attempt] : attempts) {
    out << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", row->id, attempt->number,
                       attempt->agent.empty() ? "-" : attempt->agent,
                       attempt->agent_type.empty() ? "-" : attempt->agent_type, OutcomeName(attempt->outcome),
                       DurationCell(attempt->duration_seconds),
                       attempt->usage.Known() ? FormatTokens(attempt->usage) : "-", CostCell(attempt->usage));
  }
}

/// The total, per agent type, and the ten costliest workstreams.
void WriteCost(std::ostream& out, const UsageTotals& usage, std::optional<double> budget_usd) {
  if (!usage.known) return;
  out << "\n## Cost\n\n";
  out << fmt::format("- Total: {}; tokens {}\n", CostCell(usage.total), FormatTokens(usage.total));
  if (budget_usd) out << fmt::format("- Budget: {} (budget_usd)\n", FormatCost(*budget_usd));
  out << "\n| Agent type | Attempts | Tokens | Cost |\n|---|---|---|---|\n";
  for (const auto& [type, sum] : usage.by_type) {
    out << fmt::format("| {} | {} | {} | {} |\n", type, usage.attempts_by_type.at(type), FormatTokens(sum),
                       CostCell(sum));
  }
  std::vector<std::pair<std::string, Usage>> costliest(usage.by_workstream.begin(), usage.by_workstream.end());
  std::stable_sort(costliest.begin(), costliest.end(), [](const auto& a, const auto& b) {
    return a.second.cost_usd.value_or(-1) > b.second.cost_usd.value_or(-1);
  });
  constexpr size_t kCostliestShown = 10;
  if (costliest.size() > kCostliestShown) costliest.resize(kCostliestShown);
  out << fmt::format("\nCostliest workstreams (at most {}):\n\n| Workstream | Tokens | Cost |\n|---|---|---|\n",
                     kCostliestShown);
  for (const auto& [id, sum] : costliest) {
    out << fmt::format("| {} | {} | {} |\n", id, FormatTokens(sum), CostCell(sum));
  }
}

void WritePauses(std::ostream& out, const std::vector<RunPause>& pauses) {
  if (pauses.empty()) return;
  out << "\n## Pauses\n\n";
  for (const RunPause& pause : pauses) out << "- " << DescribePause(pause) << (pause.active ? " (now)" : "") << "\n";
}

void WriteFailures(std::ostream& out, const RunReport& report) {
  bool any = false;
  for (const ReportWorkstream& row : report.workstreams) {
    if (row.status != WorkstreamStatus::kFailed && row.status != WorkstreamStatus::kBlocked) continue;
    if (!any) out << "\n## Failed and blocked\n";
    any = true;
    // Blocks separated by one blank line: the error, the attempts, the log's tail.
    std::vector<std::string> blocks;
    if (!row.error.empty()) blocks.push_back(Fenced(row.error));
    std::string attempts;
    for (const ReportAttempt& attempt : row.attempts) {
      attempts += fmt::format("- attempt {} on {}: {} — log `{}`\n", attempt.number, attempt.agent,
                              OutcomeName(attempt.outcome), attempt.log_path);
    }
    if (!attempts.empty()) blocks.push_back(attempts);
    if (!row.log_tail.empty()) {
      blocks.push_back(fmt::format("The last lines of `{}`:\n\n", row.log_path) + Fenced(row.log_tail, "text"));
    }
    out << fmt::format("\n### {} ({})\n", row.id, StatusName(row.status));
    for (const std::string& block : blocks) out << "\n" << block;
  }
}

void WriteTimeline(std::ostream& out, const std::vector<LogEntry>& log) {
  if (log.empty()) return;
  out << "\n## Timeline\n\n| Time (UTC) | Event | Workstream | Agent | Message |\n|---|---|---|---|---|\n";
  for (const LogEntry& entry : log) {
    out << fmt::format("| {} | {} | {} | {} | {} |\n", entry.timestamp, entry.event_type,
                       entry.workstream_id.empty() ? "-" : entry.workstream_id,
                       entry.agent_id.empty() ? "-" : entry.agent_id, Cell(entry.message));
  }
}

}  // namespace

std::string RenderReportMarkdown(const RunReport& report) {
  std::ostringstream out;
  out << "# Execution report\n\n";
  WriteSummary(out, report);
  WriteWorkstreams(out, report);
  WriteAgents(out, report);
  WriteAttempts(out, report);
  WriteCost(out, report.usage, report.budget_usd);
  WritePauses(out, report.pauses);
  WriteFailures(out, report);
  WriteTimeline(out, report.log);
  return out.str();
}

}  // namespace orchestra
