#include "output_files.h"

#include <filesystem>

#include "command.h"
#include "planner.h"
#include "report_markdown.h"

namespace orchestra {

bool CheckGanttPath(const std::string& path) {
  GanttFormat format;
  if (path.empty() || GanttFormatFromPath(path, &format)) return true;
  PrintError("--gantt " + path + ": name the chart file .svg or .html");
  return false;
}

bool WriteChart(const std::string& path, const std::vector<GanttChart>& charts, const std::string& title,
                std::FILE* note) {
  std::string error;
  if (!WriteGanttFile(path, charts, title, &error)) {
    PrintError(error);
    return false;
  }
  std::fprintf(note, "Gantt chart: %s\n", DisplayPath(path).c_str());
  return true;
}

std::vector<GanttChart> PlanAndRunCharts(const Project& project, const StateSnapshot& snapshot) {
  // The chart needs the configured agents' schedule only, not the scaling table.
  PlanOptions options;
  options.budget_seconds = project.config.planner_budget_seconds;
  options.scaling = false;
  const Plan plan = MakePlan(project, {}, options);
  return {GanttFromPlan(project, plan), GanttFromAttempts(snapshot, project, plan.critical_path)};
}

bool WriteReport(const Project& project, const StateSnapshot& snapshot, double wall_seconds) {
  const std::string path = (std::filesystem::path(project.ReportsDir()) / "execution_report.md").string();
  RunReport report = BuildRunReport(project, snapshot, nullptr);
  report.elapsed_seconds = wall_seconds;
  std::string error;
  if (!WriteReportFile(path, RenderReportMarkdown(report), &error)) {
    PrintError(error);
    return false;
  }
  std::printf("Report: %s\n", DisplayPath(path).c_str());
  return true;
}

}  // namespace orchestra
