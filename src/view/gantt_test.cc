#include "gantt.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "clock.h"

#include "xml_check.h"

namespace orchestra {
namespace {

using testing::CountOccurrences;
using testing::WellFormedXml;

struct Spec {
  std::string id;
  std::vector<std::string> depends_on;
  std::string track;
  double hours = 1;
};

/// A validated-looking project: workstreams sorted by id, agents as given.
Project MakeProject(const std::vector<Spec>& specs, const std::vector<std::pair<std::string, std::string>>& agents) {
  Project project;
  for (const Spec& spec : specs) {
    Workstream workstream;
    workstream.id = spec.id;
    workstream.depends_on = spec.depends_on;
    workstream.track = spec.track;
    workstream.estimate_hours = spec.hours;
    workstream.estimate_source = EstimateSource::kField;
    project.workstreams.push_back(workstream);
  }
  for (const auto& [id, track] : agents) project.config.agents.push_back({id, "sim", track, 0});
  project.graph = std::make_unique<Graph>(project.workstreams);
  return project;
}

Project Diamond() {
  return MakeProject({{"a", {}, "", 1}, {"b", {"a"}, "red", 3}, {"c", {"a"}, "blue", 1}, {"d", {"b", "c"}, "", 2}},
                     {{"agent-1", "red"}, {"agent-2", "blue"}});
}

size_t BarCount(const GanttChart& chart) {
  size_t bars = 0;
  for (const GanttLane& lane : chart.lanes) bars += lane.bars.size();
  return bars;
}

void ExpectWellFormed(const std::string& text) {
  std::string error;
  EXPECT_TRUE(WellFormedXml(text, &error)) << error << "\n" << text;
}

TEST(GanttTest, PlanChartHasALanePerAgentAndABarPerWorkstream) {
  const Project project = Diamond();
  const Plan plan = MakePlan(project, {});
  const GanttChart chart = GanttFromPlan(project, plan);
  ASSERT_EQ(chart.lanes.size(), 2u);
  EXPECT_EQ(chart.lanes[0].agent, "agent-1");
  EXPECT_EQ(BarCount(chart), 4u);
  for (const GanttLane& lane : chart.lanes) {
    for (const GanttBar& bar : lane.bars) {
      // a -> b -> d is the longest path (6h).
      EXPECT_EQ(bar.critical, bar.workstream != "c") << bar.workstream;
      EXPECT_LT(bar.start, bar.end);
    }
  }
  const std::string svg = RenderGanttSvg({chart}, "plan");
  ExpectWellFormed(svg);
  EXPECT_EQ(CountOccurrences(svg, "<rect class=\"bar\""), 4);
  EXPECT_EQ(CountOccurrences(svg, "<g class=\"lane\""), 2);
  EXPECT_EQ(CountOccurrences(svg, "<g class=\"chart\""), 1);
  // A tooltip per bar, the legend names the tracks and the critical path.
  EXPECT_EQ(CountOccurrences(svg, "<g class=\"bar-group\"><title>"), 4);
  EXPECT_NE(svg.find("track red"), std::string::npos);
  EXPECT_NE(svg.find("critical path"), std::string::npos);
  EXPECT_NE(svg.find("6h"), std::string::npos);  // the axis reaches the end
}

TEST(GanttTest, TextIsEscaped) {
  GanttChart chart;
  chart.title = "<script>alert('x')</script> & co";
  chart.unit = "h";
  chart.lanes.push_back({"agent \"<1>\"", "track a&b", {{"ws-<&>", 0, 2, "t<1>", true, BarState::kPlanned, "n'o\"te"}}});
  const std::string svg = RenderGanttSvg({chart}, "title & <more>");
  ExpectWellFormed(svg);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(svg.find("agent &quot;&lt;1&gt;&quot;"), std::string::npos);
  ExpectWellFormed(RenderGanttHtml({chart}, "title & <more>"));
}

TEST(GanttTest, HtmlIsSelfContainedWithTheChartAndATable) {
  const Project project = Diamond();
  const std::string html = RenderGanttHtml({GanttFromPlan(project, MakePlan(project, {}))}, "Plan");
  ExpectWellFormed(html);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(CountOccurrences(html, "<svg "), 1);
  EXPECT_EQ(CountOccurrences(html, "<rect class=\"bar\""), 4);
  EXPECT_EQ(CountOccurrences(html, "<tr><td>"), 4);
  // Nothing to fetch: no scripts, links, images or remote URLs besides the SVG namespace.
  for (const char* outside : {"<script", "href=", "src=", "<link", "url(http", "@import"}) {
    EXPECT_EQ(html.find(outside), std::string::npos) << outside;
  }
  EXPECT_EQ(CountOccurrences(html, "http"), 1);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
}

TEST(GanttTest, StackedChartsShareTrackColours) {
  GanttChart plan{"Plan", "h", "hours", {{"agent-1", "", {{"a", 0, 1, "blue", false, BarState::kPlanned, ""}}}}};
  GanttChart run{"Run", "s", "seconds", {{"agent-1", "", {{"z", 0, 9, "zeta", false, BarState::kSucceeded, ""},
                                                           {"a", 9, 10, "blue", false, BarState::kSucceeded, ""}}}}};
  const std::string svg = RenderGanttSvg({plan, run}, "both");
  ExpectWellFormed(svg);
  EXPECT_EQ(CountOccurrences(svg, "<g class=\"chart\""), 2);
  EXPECT_EQ(CountOccurrences(svg, "<rect class=\"bar\""), 3);
  // Both "a" bars (track blue) have the same fill; zeta's differs.
  std::regex fill_of(R"re(<title>(\w)\n[^<]*</title>\n<rect class="bar"[^>]* fill="(#[0-9A-F]+)")re");
  std::map<std::string, std::set<std::string>> fills;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), fill_of); it != std::sregex_iterator(); ++it) {
    fills[(*it)[1]].insert((*it)[2]);
  }
  ASSERT_EQ(fills["a"].size(), 1u) << svg;
  ASSERT_EQ(fills["z"].size(), 1u);
  EXPECT_NE(*fills["a"].begin(), *fills["z"].begin());
  // Each chart has its own axis unit.
  EXPECT_NE(svg.find(">1.0h</text>"), std::string::npos);
  EXPECT_NE(svg.find(">10s</text>"), std::string::npos);
}

TEST(GanttTest, AttemptsBecomeBarsPerAgentWithoutOverlap) {
  const Project project = Diamond();
  StateSnapshot snapshot;
  ASSERT_TRUE(ParseTimestamp("2024-05-01 10:00:10", &snapshot.now));
  auto attempt = [](std::string id, int number, std::string agent, std::string start, std::string end,
                    AttemptOutcome outcome, double seconds) {
    AttemptRecord record;
    record.workstream_id = id;
    record.attempt = number;
    record.agent_id = agent;
    record.started_at = start;
    record.ended_at = end;
    record.outcome = outcome;
    record.duration_seconds = seconds;
    return record;
  };
  // Stored to the second: a's two attempts and b start within the same second.
  snapshot.attempts = {
      attempt("a", 1, "agent-1", "2024-05-01 10:00:00", "2024-05-01 10:00:00", AttemptOutcome::kFailed, 0.3),
      attempt("a", 2, "agent-1", "2024-05-01 10:00:00", "2024-05-01 10:00:00", AttemptOutcome::kSucceeded, 0.4),
      attempt("b", 1, "agent-2", "2024-05-01 10:00:00", "2024-05-01 10:00:01", AttemptOutcome::kSucceeded, 0.5),
      attempt("c", 1, "agent-1", "2024-05-01 10:00:01", "", AttemptOutcome::kRunning, 0),
      attempt("d", 1, "visitor", "2024-05-01 10:00:02", "2024-05-01 10:00:03", AttemptOutcome::kTimedOut, 1.0),
  };
  const GanttChart chart = GanttFromAttempts(snapshot, project, {0, 1, 3});
  EXPECT_EQ(chart.unit, "s");
  ASSERT_EQ(chart.lanes.size(), 3u);  // agent-1, agent-2, then the unknown "visitor"
  EXPECT_EQ(chart.lanes[2].agent, "visitor");
  ASSERT_EQ(chart.lanes[0].bars.size(), 3u);
  const GanttBar& failed = chart.lanes[0].bars[0];
  const GanttBar& retried = chart.lanes[0].bars[1];
  const GanttBar& running = chart.lanes[0].bars[2];
  EXPECT_EQ(failed.state, BarState::kFailed);
  EXPECT_DOUBLE_EQ(failed.start, 0);
  EXPECT_DOUBLE_EQ(retried.start, failed.end);  // one agent, one attempt at a time
  EXPECT_TRUE(retried.critical);
  EXPECT_EQ(running.state, BarState::kRunning);
  EXPECT_DOUBLE_EQ(running.end, 10);  // up to now
  // b waits for a's successful attempt, within what its timestamps allow.
  const GanttBar& b = chart.lanes[1].bars[0];
  EXPECT_GE(b.start, retried.end);
  EXPECT_DOUBLE_EQ(b.end - b.start, 0.5);
  EXPECT_EQ(chart.lanes[2].bars[0].state, BarState::kFailed);
  EXPECT_EQ(chart.lanes[2].bars[0].note, "attempt 1: timed_out");

  const std::string svg = RenderGanttSvg({chart}, "run");
  ExpectWellFormed(svg);
  EXPECT_EQ(CountOccurrences(svg, "<rect class=\"bar\""), 5);
  EXPECT_EQ(CountOccurrences(svg, "url(#failed-hatch)"), 3);  // two bars and the legend
  EXPECT_NE(svg.find("failed attempt"), std::string::npos);
}

TEST(GanttTest, LongRunsCountMinutesOrHours) {
  const Project project = Diamond();
  StateSnapshot snapshot;
  AttemptRecord record;
  record.workstream_id = "a";
  record.agent_id = "agent-1";
  record.started_at = "2024-05-01 10:00:00";
  record.ended_at = "2024-05-01 10:30:00";
  record.outcome = AttemptOutcome::kSucceeded;
  record.duration_seconds = 1800;
  snapshot.attempts = {record};
  GanttChart chart = GanttFromAttempts(snapshot, project, {});
  EXPECT_EQ(chart.unit, "m");
  EXPECT_DOUBLE_EQ(chart.lanes[0].bars[0].end, 30);
  snapshot.attempts[0].duration_seconds = 3 * 3600;
  snapshot.attempts[0].ended_at = "2024-05-01 13:00:00";
  chart = GanttFromAttempts(snapshot, project, {});
  EXPECT_EQ(chart.unit, "h");
  EXPECT_DOUBLE_EQ(chart.lanes[0].bars[0].end, 3);
}

TEST(GanttTest, NoAttemptsStillDrawsTheAgents) {
  const Project project = Diamond();
  const GanttChart chart = GanttFromAttempts(StateSnapshot{}, project, {});
  EXPECT_EQ(chart.lanes.size(), 2u);
  EXPECT_EQ(BarCount(chart), 0u);
  const std::string svg = RenderGanttSvg({chart}, "nothing yet");
  ExpectWellFormed(svg);
  EXPECT_EQ(CountOccurrences(svg, "<g class=\"lane\""), 2);
  ExpectWellFormed(RenderGanttSvg({}, "no charts"));
}

TEST(GanttTest, FormatComesFromTheExtension) {
  GanttFormat format;
  EXPECT_TRUE(GanttFormatFromPath("out/plan.svg", &format));
  EXPECT_EQ(format, GanttFormat::kSvg);
  EXPECT_TRUE(GanttFormatFromPath("plan.HTML", &format));
  EXPECT_EQ(format, GanttFormat::kHtml);
  EXPECT_TRUE(GanttFormatFromPath("plan.htm", &format));
  EXPECT_FALSE(GanttFormatFromPath("plan.png", &format));
  EXPECT_FALSE(GanttFormatFromPath("plan", &format));
}

}  // namespace
}  // namespace orchestra
