#include "graph_export.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "graphviz.h"
#include "xml_check.h"

namespace orchestra {
namespace {

using testing::CountOccurrences;

/// a -> b -> d, a -> c -> d; b and c in tracks, a with a title that needs quoting.
Project Diamond() {
  Project project;
  const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> specs = {
      {"a", {}, ""}, {"b", {"a"}, "red"}, {"c", {"a"}, "blue"}, {"d", {"b", "c"}, ""}};
  for (const auto& [id, depends_on, track] : specs) {
    Workstream workstream;
    workstream.id = id;
    workstream.depends_on = depends_on;
    workstream.track = track;
    project.workstreams.push_back(workstream);
  }
  project.workstreams[0].title = "Say \"hi\" \\ <now>";
  project.graph = std::make_unique<Graph>(project.workstreams);
  return project;
}

GraphPicture Picture() {
  return {{WorkstreamStatus::kCompleted, WorkstreamStatus::kRunning, WorkstreamStatus::kFailed,
           WorkstreamStatus::kBlocked},
          {0, 1, 3}};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int CountLines(const std::string& text, const std::string& pattern) {
  int count = 0;
  for (const std::string& line : Lines(text)) count += std::regex_search(line, std::regex(pattern));
  return count;
}

TEST(GraphExportTest, DotHasANodePerWorkstreamAndAnEdgePerDependency) {
  const Project project = Diamond();
  const std::string dot = DotText(project, Picture());
  EXPECT_EQ(dot.rfind("digraph workstreams {", 0), 0u);
  EXPECT_EQ(CountLines(dot, R"(^\s+"[a-d]" \[)"), 4) << dot;
  EXPECT_EQ(CountLines(dot, R"(^\s+"[a-d]" -> "[a-d]")"), 4) << dot;
  EXPECT_EQ(CountLines(dot, R"(subgraph "cluster_)"), 2) << dot;
  // Fill by status; the critical path a -> b -> d in bold red, c -> d not.
  EXPECT_NE(dot.find("\"b\" [fillcolor=\"#9FD3F7\", class=\"running\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"a\" -> \"b\" [color=\"#C00000\", penwidth=3]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"b\" -> \"d\" [color=\"#C00000\", penwidth=3]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"c\" -> \"d\";"), std::string::npos) << dot;
  EXPECT_NE(dot.find(R"(Say \"hi\" \\ <now>)"), std::string::npos) << dot;
}

TEST(GraphExportTest, GraphvizLaysTheDotOutAsSvg) {
  const Project project = Diamond();
  std::string svg;
  std::string error;
  ASSERT_TRUE(RunDot(DotText(project, Picture()), "svg", &svg, &error))
      << error << " (scripts/install-deps.sh installs graphviz)";
  std::string xml_error;
  EXPECT_TRUE(testing::WellFormedXml(svg, &xml_error)) << xml_error;
  EXPECT_EQ(CountOccurrences(svg, "class=\"node "), 4);  // "node <status>"
  EXPECT_EQ(CountOccurrences(svg, "class=\"edge\""), 4);
  EXPECT_EQ(CountOccurrences(svg, "class=\"cluster\""), 2);
}

TEST(GraphExportTest, DotErrorsComeBackAsMessages) {
  std::string svg;
  std::string error;
  EXPECT_FALSE(RunDot("digraph {", "svg", &svg, &error));
  EXPECT_NE(error.find("dot failed"), std::string::npos) << error;
}

TEST(GraphExportTest, MermaidHasANodePerWorkstreamAndAnEdgePerDependency) {
  const Project project = Diamond();
  const std::string mermaid = MermaidText(project, Picture());
  EXPECT_EQ(mermaid.rfind("flowchart LR\n", 0), 0u);
  EXPECT_EQ(CountLines(mermaid, R"(^\s+n\d+\["[a-d]"\]$)"), 4) << mermaid;
  EXPECT_EQ(CountLines(mermaid, R"(^\s+n\d+ --> n\d+$)"), 4) << mermaid;
  EXPECT_EQ(CountLines(mermaid, R"re(^\s+subgraph track\d+\["track (red|blue)"\]$)re"), 2) << mermaid;
  EXPECT_EQ(CountLines(mermaid, R"(^\s+end$)"), 2) << mermaid;
  EXPECT_NE(mermaid.find("class n0 completed"), std::string::npos) << mermaid;
  EXPECT_NE(mermaid.find("class n3 blocked"), std::string::npos) << mermaid;
  // Links are numbered in order: a->b (0), a->c (1), b->d (2), c->d (3).
  EXPECT_NE(mermaid.find("linkStyle 0,2 stroke:#C00000"), std::string::npos) << mermaid;
  EXPECT_EQ(CountLines(mermaid, R"(^\s+style n\d+ stroke:#C00000)"), 3) << mermaid;
}

TEST(GraphExportTest, MissingStatusesArePending) {
  const Project project = Diamond();
  const std::string dot = DotText(project, GraphPicture{});
  EXPECT_EQ(CountOccurrences(dot, "fillcolor=\"#EEEEEE\""), 4) << dot;
  EXPECT_EQ(dot.find("penwidth=3"), std::string::npos);
}

}  // namespace
}  // namespace orchestra
