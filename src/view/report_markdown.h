// The Markdown report: `reports/execution_report.md`, written at the end of
// every run and by `orchestra report`, and `orchestra report --format md`.
#pragma once

#include <string>

#include "report_model.h"

namespace orchestra {

/// The report in Markdown: a summary (run, counts, wall time, ETA, cost,
/// pauses), the workstreams, the agents, every attempt (outcome, agent type,
/// tokens, cost), a cost section when any usage is known (total, per agent
/// type, the ten costliest workstreams), the pauses, the failed and blocked
/// workstreams with the last lines of their logs, and the event timeline.
std::string RenderReportMarkdown(const RunReport& report);

}  // namespace orchestra
