#include "graph_export.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "palette.h"

namespace orchestra {

namespace {

const WorkstreamStatus kAllStatuses[] = {WorkstreamStatus::kPending, WorkstreamStatus::kRunning,
                                         WorkstreamStatus::kCompleted, WorkstreamStatus::kFailed,
                                         WorkstreamStatus::kBlocked};

WorkstreamStatus StatusOf(const GraphPicture& picture, int node) {
  return node < static_cast<int>(picture.statuses.size()) ? picture.statuses[node] : WorkstreamStatus::kPending;
}

/// Track name -> its workstreams, tracks in name order (the palette order);
/// untracked workstreams under "".
std::map<std::string, std::vector<int>> NodesByTrack(const Project& project) {
  std::map<std::string, std::vector<int>> by_track;
  for (size_t node = 0; node < project.workstreams.size(); ++node) {
    by_track[project.workstreams[node].track].push_back(static_cast<int>(node));
  }
  return by_track;
}

/// Pairs (dependency, dependent) along the critical path.
std::set<std::pair<int, int>> CriticalEdges(const GraphPicture& picture) {
  std::set<std::pair<int, int>> edges;
  for (size_t i = 1; i < picture.critical_path.size(); ++i) {
    edges.insert({picture.critical_path[i - 1], picture.critical_path[i]});
  }
  return edges;
}

std::string DotQuote(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (c == '\n') {
      quoted += "\\n";
      continue;
    }
    quoted += c;
  }
  return quoted + "\"";
}

std::string DotNode(const Project& project, const GraphPicture& picture, const std::set<int>& critical, int node) {
  const Workstream& workstream = project.workstreams[node];
  const WorkstreamStatus status = StatusOf(picture, node);
  std::string tooltip = workstream.id + ": " + StatusName(status);
  if (!workstream.title.empty()) tooltip += "\n" + workstream.title;
  if (!workstream.track.empty()) tooltip += "\ntrack " + workstream.track;
  // The class names the status in the SVG too (`class="node completed"`), so
  // a page reads it from the same drawing as the fill.
  std::string attributes = fmt::format("fillcolor=\"{}\", class=\"{}\", tooltip={}", StatusFill(status),
                                       StatusName(status), DotQuote(tooltip));
  if (critical.count(node)) attributes += fmt::format(", color=\"{}\", penwidth=3", kCriticalColor);
  return fmt::format("{} [{}];\n", DotQuote(workstream.id), attributes);
}

std::string MermaidLabel(const std::string& text) {
  std::string label;
  for (char c : text) label += c == '"' ? std::string("#quot;") : std::string(1, c);
  return label;
}

}  // namespace

std::string DotText(const Project& project, const GraphPicture& picture) {
  const Graph& graph = *project.graph;
  const std::set<int> critical(picture.critical_path.begin(), picture.critical_path.end());
  std::string dot =
      "digraph workstreams {\n"
      "  graph [rankdir=LR, fontname=\"DejaVu Sans\", fontsize=11, nodesep=0.2, ranksep=0.45, labelloc=b,\n"
      "         label=\"fill: pending grey, running blue, completed green, failed red, blocked amber; "
      "boxes: tracks; bold red: critical path\"];\n"
      "  node [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans\", fontsize=10, color=\"#555555\"];\n"
      "  edge [color=\"#777777\", arrowsize=0.7];\n";
  size_t track_index = 0;
  for (const auto& [track, nodes] : NodesByTrack(project)) {
    if (track.empty()) {
      for (int node : nodes) dot += "  " + DotNode(project, picture, critical, node);
      continue;
    }
    const Swatch swatch = TrackSwatch(track_index++);
    dot += fmt::format("  subgraph {} {{\n    label={}; style=\"rounded\"; color=\"{}\"; penwidth=2.5; "
                       "fontcolor=\"#222222\";\n",
                       DotQuote("cluster_" + track), DotQuote("track " + track), swatch.fill);
    for (int node : nodes) dot += "    " + DotNode(project, picture, critical, node);
    dot += "  }\n";
  }
  const std::set<std::pair<int, int>> critical_edges = CriticalEdges(picture);
  for (int node = 0; node < graph.size(); ++node) {
    for (int dependency : graph.dependencies(node)) {
      dot += fmt::format("  {} -> {}", DotQuote(graph.id(dependency)), DotQuote(graph.id(node)));
      if (critical_edges.count({dependency, node})) {
        dot += fmt::format(" [color=\"{}\", penwidth=3]", kCriticalColor);
      }
      dot += ";\n";
    }
  }
  return dot + "}\n";
}

std::string MermaidText(const Project& project, const GraphPicture& picture) {
  const Graph& graph = *project.graph;
  std::string text = "flowchart LR\n";
  auto node_line = [&](int node) {
    return fmt::format("n{}[\"{}\"]\n", node, MermaidLabel(project.workstreams[node].id));
  };
  std::string styles;
  size_t track_index = 0;
  for (const auto& [track, nodes] : NodesByTrack(project)) {
    if (track.empty()) {
      for (int node : nodes) text += "  " + node_line(node);
      continue;
    }
    const std::string subgraph = fmt::format("track{}", track_index);
    const Swatch swatch = TrackSwatch(track_index++);
    text += fmt::format("  subgraph {}[\"track {}\"]\n", subgraph, MermaidLabel(track));
    for (int node : nodes) text += "    " + node_line(node);
    text += "  end\n";
    styles += fmt::format("  style {} fill:#ffffff,stroke:{},stroke-width:3px\n", subgraph, swatch.fill);
  }
  const std::set<std::pair<int, int>> critical_edges = CriticalEdges(picture);
  std::vector<int> critical_links;
  int link = 0;
  for (int node = 0; node < graph.size(); ++node) {
    for (int dependency : graph.dependencies(node)) {
      text += fmt::format("  n{} --> n{}\n", dependency, node);
      if (critical_edges.count({dependency, node})) critical_links.push_back(link);
      ++link;
    }
  }
  for (WorkstreamStatus status : kAllStatuses) {
    std::string members;
    for (int node = 0; node < graph.size(); ++node) {
      if (StatusOf(picture, node) == status) members += fmt::format("{}n{}", members.empty() ? "" : ",", node);
    }
    text += fmt::format("  classDef {} fill:{},stroke:#555555,color:#000000\n", StatusName(status), StatusFill(status));
    if (!members.empty()) text += fmt::format("  class {} {}\n", members, StatusName(status));
  }
  text += styles;
  for (int node : picture.critical_path) {
    text += fmt::format("  style n{} stroke:{},stroke-width:3px\n", node, kCriticalColor);
  }
  if (!critical_links.empty()) {
    std::string links;
    for (int index : critical_links) links += fmt::format("{}{}", links.empty() ? "" : ",", index);
    text += fmt::format("  linkStyle {} stroke:{},stroke-width:3px\n", links, kCriticalColor);
  }
  return text;
}

}  // namespace orchestra
