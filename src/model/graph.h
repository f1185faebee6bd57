// The dependency graph: workstreams as nodes (by index), `depends_on` as edges.
// Pure data and algorithms; no I/O.
#pragma once

#include <string>
#include <vector>

#include "id_index.h"
#include "workstream.h"

namespace orchestra {

/// Graph is the DAG the scheduler and planner walk. Node i is workstreams[i] of
/// the vector it was built from. Dependencies on unknown ids are left out
/// (validation reports them). Self-dependencies are kept so cycles show them.
class Graph {
 public:
  explicit Graph(const std::vector<Workstream>& workstreams);
  /// A graph of plain nodes (e.g. a benchmark's tasks): `dependencies[i]`
  /// lists the nodes node i depends on.
  Graph(std::vector<std::string> ids, const std::vector<std::vector<int>>& dependencies);

  int size() const { return static_cast<int>(ids_.size()); }
  /// Index of `id`, or -1.
  int IndexOf(const std::string& id) const;
  const std::string& id(int node) const { return ids_[node]; }
  const std::vector<int>& dependencies(int node) const { return dependencies_[node]; }
  const std::vector<int>& dependents(int node) const { return dependents_[node]; }

  /// Cycles, each as the ids along it ending with its first (`a -> b -> a`), one
  /// per strongly connected component. Empty for a DAG.
  std::vector<std::vector<std::string>> FindCycles() const;

  /// Nodes in dependency order (ties by index). Requires an acyclic graph
  /// (nodes on a cycle, and after one, are left out). Computed once, when the
  /// graph is built: the scheduler, the planner and the waves all walk it.
  const std::vector<int>& TopologicalOrder() const { return order_; }

  /// Dependency levels: wave 0 has no dependencies, wave k depends on wave k-1.
  std::vector<std::vector<int>> Waves() const;

  /// For each node, the longest path from its start to the end of the graph,
  /// counting its own duration (the "bottom level" used for critical-path-first).
  std::vector<double> BottomLevels(const std::vector<double>& durations) const;

  /// The longest path through the graph by `durations`, in order.
  std::vector<int> CriticalPath(const std::vector<double>& durations) const;

  /// Every node that depends on `node`, directly or not (not `node` itself).
  std::vector<int> TransitiveDependents(int node) const;

  /// `targets` and everything they depend on, transitively, sorted.
  std::vector<int> WithDependencies(const std::vector<int>& targets) const;

 private:
  std::vector<std::string> ids_;
  IdIndex index_;  // of ids_
  std::vector<std::vector<int>> dependencies_;
  std::vector<std::vector<int>> dependents_;
  std::vector<int> order_;  // TopologicalOrder
};

}  // namespace orchestra
