// The files commands write beside what they print: the execution report
// (`run`, `report`) and Gantt charts (`plan --gantt`, `report --gantt`, the
// end of `run`). Each says where it wrote, or why it could not.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "gantt.h"
#include "project.h"
#include "report.h"

namespace orchestra {

/// Checks a `--gantt` file name before any work is done; false (exit 2) after
/// saying why.
bool CheckGanttPath(const std::string& path);

/// Writes a chart file and names it on `note` (stderr where stdout holds the
/// command's own output); false after the error.
bool WriteChart(const std::string& path, const std::vector<GanttChart>& charts, const std::string& title,
                std::FILE* note);

/// The plan of every workstream next to what the state records, on one page.
std::vector<GanttChart> PlanAndRunCharts(const Project& project, const StateSnapshot& snapshot);

/// Writes reports/execution_report.md (the Markdown report, `wall_seconds`
/// its wall time) and names it on stdout; false after the error.
bool WriteReport(const Project& project, const StateSnapshot& snapshot, double wall_seconds);

}  // namespace orchestra
