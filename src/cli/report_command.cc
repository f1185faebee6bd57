#include "report_command.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "output_files.h"
#include "planner.h"
#include "report_html.h"
#include "orchestrator_lock.h"
#include "report_markdown.h"
#include "state_reader.h"
#include "state_store_factory.h"
#include "state_url.h"

namespace orchestra {
namespace {

namespace fs = std::filesystem;

/// The format a file name's extension names: "html", "md", "json", or "".
std::string FormatOfPath(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".html" || extension == ".htm") return "html";
  if (extension == ".md" || extension == ".markdown") return "md";
  if (extension == ".json") return "json";
  return "";
}

/// The format asked for ("" for the default pair of files); false after
/// saying why it cannot be told.
bool ChooseFormat(const CommandArgs& args, std::string* format) {
  *format = args.report_format;
  if (args.json) {
    if (!format->empty() && *format != "json") {
      PrintError("--json and --format " + *format + " ask for two formats: give one");
      return false;
    }
    *format = "json";
  }
  if (format->empty() && !args.output_path.empty()) {
    *format = FormatOfPath(args.output_path);
    if (format->empty()) {
      PrintError("-o " + args.output_path + ": cannot tell the report's format from the name: end it in .html, .md or "
                 ".json, or give --format html|md|json");
      return false;
    }
  }
  return true;
}

/// The newest state, read-only: the run may still be writing it. Exit 2
/// before the first run.
int ReadState(const Session& session, StateSnapshot* snapshot) {
  const std::string path = session.project.State();
  if (!StateExists(path, &session.clock)) {
    PrintError("no state at " + (IsPostgresUrl(path) ? RedactUrl(path) : DisplayPath(path)) +
               ": nothing has run yet (`orchestra run` first)");
    return kExitUsage;
  }
  std::string error;
  if (!StateReader(path, &session.clock).SnapshotWithLog(snapshot, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  snapshot->budget_usd = session.project.config.budget_usd;
  // A run row still "running" whose orchestrator is gone crashed (as `status` says).
  if (snapshot->has_run && snapshot->run.state == RunState::kRunning && !OrchestratorLock::Holder(path).held) {
    snapshot->run.state = RunState::kCrashed;
  }
  return kExitOk;
}

std::string HtmlReport(const Project& project, const RunReport& report) {
  std::string svg, error;
  ReportGraphSvg(project, report, &svg, &error);
  return RenderReportHtml(report, svg, error);
}

std::string Render(const Project& project, const RunReport& report, const std::string& format) {
  if (format == "html") return HtmlReport(project, report);
  if (format == "md") return RenderReportMarkdown(report);
  // Logs may hold bytes that are not UTF-8: replaced, never an exception.
  return RunReportJson(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

/// Writes `text` to `path` and names it on stdout; false after the error.
bool WriteNamed(const std::string& path, const std::string& text) {
  std::string error;
  if (!WriteReportFile(path, text, &error)) {
    PrintError(error);
    return false;
  }
  std::printf("Report: %s\n", DisplayPath(path).c_str());
  return true;
}

}  // namespace

int CommandReport(const CommandArgs& args) {
  std::string format;
  if (!CheckGanttPath(args.gantt_path) || !ChooseFormat(args, &format)) return kExitUsage;
  Session session;
  if (const int code = LoadCommandProject(args, {}, &session)) return code;
  StateSnapshot snapshot;
  if (const int code = ReadState(session, &snapshot)) return code;
  const Project& project = session.project;
  PlanOptions options;
  options.budget_seconds = project.config.planner_budget_seconds;
  options.scaling = false;
  const Plan plan = MakePlan(project, {}, options);
  // A PostgreSQL state may hold attempts of other hosts: their logs' copies are there.
  ReportOptions report_options;
  std::unique_ptr<StateStore> logs_store;
  if (IsPostgresUrl(project.State())) {
    bool absent = false;
    std::string ignored;  // without it, the tails come from the files on this host
    logs_store = OpenStateStore(project.State(), StateOpenMode::kReadOnly, {}, &session.clock, &absent, &ignored);
    report_options.store = logs_store.get();
  }
  const RunReport report = BuildRunReport(project, snapshot, &plan, report_options);

  bool written = true;
  if (format.empty()) {
    const fs::path folder = project.ReportsDir();
    written = WriteNamed((folder / "report.html").string(), HtmlReport(project, report)) &&
              WriteNamed((folder / "execution_report.md").string(), RenderReportMarkdown(report));
  } else if (!args.output_path.empty()) {
    written = WriteNamed(args.output_path, Render(project, report, format));
  } else {
    const std::string text = Render(project, report, format);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
  if (!written) return kExitIncomplete;
  if (!args.gantt_path.empty() &&
      !WriteChart(args.gantt_path, {GanttFromPlan(project, plan), report.run_chart}, "Orchestra: plan and run",
                  stderr)) {
    return kExitIncomplete;
  }
  return kExitOk;
}

}  // namespace orchestra
