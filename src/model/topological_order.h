// Order and longest paths of a DAG given as adjacency lists: the one
// implementation behind the workstream Graph and the planner's
// PlanningProblem. Pure functions; no I/O.
#pragma once

#include <vector>

namespace orchestra {

/// Adjacency lists of nodes 0..n-1: `edges[node]` lists the nodes it points to.
using Adjacency = std::vector<std::vector<int>>;

/// The same edges reversed: from dependency lists, each node's dependents.
Adjacency ReverseEdges(const Adjacency& edges);

/// Nodes in dependency order (Kahn's algorithm; among ready nodes the lowest
/// index first). Nodes on a cycle, and those after one, are left out.
std::vector<int> TopologicalOrder(const Adjacency& dependencies, const Adjacency& dependents);

/// For each node, the longest path by `durations` from its start to the end of
/// the graph, its own duration included: the "bottom level" that
/// critical-path-first scheduling orders by. Requires a DAG.
std::vector<double> BottomLevels(const Adjacency& dependencies, const Adjacency& dependents,
                                 const std::vector<double>& durations);

/// For each node, the longest path by `durations` from the start of the graph
/// to its start: its earliest start with unlimited agents. Requires a DAG.
std::vector<double> TopLevels(const Adjacency& dependencies, const Adjacency& dependents,
                              const std::vector<double>& durations);

/// BottomLevels and TopLevels over an `order` TopologicalOrder already gave,
/// for callers that keep it (the order is the costly part on large graphs).
std::vector<double> BottomLevelsInOrder(const std::vector<int>& order, const Adjacency& dependents,
                                        const std::vector<double>& durations);
std::vector<double> TopLevelsInOrder(const std::vector<int>& order, const Adjacency& dependencies,
                                     const std::vector<double>& durations);

}  // namespace orchestra
