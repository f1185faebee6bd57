// Gantt charts: one lane per agent, one bar per workstream (planned) or per
// attempt (actual), coloured by track, the critical path outlined. Rendered as
// a self-contained SVG (no fonts, scripts or links to fetch) or an HTML page
// holding that SVG and a table of the same bars.
//
// Several charts in one file are stacked, each on its own time axis: a plan is
// in estimated hours, a run in wall time, so each is scaled to the full width
// and its axis says which unit it counts. Track colours are shared by all
// charts of one file, so the same track has the same colour in both.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "planner.h"
#include "project.h"
#include "report.h"

namespace orchestra {

/// How a bar ended: planned and successful bars are plain, failed ones hatched
/// with a red outline, running ones faded up to "now".
enum class BarState { kPlanned, kSucceeded, kFailed, kRunning };

/// GanttBar is one stretch of one agent's time spent on one workstream.
struct GanttBar {
  std::string workstream;
  double start = 0;  // in the chart's unit, from the chart's origin
  double end = 0;
  std::string track;  // empty: untracked
  bool critical = false;
  BarState state = BarState::kPlanned;
  std::string note;  // extra tooltip line, e.g. "attempt 2: failed"
};

/// GanttLane is one agent's row.
struct GanttLane {
  std::string agent;
  std::string caption;  // under the agent's name, e.g. "track pipeline_plus"
  std::vector<GanttBar> bars;
};

/// GanttChart is one chart: its lanes on a time axis counted in `unit`.
struct GanttChart {
  std::string title;
  std::string unit;        // suffix of axis ticks and times: "h", "m" or "s"
  std::string axis_label;  // e.g. "estimated hours from the start"
  std::vector<GanttLane> lanes;
};

/// The output format, chosen from a file name's extension.
enum class GanttFormat { kSvg, kHtml };

/// `.svg` or `.html`/`.htm` (any case); false for anything else.
bool GanttFormatFromPath(const std::string& path, GanttFormat* format);

/// The charts stacked in one SVG document, with a legend of tracks and marks.
std::string RenderGanttSvg(const std::vector<GanttChart>& charts, const std::string& title);

/// The same `<svg>` element without the XML declaration, for inlining in HTML.
/// Each bar is one `<rect class="bar">`.
std::string RenderGanttSvgElement(const std::vector<GanttChart>& charts, const std::string& title);

/// An HTML page: `title`, the SVG inline, then one table of bars per chart.
std::string RenderGanttHtml(const std::vector<GanttChart>& charts, const std::string& title);

/// Writes the charts to `path` in the format its extension names (creating
/// folders). False with `*error` set for an unknown extension or a write error.
bool WriteGanttFile(const std::string& path, const std::vector<GanttChart>& charts,
                    const std::string& title, std::string* error);

/// `text` with &, <, >, " and ' escaped, for XML and HTML text and attributes.
std::string EscapeXml(const std::string& text);

/// A chart as JSON: {"unit", "axis_label", "lanes": [{"agent", "caption",
/// "bars": [{"workstream", "start", "end", "track", "critical", "state",
/// "note"}]}]}, `state` being planned, succeeded, failed or running.
nlohmann::json GanttChartJson(const GanttChart& chart);

/// The plan as a chart: one lane per configured agent, in estimated hours.
GanttChart GanttFromPlan(const Project& project, const Plan& plan);

/// The recorded attempts as a chart: one lane per agent (configured agents
/// first, then any other agent found in the state), one bar per attempt, in
/// seconds, minutes or hours from the first attempt's start, whichever keeps
/// the numbers readable. Running attempts end at `snapshot.now`. Workstreams
/// of `critical_path` are marked as on the critical path.
///
/// Timestamps are stored to the second, durations more finely: a bar starts at
/// the earliest moment consistent with its stored start and end, the end of its
/// agent's previous attempt and the ends of its dependencies, and lasts its
/// recorded duration. So short attempts do not overlap on the chart.
GanttChart GanttFromAttempts(const StateSnapshot& snapshot, const Project& project,
                             const std::vector<int>& critical_path);

}  // namespace orchestra
