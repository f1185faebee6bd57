// Integration tests of the pictures: `plan --gantt`, `report --gantt`, the
// chart at the end of `run`, and `graph` in DOT, Mermaid and SVG.
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "xml_check.h"
#include "test_paths.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

/// a, then b (2 estimated hours) and c (1 hour) after it; no config, so the
/// tests pick `--agents N` sim agents.
void WriteProject(const std::string& dir) {
  WriteFile(dir + "/workstreams/a.json", R"({"id": "a", "tasks": ["do a"], "estimate_hours": 1})");
  WriteFile(dir + "/workstreams/b.json", R"({"id": "b", "tasks": ["do b"], "depends_on": ["a"], "estimate_hours": 2})");
  WriteFile(dir + "/workstreams/c.json", R"({"id": "c", "tasks": ["do c"], "depends_on": ["a"], "estimate_hours": 1})");
}

void ExpectWellFormed(const std::string& path) {
  ASSERT_TRUE(fs::exists(path)) << path;
  std::string error;
  EXPECT_TRUE(WellFormedXml(ReadFile(path), &error)) << path << ": " << error;
}

int CountLines(const std::string& text, const std::string& pattern) {
  int count = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) count += std::regex_search(line, std::regex(pattern));
  return count;
}

TEST(VisualTest, PlanGanttWritesSvgOrHtmlBesideTheNormalOutput) {
  TempDir project;
  WriteProject(project.path());
  CommandResult svg = RunOrchestra(project.path(), {"--agents", "2", "plan", "--gantt", "charts/plan.svg"});
  ASSERT_EQ(svg.exit_code, 0) << svg.out << svg.err;
  EXPECT_NE(svg.out.find("Plan: 3 workstreams, 2 agents"), std::string::npos) << svg.out;
  EXPECT_NE(svg.err.find("Gantt chart: charts/plan.svg"), std::string::npos) << svg.err;
  ExpectWellFormed(project / "charts/plan.svg");
  const std::string chart = ReadFile(project / "charts/plan.svg");
  EXPECT_EQ(CountOccurrences(chart, "<rect class=\"bar\""), 3);
  EXPECT_EQ(CountOccurrences(chart, "<g class=\"lane\""), 2);

  CommandResult html = RunOrchestra(project.path(), {"--agents", "3", "--json", "plan", "--gantt", "plan.html"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_EQ(html.out.front(), '{');  // the JSON on stdout stays clean
  ExpectWellFormed(project / "plan.html");
  const std::string page = ReadFile(project / "plan.html");
  EXPECT_EQ(CountOccurrences(page, "<rect class=\"bar\""), 3);
  EXPECT_EQ(CountOccurrences(page, "<g class=\"lane\""), 3);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST(VisualTest, PlanGanttNeedsAKnownExtension) {
  TempDir project;
  WriteProject(project.path());
  CommandResult result = RunOrchestra(project.path(), {"--agents", "2", "plan", "--gantt", "plan.png"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(".svg or .html"), std::string::npos) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_FALSE(fs::exists(project / "plan.png"));
}

TEST(VisualTest, ChartPathsAreRelativeToWhereTheUserIs) {
  TempDir outside;
  WriteProject(outside / "project");
  CommandResult result =
      RunOrchestra(outside.path(), {"-C", "project", "--agents", "1", "plan", "--gantt", "plan.svg"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ExpectWellFormed(outside / "plan.svg");
  EXPECT_FALSE(fs::exists(outside / "project/plan.svg"));
}

TEST(VisualTest, RunAndReportDrawThePlanBesideTheRun) {
  TempDir project;
  WriteProject(project.path());
  CommandResult early = RunOrchestra(project.path(), {"--agents", "2", "report"});
  EXPECT_EQ(early.exit_code, 2) << early.out << early.err;

  CommandResult run = RunOrchestra(project.path(), {"--agents", "2", "run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("Gantt chart: reports/gantt.html"), std::string::npos) << run.out;
  ExpectWellFormed(project / "reports/gantt.html");

  fs::remove(project / "reports/execution_report.md");
  CommandResult report = RunOrchestra(project.path(), {"--agents", "2", "report", "--gantt", "run.svg"});
  ASSERT_EQ(report.exit_code, 0) << report.out << report.err;
  EXPECT_TRUE(fs::exists(project / "reports/execution_report.md"));
  EXPECT_NE(ReadFile(project / "reports/execution_report.md").find("| c | completed |"), std::string::npos);
  ExpectWellFormed(project / "run.svg");
  const std::string chart = ReadFile(project / "run.svg");
  EXPECT_EQ(CountOccurrences(chart, "<g class=\"chart\""), 2);
  EXPECT_EQ(CountOccurrences(chart, "<rect class=\"bar\""), 6);  // 3 planned + 3 attempts
  EXPECT_EQ(CountOccurrences(chart, "<g class=\"lane\""), 4);    // 2 agents, twice
  EXPECT_NE(chart.find("wall-clock seconds"), std::string::npos);
  EXPECT_NE(chart.find("estimated hours"), std::string::npos);
}

TEST(VisualTest, GraphPrintsDotMermaidOrSvg) {
  TempDir project;
  WriteProject(project.path());
  CommandResult dot = RunOrchestra(project.path(), {"--agents", "1", "graph"});
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_EQ(CountLines(dot.out, R"(^\s+"[abc]" \[)"), 3) << dot.out;
  EXPECT_EQ(CountLines(dot.out, R"(^\s+"[abc]" -> "[abc]")"), 2) << dot.out;
  EXPECT_EQ(CountOccurrences(dot.out, "fillcolor=\"#EEEEEE\""), 3);  // no state yet: all pending

  CommandResult mermaid = RunOrchestra(project.path(), {"--agents", "1", "graph", "--format", "mermaid"});
  ASSERT_EQ(mermaid.exit_code, 0) << mermaid.err;
  EXPECT_EQ(CountLines(mermaid.out, R"(^\s+n\d+\[")"), 3) << mermaid.out;
  EXPECT_EQ(CountLines(mermaid.out, R"(-->)"), 2) << mermaid.out;

  ASSERT_EQ(RunOrchestra(project.path(), {"--agents", "1", "run"}).exit_code, 0);
  CommandResult svg = RunOrchestra(project.path(), {"--agents", "1", "graph", "--format", "svg", "-o", "g.svg"});
  ASSERT_EQ(svg.exit_code, 0) << svg.err;
  ExpectWellFormed(project / "g.svg");
  const std::string graph = ReadFile(project / "g.svg");
  EXPECT_EQ(CountOccurrences(graph, "class=\"node completed\""), 3);
  EXPECT_EQ(CountOccurrences(graph, "class=\"edge\""), 2);
  EXPECT_EQ(CountOccurrences(graph, "fill=\"#a8dda0\""), 3) << graph;  // completed, as Graphviz writes it

  CommandResult by_extension = RunOrchestra(project.path(), {"--agents", "1", "graph", "-o", "g.mmd"});
  ASSERT_EQ(by_extension.exit_code, 0) << by_extension.err;
  EXPECT_EQ(ReadFile(project / "g.mmd").rfind("flowchart LR", 0), 0u);

  CommandResult bad = RunOrchestra(project.path(), {"--agents", "1", "graph", "--format", "png"});
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(VisualTest, GraphSvgWithoutGraphvizNamesThePackage) {
  TempDir project;
  WriteProject(project.path());
  CommandResult result = RunCommand(
      project.path(), {"env", "PATH=" + project.path(), ORCHESTRA_BINARY, "--agents", "1", "graph", "--format", "svg"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("Debian package graphviz"), std::string::npos) << result.err;
  EXPECT_EQ(result.out, "");
}

}  // namespace
}  // namespace orchestra::testing
