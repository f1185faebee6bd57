// The HTML report (`orchestra report`, reports/report.html): one
// self-contained page — inline CSS, SVG and a few lines of inline script,
// nothing fetched — with the summary, the run's Gantt chart per agent, the
// dependency graph, every workstream with its attempts, the failures with the
// last lines of their logs, the pauses and the cost.
#pragma once

#include <string>

#include "project.h"
#include "report_model.h"

namespace orchestra {

/// The most workstreams the report lays out as a graph; above it the page
/// says to use `orchestra graph` (dot takes long on huge graphs).
inline constexpr int kMaxReportGraphWorkstreams = 400;

/// The dependency graph as an `<svg>` element to inline: Graphviz `dot` on
/// DotText with the report's statuses and critical path. False with `*error`
/// set when `dot` is missing or fails, or the graph is too large to draw here.
bool ReportGraphSvg(const Project& project, const RunReport& report, std::string* svg, std::string* error);

/// The page. `graph_svg` is ReportGraphSvg's element; when it is empty the
/// page shows `graph_error` in its place. Every text from the state or a log
/// is escaped. The run chart's bars are the `rect.bar` elements inside
/// `#run-gantt`, one per attempt.
std::string RenderReportHtml(const RunReport& report, const std::string& graph_svg, const std::string& graph_error);

}  // namespace orchestra
