#include "report_html.h"

#include <fmt/format.h>

#include "graph_export.h"
#include "graphviz.h"
#include "palette.h"
#include "workstream.h"

namespace orchestra {
namespace {

const WorkstreamStatus kStatuses[] = {WorkstreamStatus::kCompleted, WorkstreamStatus::kRunning,
                                      WorkstreamStatus::kFailed, WorkstreamStatus::kBlocked,
                                      WorkstreamStatus::kPending};

std::string H(const std::string& text) { return EscapeXml(text); }

std::string DurationText(double seconds) { return seconds > 0 ? FormatDuration(seconds) : "-"; }

std::string Style() {
  std::string css = ":root {";
  for (WorkstreamStatus status : kStatuses) css += fmt::format(" --{}: {};", StatusName(status), StatusFill(status));
  css += R"( --ink: #1d1d1f; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, 'DejaVu Sans', sans-serif; color: var(--ink); background: #fafafa; }
header { padding: 0.8em 1.2em; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 1.4em; }
header p { margin: 0.2em 0 0; color: var(--muted); }
section { margin: 1em 1.2em; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 0.8em 1em; overflow-x: auto; }
section h2 { margin: 0 0 0.6em; font-size: 1.1em; }
.cards { display: flex; flex-wrap: wrap; gap: 0.5em; background: none; border: none; padding: 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 0.4em 0.9em; min-width: 7em; }
.card .number { display: block; font-size: 1.5em; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .label { color: var(--muted); }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { border-bottom: 1px solid #eee; text-align: left; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f4f4f4; }
tr:target td { background: #fff7d6; }
.pill { display: inline-block; border-radius: 3px; padding: 0 0.4em; }
.attempt { display: block; white-space: nowrap; }
.failed-outcome { color: #a00000; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f6f6; padding: 0.6em; border-radius: 4px; max-height: 30em; overflow: auto; }
.note { color: var(--muted); }
#graph g.node { cursor: pointer; }
)";
  for (WorkstreamStatus status : kStatuses) {
    css += fmt::format(".card.{0} {{ border-left: 6px solid var(--{0}); }}\n", StatusName(status));
    css += fmt::format(".status-{0} {{ background: var(--{0}); }}\n", StatusName(status));
  }
  return css;
}

std::string Card(const std::string& number, const std::string& label, const std::string& id,
                 const std::string& extra_class = "") {
  return fmt::format("<div class=\"card{}\"><span class=\"number\" id=\"{}\">{}</span><span class=\"label\">{}</span>"
                     "</div>\n",
                     extra_class.empty() ? "" : " " + extra_class, id, H(number), H(label));
}

std::string SummarySection(const RunReport& report) {
  std::string html = "<section id=\"summary\" class=\"cards\" aria-label=\"Summary\">\n";
  for (WorkstreamStatus status : kStatuses) {
    const auto count = report.totals.find(status);
    html += Card(std::to_string(count == report.totals.end() ? 0 : count->second), StatusName(status),
                 std::string("count-") + StatusName(status), StatusName(status));
  }
  html += Card(std::to_string(report.attempt_count), "attempts", "attempt-count");
  html += Card(report.elapsed_seconds ? FormatDuration(*report.elapsed_seconds) : "-", "elapsed", "elapsed");
  if (report.eta_seconds) html += Card(FormatDuration(*report.eta_seconds), "ETA", "eta");
  std::string cost = CostCell(report.usage.total);
  if (report.budget_usd) cost += " of " + FormatCost(*report.budget_usd);
  html += Card(cost, report.budget_usd ? "cost (budget)" : "cost", "cost");
  if (report.planned_hours) {
    html += Card(fmt::format("{:.1f}h", *report.planned_hours), "planned (estimated)", "planned");
  }
  return html + "</section>\n";
}

std::string Pauses(const RunReport& report) {
  if (report.pauses.empty()) return "";
  std::string html = "<section id=\"pauses\">\n<h2>Pauses</h2>\n<ul>\n";
  for (const RunPause& pause : report.pauses) {
    html += fmt::format("<li class=\"pause pause-{}\">{}{}</li>\n", pause.kind, H(DescribePause(pause)),
                        pause.active ? " <strong>(now)</strong>" : "");
  }
  return html + "</ul>\n</section>\n";
}

std::string Charts(const RunReport& report) {
  std::string html = "<section id=\"gantt\">\n<h2>Agents</h2>\n<div id=\"run-gantt\">\n";
  html += RenderGanttSvgElement({report.run_chart}, "The run: one bar per attempt");
  html += "</div>\n";
  if (report.plan_chart) {
    html += "<details>\n<summary>The plan (predicted, in estimated hours)</summary>\n<div id=\"plan-gantt\">\n";
    html += RenderGanttSvgElement({*report.plan_chart}, "The plan");
    html += "</div>\n</details>\n";
  }
  return html + "</section>\n";
}

std::string GraphSection(const std::string& svg, const std::string& error) {
  std::string html = "<section id=\"graph-section\">\n<h2>Dependency graph</h2>\n<div id=\"graph\">\n";
  html += svg.empty() ? fmt::format("<p class=\"note\">{}</p>\n", H(error)) : svg;
  return html + "</div>\n</section>\n";
}

std::string AttemptLine(const ReportAttempt& attempt) {
  std::string exit = "-";
  if (attempt.signal) {
    exit = fmt::format("signal {}", *attempt.signal);
  } else if (attempt.exit_code) {
    exit = fmt::format("exit {}", *attempt.exit_code);
  }
  const bool failed = CountsAsFailure(attempt.outcome);
  return fmt::format("<span class=\"attempt{}\" title=\"{}\">#{} {} · {} · {} · {} · {}</span>",
                     failed ? " failed-outcome" : "", H(Reason(attempt.error)), attempt.number,
                     OutcomeName(attempt.outcome), H(attempt.agent.empty() ? "-" : attempt.agent), H(exit),
                     DurationText(attempt.duration_seconds), CostCell(attempt.usage));
}

std::string Workstreams(const RunReport& report) {
  std::string html =
      "<section id=\"workstreams\">\n<h2>Workstreams</h2>\n<table>\n<thead><tr><th>Workstream</th><th>Status</th>"
      "<th>Track</th><th>Agent</th><th>Duration</th><th>Cost</th><th>Attempts (outcome · agent · exit · duration · "
      "cost)</th><th>Reason</th></tr></thead>\n<tbody>\n";
  for (const ReportWorkstream& row : report.workstreams) {
    std::string attempts;
    for (const ReportAttempt& attempt : row.attempts) attempts += AttemptLine(attempt);
    html += fmt::format(
        "<tr id=\"ws-{0}\" data-status=\"{1}\"><td><code>{0}</code>{2}</td><td><span class=\"pill status-{1}\">{1}"
        "</span></td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td><td>{8}</td></tr>\n",
        H(row.id), StatusName(row.status), row.title.empty() ? "" : "<br>" + H(row.title),
        H(row.track.empty() ? "-" : row.track), H(row.agent.empty() ? "-" : row.agent),
        DurationText(row.duration_seconds), CostCell(row.usage), attempts.empty() ? "-" : attempts, H(row.reason));
  }
  return html + "</tbody>\n</table>\n</section>\n";
}

std::string Failures(const RunReport& report) {
  std::string html;
  for (const ReportWorkstream& row : report.workstreams) {
    if (row.status != WorkstreamStatus::kFailed && row.status != WorkstreamStatus::kBlocked) continue;
    if (html.empty()) html = "<section id=\"failures\">\n<h2>Failed and blocked</h2>\n";
    html += fmt::format("<article class=\"failure\" id=\"failure-{0}\">\n<h3><a href=\"#ws-{0}\">{0}</a> "
                        "<span class=\"pill status-{1}\">{1}</span></h3>\n",
                        H(row.id), StatusName(row.status));
    if (!row.error.empty()) html += "<pre class=\"error\">" + H(row.error) + "</pre>\n";
    if (!row.log_tail.empty()) {
      html += fmt::format("<p>The last lines of <code>{}</code>:</p>\n<pre class=\"log-tail\">{}</pre>\n",
                          H(row.log_path), H(row.log_tail));
    }
    html += "</article>\n";
  }
  return html.empty() ? "" : html + "</section>\n";
}

std::string Cost(const RunReport& report) {
  const UsageTotals& usage = report.usage;
  if (!usage.known) return "";
  std::string html = fmt::format("<section id=\"cost-section\">\n<h2>Cost</h2>\n<p>Total {}; tokens {}{}</p>\n",
                                 CostCell(usage.total), FormatTokens(usage.total),
                                 report.budget_usd ? "; budget " + FormatCost(*report.budget_usd) : "");
  html += "<table>\n<thead><tr><th>Agent type</th><th>Attempts</th><th>Tokens</th><th>Cost</th></tr></thead>\n"
          "<tbody>\n";
  for (const auto& [type, sum] : usage.by_type) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", H(type),
                        usage.attempts_by_type.at(type), FormatTokens(sum), CostCell(sum));
  }
  return html + "</tbody>\n</table>\n</section>\n";
}

/// A click on a node of the graph shows its workstream's row.
constexpr const char* kScript = R"(<script>
for (const node of document.querySelectorAll('#graph g.node')) {
  const title = node.querySelector('title');
  if (!title) continue;
  node.addEventListener('click', () => { location.hash = 'ws-' + title.textContent; });
}
</script>
)";

}  // namespace

bool ReportGraphSvg(const Project& project, const RunReport& report, std::string* svg, std::string* error) {
  if (project.graph->size() > kMaxReportGraphWorkstreams) {
    *error = fmt::format("{} workstreams are too many to draw here; `orchestra graph --format svg -o graph.svg` "
                         "draws them all",
                         project.graph->size());
    return false;
  }
  GraphPicture picture;
  // The report lists the project's workstreams first, in graph order.
  for (int node = 0; node < project.graph->size(); ++node) picture.statuses.push_back(report.workstreams[node].status);
  for (const std::string& id : report.critical_path) picture.critical_path.push_back(project.graph->IndexOf(id));
  std::string output;
  if (!RunDot(DotText(project, picture), "svg", &output, error)) return false;
  const size_t start = output.find("<svg");
  if (start == std::string::npos) {
    *error = "dot wrote no <svg> element";
    return false;
  }
  *svg = output.substr(start);
  return true;
}

std::string RenderReportHtml(const RunReport& report, const std::string& graph_svg, const std::string& graph_error) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Orchestra report: {}</title>\n"
      "<style>\n{}</style>\n</head>\n<body>\n<header>\n<h1>Orchestra report</h1>\n"
      "<p id=\"run-line\">{} · generated {} UTC</p>\n</header>\n",
      H(report.run_line), Style(), H(report.run_line), H(report.generated_at));
  html += SummarySection(report);
  html += Pauses(report);
  html += Charts(report);
  html += GraphSection(graph_svg, graph_error);
  html += Workstreams(report);
  html += Failures(report);
  html += Cost(report);
  return html + kScript + "</body>\n</html>\n";
}

}  // namespace orchestra
