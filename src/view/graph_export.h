// The dependency graph as text for drawing programs: Graphviz DOT and Mermaid
// flowcharts. Workstreams are nodes filled by status and grouped in one box
// per track; dependencies are edges from a workstream to what waits for it;
// the critical path's nodes and edges are bold and red. Pure text, no I/O:
// `graphviz.h` runs `dot` to turn the DOT into SVG.
#pragma once

#include <string>
#include <vector>

#include "project.h"
#include "state_store.h"

namespace orchestra {

/// What to draw: `statuses` and `critical_path` by graph node (a missing
/// status counts as pending).
struct GraphPicture {
  std::vector<WorkstreamStatus> statuses;
  std::vector<int> critical_path;  // in order, as Plan::critical_path
};

/// A Graphviz digraph: one node statement per workstream (quoted id), one edge
/// statement per dependency, a `cluster_` subgraph per track, a legend label.
std::string DotText(const Project& project, const GraphPicture& picture);

/// A Mermaid `flowchart LR`: nodes `n<index>["id"]`, edges `-->`, a subgraph
/// per track, classes for statuses, styles for the critical path.
std::string MermaidText(const Project& project, const GraphPicture& picture);

}  // namespace orchestra
