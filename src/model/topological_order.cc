#include "topological_order.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace orchestra {

Adjacency ReverseEdges(const Adjacency& edges) {
  Adjacency reversed(edges.size());
  for (size_t node = 0; node < edges.size(); ++node) {
    for (int target : edges[node]) reversed[target].push_back(static_cast<int>(node));
  }
  return reversed;
}

std::vector<int> TopologicalOrder(const Adjacency& dependencies, const Adjacency& dependents) {
  const int count = static_cast<int>(dependencies.size());
  std::vector<int> waiting(count);
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int node = 0; node < count; ++node) {
    waiting[node] = static_cast<int>(dependencies[node].size());
    if (waiting[node] == 0) ready.push(node);
  }
  std::vector<int> order;
  order.reserve(count);
  while (!ready.empty()) {
    const int node = ready.top();
    ready.pop();
    order.push_back(node);
    for (int dependent : dependents[node]) {
      if (--waiting[dependent] == 0) ready.push(dependent);
    }
  }
  return order;
}

std::vector<double> BottomLevels(const Adjacency& dependencies, const Adjacency& dependents,
                                 const std::vector<double>& durations) {
  return BottomLevelsInOrder(TopologicalOrder(dependencies, dependents), dependents, durations);
}

std::vector<double> BottomLevelsInOrder(const std::vector<int>& order, const Adjacency& dependents,
                                        const std::vector<double>& durations) {
  std::vector<double> bottom(dependents.size(), 0.0);
  for (auto node = order.rbegin(); node != order.rend(); ++node) {
    double longest_after = 0;
    for (int dependent : dependents[*node]) longest_after = std::max(longest_after, bottom[dependent]);
    bottom[*node] = durations[*node] + longest_after;
  }
  return bottom;
}

std::vector<double> TopLevels(const Adjacency& dependencies, const Adjacency& dependents,
                              const std::vector<double>& durations) {
  return TopLevelsInOrder(TopologicalOrder(dependencies, dependents), dependencies, durations);
}

std::vector<double> TopLevelsInOrder(const std::vector<int>& order, const Adjacency& dependencies,
                                     const std::vector<double>& durations) {
  std::vector<double> top(dependencies.size(), 0.0);
  for (int node : order) {
    for (int dependency : dependencies[node]) {
      top[node] = std::max(top[node], top[dependency] + durations[dependency]);
    }
  }
  return top;
}

}  // namespace orchestra
