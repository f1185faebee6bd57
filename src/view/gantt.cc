#include "gantt.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "clock.h"
#include "palette.h"
#include "workstream.h"

namespace orchestra {

namespace {

// Layout, in SVG pixels. Text widths are estimated from character counts
// (no font metrics are available), generously enough for common sans fonts.
constexpr double kWidth = 1200;
constexpr double kRightMargin = 28;
constexpr double kLaneHeight = 30;
constexpr double kBarInset = 5;
constexpr double kChartHeader = 54;  // title and tick labels above the lanes
constexpr double kChartFooter = 34;  // axis label below the lanes
constexpr double kChartGap = 18;
constexpr double kLegendRow = 24;
constexpr double kBarFontWidth = 6.4;  // per character at font-size 11
constexpr double kNameFontWidth = 7.6;  // per character at font-size 13

constexpr Swatch kUntracked = kUntrackedSwatch;
// The Gantt chart outlines the critical path in black: red marks failures.
constexpr const char* kCriticalStroke = "#000";
constexpr const char* kFailedStroke = kFailedColor;

std::string Number(double value) { return fmt::format("{:.1f}", value); }

std::string Time(double value, const std::string& unit) { return fmt::format("{:.1f}{}", value, unit); }

/// Track name -> swatch, the same for every chart of one document.
class TrackColors {
 public:
  explicit TrackColors(const std::vector<GanttChart>& charts) {
    std::set<std::string> tracks;
    for (const GanttChart& chart : charts) {
      for (const GanttLane& lane : chart.lanes) {
        for (const GanttBar& bar : lane.bars) tracks.insert(bar.track);
      }
    }
    size_t next = 0;
    for (const std::string& track : tracks) {
      if (track.empty()) {
        has_untracked_ = true;
        continue;
      }
      order_.push_back(track);
      swatches_[track] = TrackSwatch(next++);
    }
  }
  Swatch For(const std::string& track) const {
    auto found = swatches_.find(track);
    return found == swatches_.end() ? kUntracked : found->second;
  }
  const std::vector<std::string>& tracks() const { return order_; }
  bool has_untracked() const { return has_untracked_; }

 private:
  std::vector<std::string> order_;
  std::map<std::string, Swatch> swatches_;
  bool has_untracked_ = false;
};

/// A round step for about ten ticks up to `span`.
double TickStep(double span) {
  if (span <= 0) return 1;
  const double raw = span / 10;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double normalized = raw / magnitude;
  const double factor = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
  return factor * magnitude;
}

std::string TickLabel(double value, double step, const std::string& unit) {
  if (step >= 1) return fmt::format("{:.0f}{}", value, unit);
  const int decimals = static_cast<int>(std::ceil(-std::log10(step)));
  return fmt::format("{:.{}f}{}", value, decimals, unit);
}

double LabelColumnWidth(const std::vector<GanttChart>& charts) {
  size_t name = 0;
  size_t caption = 0;
  for (const GanttChart& chart : charts) {
    for (const GanttLane& lane : chart.lanes) {
      name = std::max(name, lane.agent.size());
      caption = std::max(caption, lane.caption.size());
    }
  }
  const double width = std::max(name * kNameFontWidth, caption * kBarFontWidth) + 28;
  return std::clamp(width, 110.0, 300.0);
}

/// The text that fits in a bar `width` pixels wide: the id, its short form
/// ("ws-22" of "ws-22-task-queue"), a truncation, or nothing.
std::string FittingLabel(const std::string& id, double width) {
  const size_t fits = width > 8 ? static_cast<size_t>((width - 8) / kBarFontWidth) : 0;
  if (id.size() <= fits) return id;
  const size_t first = id.find('-');
  const size_t second = first == std::string::npos ? first : id.find('-', first + 1);
  if (second != std::string::npos && second <= fits) return id.substr(0, second);
  if (fits >= 8) return id.substr(0, fits - 1) + "\u2026";
  return "";
}

double ChartHeight(const GanttChart& chart) {
  return kChartHeader + std::max<size_t>(chart.lanes.size(), 1) * kLaneHeight + kChartFooter;
}

double ChartSpan(const GanttChart& chart) {
  double span = 0;
  for (const GanttLane& lane : chart.lanes) {
    for (const GanttBar& bar : lane.bars) span = std::max(span, bar.end);
  }
  return span;
}

std::string BarTooltip(const GanttBar& bar, const GanttLane& lane, const std::string& unit) {
  std::string text = fmt::format("{}\n{}{}\n{} \u2013 {} ({})", bar.workstream, lane.agent,
                                 bar.track.empty() ? "" : ", track " + bar.track, Time(bar.start, unit),
                                 Time(bar.end, unit), Time(bar.end - bar.start, unit));
  if (bar.critical) text += "\non the critical path";
  if (bar.state == BarState::kRunning) text += "\nrunning";
  if (!bar.note.empty()) text += "\n" + bar.note;
  return text;
}

std::string RenderBar(const GanttBar& bar, const GanttLane& lane, const GanttChart& chart,
                      const TrackColors& colors, double x0, double scale, double lane_y) {
  const Swatch swatch = colors.For(bar.track);
  const double x = x0 + bar.start * scale;
  const double width = std::max(1.5, (bar.end - bar.start) * scale);
  const double y = lane_y + kBarInset;
  const double height = kLaneHeight - 2 * kBarInset;
  std::string stroke = "#ffffff";
  double stroke_width = 1;
  if (bar.state == BarState::kFailed) {
    stroke = kFailedStroke;
    stroke_width = 2;
  } else if (bar.critical) {
    stroke = kCriticalStroke;
    stroke_width = 2.5;
  }
  std::string svg = fmt::format("<g class=\"bar-group\"><title>{}</title>\n", EscapeXml(BarTooltip(bar, lane, chart.unit)));
  svg += fmt::format(
      "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{}\"{} stroke=\"{}\" "
      "stroke-width=\"{}\"{}/>\n",
      Number(x), Number(y), Number(width), Number(height), swatch.fill,
      bar.state == BarState::kRunning ? " fill-opacity=\"0.55\"" : "", stroke, stroke_width,
      bar.state == BarState::kRunning ? " stroke-dasharray=\"4 2\"" : "");
  if (bar.state == BarState::kFailed) {
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"url(#failed-hatch)\"/>\n",
                       Number(x), Number(y), Number(width), Number(height));
  }
  const std::string label = FittingLabel(bar.workstream, width);
  if (!label.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"{}\">{}</text>\n", Number(x + 4),
                       Number(y + height / 2 + 4), swatch.text, EscapeXml(label));
  }
  return svg + "</g>\n";
}

std::string RenderChart(const GanttChart& chart, const TrackColors& colors, double label_width, double top) {
  const double x0 = label_width;
  const double plot_width = kWidth - label_width - kRightMargin;
  const double step = TickStep(ChartSpan(chart));
  const double axis_end = std::max(step, std::ceil(ChartSpan(chart) / step - 1e-9) * step);
  const double scale = plot_width / axis_end;
  const double lanes_top = top + kChartHeader;
  const double lanes_height = std::max<size_t>(chart.lanes.size(), 1) * kLaneHeight;

  std::string svg = fmt::format("<g class=\"chart\">\n<text class=\"chart-title\" x=\"12\" y=\"{}\" font-size=\"15\" "
                                "font-weight=\"bold\">{}</text>\n",
                                Number(top + 22), EscapeXml(chart.title));
  for (size_t i = 0; i < chart.lanes.size(); ++i) {
    const double y = lanes_top + i * kLaneHeight;
    svg += fmt::format("<rect class=\"lane-background\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                       Number(x0), Number(y), Number(plot_width), Number(kLaneHeight), i % 2 ? "#ececec" : "#f5f5f5");
  }
  const int ticks = static_cast<int>(std::lround(axis_end / step));
  for (int i = 0; i <= ticks; ++i) {
    const double tick = i * step;
    const double x = x0 + tick * scale;
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#d0d0d0\" stroke-width=\"1\"/>\n",
                       Number(x), Number(lanes_top - 4), Number(lanes_top + lanes_height));
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#444\" text-anchor=\"middle\">{}</text>\n",
                       Number(x), Number(lanes_top - 8), EscapeXml(TickLabel(tick, step, chart.unit)));
  }
  for (size_t i = 0; i < chart.lanes.size(); ++i) {
    const GanttLane& lane = chart.lanes[i];
    const double y = lanes_top + i * kLaneHeight;
    svg += fmt::format("<g class=\"lane\">\n<text x=\"12\" y=\"{}\" font-size=\"13\" fill=\"#222\">{}</text>\n",
                       Number(y + (lane.caption.empty() ? 19 : 14)), EscapeXml(lane.agent));
    if (!lane.caption.empty()) {
      svg += fmt::format("<text x=\"12\" y=\"{}\" font-size=\"10\" fill=\"#666\">{}</text>\n", Number(y + 26),
                         EscapeXml(lane.caption));
    }
    for (const GanttBar& bar : lane.bars) svg += RenderBar(bar, lane, chart, colors, x0, scale, y);
    svg += "</g>\n";
  }
  if (chart.lanes.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#666\">no agents</text>\n", Number(x0 + 8),
                       Number(lanes_top + 19));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#444\" text-anchor=\"middle\">{}</text>\n",
                     Number(x0 + plot_width / 2), Number(lanes_top + lanes_height + 20), EscapeXml(chart.axis_label));
  return svg + "</g>\n";
}

/// One legend entry: a swatch (drawn by `shape`) and its text.
struct LegendEntry {
  std::string shape;  // SVG attributes of a 22x14 rect
  std::string extra;  // an overlay drawn on the swatch, if any
  std::string text;
};

std::vector<LegendEntry> LegendEntries(const std::vector<GanttChart>& charts, const TrackColors& colors) {
  std::vector<LegendEntry> entries;
  for (const std::string& track : colors.tracks()) {
    entries.push_back({fmt::format("fill=\"{}\" stroke=\"#fff\"", colors.For(track).fill), "", "track " + track});
  }
  if (colors.has_untracked()) {
    entries.push_back({fmt::format("fill=\"{}\" stroke=\"#fff\"", kUntracked.fill), "", "untracked"});
  }
  bool critical = false;
  bool failed = false;
  bool running = false;
  for (const GanttChart& chart : charts) {
    for (const GanttLane& lane : chart.lanes) {
      for (const GanttBar& bar : lane.bars) {
        critical |= bar.critical;
        failed |= bar.state == BarState::kFailed;
        running |= bar.state == BarState::kRunning;
      }
    }
  }
  if (critical) {
    entries.push_back({fmt::format("fill=\"#fff\" stroke=\"{}\" stroke-width=\"2.5\"", kCriticalStroke), "",
                       "critical path"});
  }
  if (failed) {
    entries.push_back({fmt::format("fill=\"#fff\" stroke=\"{}\" stroke-width=\"2\"", kFailedStroke),
                       "fill=\"url(#failed-hatch)\"", "failed attempt"});
  }
  if (running) {
    entries.push_back({fmt::format("fill=\"{}\" fill-opacity=\"0.55\" stroke=\"#ffffff\" stroke-dasharray=\"4 2\"",
                                   kUntracked.fill),
                       "", "running"});
  }
  return entries;
}

double EntryWidth(const LegendEntry& entry) { return 22 + 6 + entry.text.size() * 6.8 + 22; }

int LegendRows(const std::vector<LegendEntry>& entries) {
  int rows = entries.empty() ? 0 : 1;
  double x = 12;
  for (const LegendEntry& entry : entries) {
    if (x + EntryWidth(entry) > kWidth - kRightMargin && x > 12) {
      ++rows;
      x = 12;
    }
    x += EntryWidth(entry);
  }
  return rows;
}

std::string RenderLegend(const std::vector<LegendEntry>& entries, double top) {
  std::string svg = "<g class=\"legend\">\n";
  double x = 12;
  double y = top;
  for (const LegendEntry& entry : entries) {
    if (x + EntryWidth(entry) > kWidth - kRightMargin && x > 12) {
      x = 12;
      y += kLegendRow;
    }
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"22\" height=\"14\" rx=\"3\" {}/>\n", Number(x), Number(y),
                       entry.shape);
    if (!entry.extra.empty()) {
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"22\" height=\"14\" rx=\"3\" {}/>\n", Number(x), Number(y),
                         entry.extra);
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#222\">{}</text>\n", Number(x + 28),
                       Number(y + 11), EscapeXml(entry.text));
    x += EntryWidth(entry);
  }
  return svg + "</g>\n";
}

/// The SVG element itself, without an XML declaration (so HTML can inline it).
std::string SvgElement(const std::vector<GanttChart>& charts, const std::string& title) {
  const TrackColors colors(charts);
  const double label_width = LabelColumnWidth(charts);
  const std::vector<LegendEntry> legend = LegendEntries(charts, colors);
  double height = 8;
  for (const GanttChart& chart : charts) height += ChartHeight(chart) + kChartGap;
  const double legend_top = height;
  height += LegendRows(legend) * kLegendRow + 8;

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" role=\"img\">\n<title>{2}</title>\n",
      Number(kWidth), Number(height), EscapeXml(title));
  svg +=
      "<defs><pattern id=\"failed-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
      "patternTransform=\"rotate(45)\"><rect width=\"2\" height=\"6\" fill=\"#C00000\" fill-opacity=\"0.6\"/>"
      "</pattern></defs>\n";
  svg += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", Number(kWidth), Number(height));
  double top = 8;
  for (const GanttChart& chart : charts) {
    svg += RenderChart(chart, colors, label_width, top);
    top += ChartHeight(chart) + kChartGap;
  }
  svg += RenderLegend(legend, legend_top);
  return svg + "</svg>\n";
}

std::string BarMarks(const GanttBar& bar) {
  std::vector<std::string> marks;
  if (bar.critical) marks.push_back("critical path");
  if (bar.state == BarState::kFailed) marks.push_back("failed");
  if (bar.state == BarState::kRunning) marks.push_back("running");
  if (!bar.note.empty()) marks.push_back(bar.note);
  std::string text;
  for (const std::string& mark : marks) text += (text.empty() ? "" : "; ") + mark;
  return text;
}

std::string HtmlTable(const GanttChart& chart) {
  std::string html = fmt::format("<h2>{}</h2>\n<table>\n<thead><tr><th>Agent</th><th>Workstream</th><th>Track</th>"
                                 "<th>Start</th><th>End</th><th>Duration</th><th>Notes</th></tr></thead>\n<tbody>\n",
                                 EscapeXml(chart.title));
  for (const GanttLane& lane : chart.lanes) {
    for (const GanttBar& bar : lane.bars) {
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                          EscapeXml(lane.agent), EscapeXml(bar.workstream), EscapeXml(bar.track.empty() ? "-" : bar.track),
                          Time(bar.start, chart.unit), Time(bar.end, chart.unit),
                          Time(bar.end - bar.start, chart.unit), EscapeXml(BarMarks(bar)));
    }
  }
  return html + "</tbody>\n</table>\n";
}

/// "ws-22" -> the workstream's track, from the project or else the state.
std::string TrackOf(const Project& project, const StateSnapshot& snapshot, const std::string& id) {
  const int node = project.graph ? project.graph->IndexOf(id) : -1;
  if (node >= 0) return project.workstreams[node].track;
  for (const WorkstreamRecord& record : snapshot.workstreams) {
    if (record.workstream_id == id) return record.track;
  }
  return "";
}

const char* BarStateName(BarState state) {
  switch (state) {
    case BarState::kPlanned: return "planned";
    case BarState::kSucceeded: return "succeeded";
    case BarState::kFailed: return "failed";
    case BarState::kRunning: return "running";
  }
  return "";
}

std::string AgentCaption(const AgentConfig& agent) {
  return agent.type + (agent.track.empty() ? "" : ", track " + agent.track);
}

}  // namespace

bool GanttFormatFromPath(const std::string& path, GanttFormat* format) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".svg") {
    *format = GanttFormat::kSvg;
    return true;
  }
  if (extension == ".html" || extension == ".htm") {
    *format = GanttFormat::kHtml;
    return true;
  }
  return false;
}

std::string EscapeXml(const std::string& text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&apos;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

nlohmann::json GanttChartJson(const GanttChart& chart) {
  nlohmann::json lanes = nlohmann::json::array();
  for (const GanttLane& lane : chart.lanes) {
    nlohmann::json bars = nlohmann::json::array();
    for (const GanttBar& bar : lane.bars) {
      bars.push_back({{"workstream", bar.workstream},
                      {"start", bar.start},
                      {"end", bar.end},
                      {"track", bar.track},
                      {"critical", bar.critical},
                      {"state", BarStateName(bar.state)},
                      {"note", bar.note}});
    }
    lanes.push_back({{"agent", lane.agent}, {"caption", lane.caption}, {"bars", bars}});
  }
  return {{"unit", chart.unit}, {"axis_label", chart.axis_label}, {"lanes", lanes}};
}

std::string RenderGanttSvgElement(const std::vector<GanttChart>& charts, const std::string& title) {
  return SvgElement(charts, title);
}

std::string RenderGanttSvg(const std::vector<GanttChart>& charts, const std::string& title) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + SvgElement(charts, title);
}

std::string RenderGanttHtml(const std::vector<GanttChart>& charts, const std::string& title) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{0}</title>\n<style>\n"
      "body {{ font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; margin: 24px; color: #222; }}\n"
      "svg {{ max-width: 100%; height: auto; }}\n"
      "table {{ border-collapse: collapse; margin-bottom: 24px; font-size: 13px; }}\n"
      "th, td {{ border: 1px solid #ccc; padding: 3px 8px; text-align: left; }}\n"
      "th {{ background: #f0f0f0; }}\n"
      "</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
      EscapeXml(title));
  html += SvgElement(charts, title);
  for (const GanttChart& chart : charts) html += HtmlTable(chart);
  return html + "</body>\n</html>\n";
}

bool WriteGanttFile(const std::string& path, const std::vector<GanttChart>& charts, const std::string& title,
                    std::string* error) {
  GanttFormat format;
  if (!GanttFormatFromPath(path, &format)) {
    *error = "cannot tell the chart format of '" + path + "': name it .svg or .html";
    return false;
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << (format == GanttFormat::kSvg ? RenderGanttSvg(charts, title) : RenderGanttHtml(charts, title));
  out.close();
  if (!out) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

GanttChart GanttFromPlan(const Project& project, const Plan& plan) {
  std::vector<bool> critical(project.workstreams.size(), false);
  for (int node : plan.critical_path) critical[node] = true;
  GanttChart chart;
  chart.unit = "h";
  chart.axis_label = "estimated hours from the start of the run";
  size_t scheduled = 0;
  for (size_t agent = 0; agent < project.config.agents.size(); ++agent) {
    const AgentConfig& config = project.config.agents[agent];
    GanttLane lane{config.id, AgentCaption(config), {}};
    if (agent < plan.timelines.size()) {
      for (const PlannedSlot& slot : plan.timelines[agent]) {
        const Workstream& workstream = project.workstreams[slot.workstream];
        lane.bars.push_back({workstream.id, slot.start_hours, slot.end_hours, workstream.track,
                             critical[slot.workstream], BarState::kPlanned, ""});
      }
    }
    scheduled += lane.bars.size();
    chart.lanes.push_back(std::move(lane));
  }
  chart.title = fmt::format("Plan: {} workstreams on {} agents, predicted finish {} (critical path {})", scheduled,
                            chart.lanes.size(), Time(plan.makespan_hours, "h"), Time(plan.critical_path_hours, "h"));
  return chart;
}

GanttChart GanttFromAttempts(const StateSnapshot& snapshot, const Project& project,
                             const std::vector<int>& critical_path) {
  std::set<std::string> critical;
  for (int node : critical_path) critical.insert(project.graph->id(node));

  // Lanes: configured agents first, then agents only the state knows.
  std::vector<GanttLane> lanes;
  std::map<std::string, size_t> lane_of;
  for (const AgentConfig& agent : project.config.agents) {
    lane_of[agent.id] = lanes.size();
    lanes.push_back({agent.id, AgentCaption(agent), {}});
  }

  double origin = 0;
  bool have_origin = false;
  for (const AttemptRecord& attempt : snapshot.attempts) {
    double started = 0;
    if (ParseTimestamp(attempt.started_at, &started) && (!have_origin || started < origin)) {
      origin = started;
      have_origin = true;
    }
  }

  // Place bars in seconds from the origin, in attempt order (the order they started).
  std::map<std::string, double> lane_free;      // agent -> end of its last bar
  std::map<std::string, double> completed_end;  // workstream -> end of its successful attempt
  std::set<std::string> workstreams;
  double span = 0;
  std::vector<std::pair<size_t, GanttBar>> placed;
  for (const AttemptRecord& attempt : snapshot.attempts) {
    double started = 0;
    if (!ParseTimestamp(attempt.started_at, &started)) continue;
    const bool running = attempt.outcome == AttemptOutcome::kRunning;
    double start = started - origin;
    double ended = 0;
    if (!running && ParseTimestamp(attempt.ended_at, &ended)) {
      start = std::max(start, ended - origin - attempt.duration_seconds);
    }
    start = std::max(start, lane_free[attempt.agent_id]);
    const int node = project.graph ? project.graph->IndexOf(attempt.workstream_id) : -1;
    if (node >= 0) {
      for (int dependency : project.graph->dependencies(node)) {
        auto done = completed_end.find(project.graph->id(dependency));
        if (done != completed_end.end()) start = std::max(start, done->second);
      }
    }
    const double end =
        running ? std::max(start, snapshot.now - origin) : start + std::max(0.0, attempt.duration_seconds);
    lane_free[attempt.agent_id] = end;
    if (attempt.outcome == AttemptOutcome::kSucceeded) completed_end[attempt.workstream_id] = end;
    span = std::max(span, end);
    workstreams.insert(attempt.workstream_id);

    if (!lane_of.count(attempt.agent_id)) {
      lane_of[attempt.agent_id] = lanes.size();
      lanes.push_back({attempt.agent_id.empty() ? "(no agent)" : attempt.agent_id, "", {}});
    }
    BarState state = running ? BarState::kRunning
                     : attempt.outcome == AttemptOutcome::kSucceeded ? BarState::kSucceeded
                                                                      : BarState::kFailed;
    placed.push_back({lane_of[attempt.agent_id],
                      {attempt.workstream_id, start, end, TrackOf(project, snapshot, attempt.workstream_id),
                       critical.count(attempt.workstream_id) > 0, state,
                       fmt::format("attempt {}: {}", attempt.attempt, OutcomeName(attempt.outcome))}});
  }

  // Seconds for short runs, minutes up to two hours, hours beyond.
  GanttChart chart;
  double divisor = 1;
  chart.unit = "s";
  chart.axis_label = "wall-clock seconds from the first attempt's start";
  if (span >= 2 * 3600) {
    divisor = 3600;
    chart.unit = "h";
    chart.axis_label = "wall-clock hours from the first attempt's start";
  } else if (span >= 120) {
    divisor = 60;
    chart.unit = "m";
    chart.axis_label = "wall-clock minutes from the first attempt's start";
  }
  for (auto& [lane, bar] : placed) {
    bar.start /= divisor;
    bar.end /= divisor;
    lanes[lane].bars.push_back(std::move(bar));
  }
  chart.lanes = std::move(lanes);
  chart.title = snapshot.attempts.empty()
                    ? std::string("Run: no attempts recorded yet")
                    : fmt::format("Run: {} attempts of {} workstreams, {} from first start to last end",
                                  snapshot.attempts.size(), workstreams.size(), FormatDuration(span));
  return chart;
}

}  // namespace orchestra
