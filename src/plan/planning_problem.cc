#include "planning_problem.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "topological_order.h"

namespace orchestra {

bool PlanningProblem::Unconstrained() const {
  for (const std::vector<bool>& row : eligible) {
    if (std::find(row.begin(), row.end(), false) != row.end()) return false;
  }
  for (const std::vector<int>& row : conflicts) {
    if (!row.empty()) return false;
  }
  for (int priority : priorities) {
    if (priority != priorities.front()) return false;
  }
  return true;
}

bool PlanningProblem::IntegralDurations() const {
  for (double duration : durations) {
    if (duration != std::floor(duration)) return false;
  }
  return true;
}

namespace {

/// FNV-1a over the durations' bits and the edges: what a shape depends on.
uint64_t Fingerprint(const PlanningProblem& problem) {
  uint64_t hash = 1469598103934665603ull;
  auto mix = [&](uint64_t value) {
    hash ^= value;
    hash *= 1099511628211ull;
  };
  for (double duration : problem.durations) {
    uint64_t bits = 0;
    std::memcpy(&bits, &duration, sizeof bits);
    mix(bits);
  }
  for (const std::vector<int>& dependencies : problem.dependencies) {
    mix(dependencies.size());
    for (int dependency : dependencies) mix(static_cast<uint64_t>(dependency));
  }
  return hash;
}

}  // namespace

const ProblemShape& ShapeOf(const PlanningProblem& problem) {
  const uint64_t fingerprint = Fingerprint(problem);
  if (problem.shape_cache && problem.shape_cache->fingerprint == fingerprint) return *problem.shape_cache;
  auto shape = std::make_shared<ProblemShape>();
  shape->fingerprint = fingerprint;
  shape->dependents = ReverseEdges(problem.dependencies);
  shape->order = TopologicalOrder(problem.dependencies, shape->dependents);
  shape->bottom = BottomLevelsInOrder(shape->order, shape->dependents, problem.durations);
  shape->top = TopLevelsInOrder(shape->order, problem.dependencies, problem.durations);
  shape->dependents_start.reserve(problem.size() + 1);
  for (const std::vector<int>& dependents : shape->dependents) {
    shape->dependents_start.push_back(static_cast<int>(shape->dependents_flat.size()));
    shape->dependents_flat.insert(shape->dependents_flat.end(), dependents.begin(), dependents.end());
  }
  shape->dependents_start.push_back(static_cast<int>(shape->dependents_flat.size()));
  shape->by_bottom.resize(problem.size());
  std::iota(shape->by_bottom.begin(), shape->by_bottom.end(), 0);
  const std::vector<double>& bottom = shape->bottom;
  std::stable_sort(shape->by_bottom.begin(), shape->by_bottom.end(),
                   [&](int a, int b) { return bottom[a] > bottom[b]; });
  problem.shape_cache = std::move(shape);
  return *problem.shape_cache;
}

std::vector<std::vector<int>> Dependents(const PlanningProblem& problem) { return ShapeOf(problem).dependents; }

std::vector<int> TopologicalOrder(const PlanningProblem& problem) { return ShapeOf(problem).order; }

std::vector<double> BottomLevels(const PlanningProblem& problem) { return ShapeOf(problem).bottom; }

std::vector<double> TopLevels(const PlanningProblem& problem) { return ShapeOf(problem).top; }

namespace {

/// True when some time window needs more work inside it than the agents can
/// do, for every task fitting between its head (earliest start) and
/// `makespan` - tail (its latest finish).
bool EnergyInfeasible(const PlanningProblem& problem, const std::vector<double>& heads,
                      const std::vector<double>& tails, double makespan) {
  const int count = problem.size();
  std::vector<double> starts(heads), ends;
  ends.reserve(count);
  for (int task = 0; task < count; ++task) ends.push_back(makespan - tails[task]);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  std::sort(ends.begin(), ends.end());
  ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
  for (double window_start : starts) {
    for (double window_end : ends) {
      const double length = window_end - window_start;
      if (length <= 0) continue;
      const double capacity = problem.agent_count * length;
      double demand = 0;
      for (int task = 0; task < count && demand <= capacity; ++task) {
        const double duration = problem.durations[task];
        // Left-shifted as far as it can go, and right-shifted as far: the part
        // inside the window in the better of the two is unavoidable.
        const double latest_start = makespan - tails[task] - duration;
        const double inside = std::min({duration, length, heads[task] + duration - window_start,
                                        window_end - latest_start});
        if (inside > 0) demand += inside;
      }
      if (demand > capacity) return true;
    }
  }
  return false;
}

}  // namespace

LowerBound ComputeLowerBound(const PlanningProblem& problem, double upper_bound, int energy_limit) {
  LowerBound bound;
  if (problem.size() == 0 || problem.agent_count <= 0) return bound;
  const std::vector<double>& bottom = ShapeOf(problem).bottom;
  bound.critical_path = *std::max_element(bottom.begin(), bottom.end());
  double total = 0;
  for (double duration : problem.durations) total += duration;
  bound.work = total / problem.agent_count;
  const bool integral = problem.IntegralDurations();
  if (integral) bound.work = std::ceil(bound.work - 1e-9);
  bound.value = std::max(bound.critical_path, bound.work);
  if (integral && problem.size() <= energy_limit && bound.value < upper_bound) {
    const std::vector<double>& heads = ShapeOf(problem).top;
    std::vector<double> tails(problem.size());
    for (int task = 0; task < problem.size(); ++task) tails[task] = bottom[task] - problem.durations[task];
    double makespan = bound.value;
    while (makespan < upper_bound && EnergyInfeasible(problem, heads, tails, makespan)) makespan += 1;
    bound.energy = makespan;
    bound.value = std::max(bound.value, bound.energy);
  }
  return bound;
}

}  // namespace orchestra
