#include "graph.h"

#include <algorithm>
#include <queue>

#include "topological_order.h"

namespace orchestra {

Graph::Graph(const std::vector<Workstream>& workstreams) {
  const int count = static_cast<int>(workstreams.size());
  ids_.reserve(count);
  for (int node = 0; node < count; ++node) ids_.push_back(workstreams[node].id);
  index_ = IdIndex(ids_);  // first one wins on duplicates
  dependencies_.resize(count);
  dependents_.resize(count);
  for (int node = 0; node < count; ++node) {
    for (const std::string& dependency_id : workstreams[node].depends_on) {
      const int dependency = IndexOf(dependency_id);
      if (dependency < 0) continue;
      std::vector<int>& dependencies = dependencies_[node];
      if (std::find(dependencies.begin(), dependencies.end(), dependency) != dependencies.end()) {
        continue;
      }
      dependencies.push_back(dependency);
      dependents_[dependency].push_back(node);
    }
  }
  order_ = orchestra::TopologicalOrder(dependencies_, dependents_);
}

Graph::Graph(std::vector<std::string> ids, const std::vector<std::vector<int>>& dependencies)
    : ids_(std::move(ids)),
      dependencies_(dependencies),
      dependents_(ReverseEdges(dependencies)),
      order_(orchestra::TopologicalOrder(dependencies_, dependents_)) {
  index_ = IdIndex(ids_);
}

int Graph::IndexOf(const std::string& id) const {
  return index_.Find(id, ids_);
}

std::vector<std::vector<std::string>> Graph::FindCycles() const {
  // Tarjan's strongly connected components, iteratively so deep graphs cannot
  // overflow the stack; every component with more than one node (or a
  // self-loop) holds a cycle, which a DFS inside the component then spells out.
  const int count = size();
  std::vector<int> order(count, -1), low(count, 0);
  std::vector<bool> on_stack(count, false);
  std::vector<int> stack;
  std::vector<std::vector<int>> components;
  int counter = 0;
  for (int root = 0; root < count; ++root) {
    if (order[root] >= 0) continue;
    std::vector<std::pair<int, size_t>> frames{{root, 0}};
    order[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!frames.empty()) {
      auto& [node, next_edge] = frames.back();
      if (next_edge < dependencies_[node].size()) {
        const int next = dependencies_[node][next_edge++];
        if (order[next] < 0) {
          order[next] = low[next] = counter++;
          stack.push_back(next);
          on_stack[next] = true;
          frames.push_back({next, 0});
        } else if (on_stack[next]) {
          low[node] = std::min(low[node], order[next]);
        }
        continue;
      }
      if (low[node] == order[node]) {
        std::vector<int> component;
        int member;
        do {
          member = stack.back();
          stack.pop_back();
          on_stack[member] = false;
          component.push_back(member);
        } while (member != node);
        components.push_back(std::move(component));
      }
      const int finished = node;
      frames.pop_back();
      if (!frames.empty()) {
        low[frames.back().first] = std::min(low[frames.back().first], low[finished]);
      }
    }
  }

  std::vector<std::vector<std::string>> cycles;
  for (std::vector<int>& component : components) {
    const int start = *std::min_element(component.begin(), component.end());
    const bool self_loop = std::count(dependencies_[start].begin(), dependencies_[start].end(), start);
    if (component.size() == 1 && !self_loop) continue;
    std::vector<bool> in_component(count, false);
    for (int member : component) in_component[member] = true;
    // Breadth-first search from `start` back to `start` inside the component
    // gives the shortest cycle through it.
    std::vector<int> parent(count, -1);
    std::queue<int> frontier;
    frontier.push(start);
    int last = -1;
    while (!frontier.empty() && last < 0) {
      const int node = frontier.front();
      frontier.pop();
      std::vector<int> next_nodes = dependencies_[node];
      std::sort(next_nodes.begin(), next_nodes.end());
      for (int next : next_nodes) {
        if (!in_component[next]) continue;
        if (next == start) {
          last = node;
          break;
        }
        if (parent[next] >= 0) continue;
        parent[next] = node;
        frontier.push(next);
      }
    }
    std::vector<std::string> cycle;
    for (int node = last; node != start; node = parent[node]) cycle.push_back(ids_[node]);
    cycle.push_back(ids_[start]);
    std::reverse(cycle.begin(), cycle.end());
    cycle.push_back(ids_[start]);
    cycles.push_back(std::move(cycle));
  }
  std::sort(cycles.begin(), cycles.end());
  return cycles;
}

std::vector<std::vector<int>> Graph::Waves() const {
  std::vector<int> level(size(), 0);
  int deepest = -1;
  for (int node : TopologicalOrder()) {
    for (int dependency : dependencies_[node]) {
      level[node] = std::max(level[node], level[dependency] + 1);
    }
    deepest = std::max(deepest, level[node]);
  }
  std::vector<std::vector<int>> waves(deepest + 1);
  for (int node = 0; node < size(); ++node) waves[level[node]].push_back(node);
  return waves;
}

std::vector<double> Graph::BottomLevels(const std::vector<double>& durations) const {
  return BottomLevelsInOrder(order_, dependents_, durations);
}

std::vector<int> Graph::CriticalPath(const std::vector<double>& durations) const {
  if (size() == 0) return {};
  std::vector<double> bottom = BottomLevels(durations);
  auto better = [&](int a, int b) { return bottom[a] > bottom[b] || (bottom[a] == bottom[b] && a < b); };
  int node = -1;
  for (int candidate = 0; candidate < size(); ++candidate) {
    if (!dependencies_[candidate].empty()) continue;
    if (node < 0 || better(candidate, node)) node = candidate;
  }
  std::vector<int> path;
  while (node >= 0) {
    path.push_back(node);
    int next = -1;
    for (int dependent : dependents_[node]) {
      if (next < 0 || better(dependent, next)) next = dependent;
    }
    node = next;
  }
  return path;
}

std::vector<int> Graph::TransitiveDependents(int node) const {
  std::vector<bool> seen(size(), false);
  std::vector<int> pending{node}, result;
  while (!pending.empty()) {
    const int current = pending.back();
    pending.pop_back();
    for (int dependent : dependents_[current]) {
      if (seen[dependent]) continue;
      seen[dependent] = true;
      result.push_back(dependent);
      pending.push_back(dependent);
    }
  }
  std::sort(result.begin(), result.end());
  return result;
}

std::vector<int> Graph::WithDependencies(const std::vector<int>& targets) const {
  std::vector<bool> seen(size(), false);
  std::vector<int> pending, result;
  for (int target : targets) {
    if (!seen[target]) {
      seen[target] = true;
      pending.push_back(target);
    }
  }
  while (!pending.empty()) {
    const int current = pending.back();
    pending.pop_back();
    result.push_back(current);
    for (int dependency : dependencies_[current]) {
      if (seen[dependency]) continue;
      seen[dependency] = true;
      pending.push_back(dependency);
    }
  }
  std::sort(result.begin(), result.end());
  return result;
}

}  // namespace orchestra
