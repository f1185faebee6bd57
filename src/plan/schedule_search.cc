#include "schedule_search.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <functional>
#include <numeric>
#include <queue>
#include <random>
#include <set>

namespace orchestra {

ListSimulator::ListSimulator(const PlanningProblem& problem)
    : problem_(problem),
      shape_((ShapeOf(problem), problem.shape_cache)),
      dependents_(shape_->dependents),
      dependency_counts_(problem.size()),
      eligible_counts_(problem.agent_count, problem.size()),
      waiting_(problem.size()),
      agent_of_(problem.size()),
      busy_with_(problem.agent_count, -1),
      running_(problem.size(), 0) {
  for (int task = 0; task < problem.size(); ++task) {
    dependency_counts_[task] = static_cast<int>(problem.dependencies[task].size());
  }
  for (size_t agent = 0; agent < problem.eligible.size(); ++agent) {
    eligible_counts_[agent] = static_cast<int>(
        std::count(problem.eligible[agent].begin(), problem.eligible[agent].end(), true));
    if (eligible_counts_[agent] != problem.size()) unconstrained_ = false;
  }
  for (const std::vector<int>& row : problem.conflicts) {
    if (!row.empty()) unconstrained_ = false;
  }
}

double ListSimulator::Simulate(const std::vector<int>& rank, std::vector<ScheduledTask>* schedule) {
  if (schedule) schedule->clear();
  waiting_ = dependency_counts_;
  return unconstrained_ ? SimulateUnconstrained(rank, schedule) : SimulateConstrained(rank, schedule);
}

namespace {

// Finish events: earliest first, then task index (the order does not change
// any decision: every finish at one instant is processed before dispatching).
using Event = std::pair<double, int>;
using EventQueue = std::priority_queue<Event, std::vector<Event>, std::greater<Event>>;

}  // namespace

namespace {

/// The ready tasks of an unconstrained simulation, lowest rank first. With a
/// rank that is a permutation of 0..n-1 (`by_rank` given: the task at each
/// rank) a two-level bitmap over the ranks, whose pop and push are a few word
/// operations; otherwise a heap of (rank, task) keys. On 100,000 tasks the
/// heap's pops were 9% of `orchestra plan`.
class ReadyTasks {
 public:
  ReadyTasks(const std::vector<int>& rank, const int* by_rank, uint64_t* bits, uint64_t* summary)
      : rank_(rank), by_rank_(by_rank), bits_(bits), summary_(summary) {}

  bool empty() const { return count_ == 0; }
  void Push(int task) {
    ++count_;
    const uint32_t position = static_cast<uint32_t>(rank_[task]);
    if (by_rank_ == nullptr) {
      heap_.push((static_cast<uint64_t>(position) << 32) | static_cast<uint32_t>(task));
      return;
    }
    const uint32_t word = position >> 6;
    bits_[word] |= uint64_t{1} << (position & 63);
    summary_[word >> 6] |= uint64_t{1} << (word & 63);
    lowest_summary_ = std::min(lowest_summary_, word >> 6);
  }
  int Pop() {
    --count_;
    if (by_rank_ == nullptr) {
      const int task = static_cast<int>(heap_.top() & 0xffffffffu);
      heap_.pop();
      return task;
    }
    while (summary_[lowest_summary_] == 0) ++lowest_summary_;  // count_ > 0: a set bit lies ahead
    const uint32_t word = (lowest_summary_ << 6) + static_cast<uint32_t>(__builtin_ctzll(summary_[lowest_summary_]));
    const uint32_t position = (word << 6) + static_cast<uint32_t>(__builtin_ctzll(bits_[word]));
    bits_[word] &= bits_[word] - 1;  // the lowest set bit, the one just found
    if (bits_[word] == 0) summary_[word >> 6] &= ~(uint64_t{1} << (word & 63));
    return by_rank_[position];
  }

 private:
  const std::vector<int>& rank_;
  const int* by_rank_;
  uint64_t* bits_;
  uint64_t* summary_;
  uint32_t lowest_summary_ = UINT32_MAX;
  int count_ = 0;
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> heap_;
};

}  // namespace

double ListSimulator::SimulateUnconstrained(const std::vector<int>& rank,
                                            std::vector<ScheduledTask>* schedule) {
  // Ready tasks by rank, then index; idle agents by index (all agents are
  // alike here, so the Scheduler's choice is the lowest idle index). The
  // agent of a running task is kept beside it, not in its event.
  const int count = problem_.size();
  task_at_rank_.assign(static_cast<size_t>(count), -1);
  bool permutation = true;
  for (int task = 0; task < count && permutation; ++task) {
    const int position = rank[task];
    permutation = position >= 0 && position < count && task_at_rank_[position] < 0;
    if (permutation) task_at_rank_[position] = task;
  }
  const size_t words = static_cast<size_t>(count) / 64 + 1;
  ready_bits_.assign(words, 0);
  ready_summary_.assign(words / 64 + 1, 0);
  ReadyTasks ready(rank, permutation ? task_at_rank_.data() : nullptr, ready_bits_.data(), ready_summary_.data());
  std::priority_queue<int, std::vector<int>, std::greater<int>> idle;
  for (int agent = 0; agent < problem_.agent_count; ++agent) idle.push(agent);
  for (int task = 0; task < count; ++task) {
    if (waiting_[task] == 0) ready.Push(task);
  }
  const int* starts = shape_->dependents_start.data();
  const int* flat = shape_->dependents_flat.data();
  const double* durations = problem_.durations.data();
  int* waiting = waiting_.data();
  int* agent_of = agent_of_.data();
  EventQueue finishing;
  double now = 0;
  while (true) {
    while (!idle.empty() && !ready.empty()) {
      const int task = ready.Pop();
      const int agent = idle.top();
      idle.pop();
      const double end = now + durations[task];
      agent_of[task] = agent;
      finishing.push({end, task});
      if (schedule) schedule->push_back({task, agent, now, end});
    }
    if (finishing.empty()) break;
    now = finishing.top().first;
    while (!finishing.empty() && finishing.top().first == now) {
      const int task = finishing.top().second;
      finishing.pop();
      idle.push(agent_of[task]);
      for (const int* dependent = flat + starts[task]; dependent != flat + starts[task + 1]; ++dependent) {
        if (--waiting[*dependent] == 0) ready.Push(*dependent);
      }
    }
  }
  return now;
}

double ListSimulator::SimulateConstrained(const std::vector<int>& rank,
                                          std::vector<ScheduledTask>* schedule) {
  std::set<std::pair<int, int>> ready;
  for (int task = 0; task < problem_.size(); ++task) {
    if (waiting_[task] == 0) ready.insert({rank[task], task});
  }
  std::fill(busy_with_.begin(), busy_with_.end(), -1);
  std::fill(running_.begin(), running_.end(), 0);
  std::vector<int> agent_of(problem_.size(), -1);
  int running_count = 0;
  EventQueue finishing;
  double now = 0;
  auto conflicts_with_running = [&](int task) {
    if (problem_.conflicts.empty()) return false;
    for (int other : problem_.conflicts[task]) {
      if (running_[other]) return true;
    }
    return false;
  };
  auto pick_agent = [&](int task) {
    int best = -1;
    for (int agent = 0; agent < problem_.agent_count; ++agent) {
      if (busy_with_[agent] >= 0) continue;
      if (!problem_.eligible.empty() && !problem_.eligible[agent][task]) continue;
      if (best < 0 || eligible_counts_[agent] < eligible_counts_[best]) best = agent;
    }
    return best;
  };
  while (true) {
    for (auto it = ready.begin(); it != ready.end() && running_count < problem_.agent_count;) {
      const int task = it->second;
      const int agent = conflicts_with_running(task) ? -1 : pick_agent(task);
      if (agent < 0) {
        ++it;
        continue;
      }
      it = ready.erase(it);
      busy_with_[agent] = task;
      agent_of[task] = agent;
      running_[task] = 1;
      ++running_count;
      const double end = now + problem_.durations[task];
      finishing.push({end, task});
      if (schedule) schedule->push_back({task, agent, now, end});
    }
    if (finishing.empty()) break;
    now = finishing.top().first;
    while (!finishing.empty() && finishing.top().first == now) {
      const int task = finishing.top().second;
      finishing.pop();
      busy_with_[agent_of[task]] = -1;
      running_[task] = 0;
      --running_count;
      for (int dependent : dependents_[task]) {
        if (--waiting_[dependent] == 0) ready.insert({rank[dependent], dependent});
      }
    }
  }
  return now;
}

std::vector<int> RankFromOrder(const PlanningProblem& problem, const std::vector<int>& order) {
  std::vector<int> sorted = order;
  // Equal priorities everywhere (the usual case) leave the order as it is.
  if (!problem.priorities.empty() &&
      std::adjacent_find(problem.priorities.begin(), problem.priorities.end(), std::not_equal_to<>()) !=
          problem.priorities.end()) {
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](int a, int b) { return problem.priorities[a] > problem.priorities[b]; });
  }
  std::vector<int> rank(problem.size());
  for (size_t position = 0; position < sorted.size(); ++position) {
    rank[sorted[position]] = static_cast<int>(position);
  }
  return rank;
}

namespace {

/// Tasks sorted by `better` (a strict order; ties fall back to index).
std::vector<int> OrderBy(int count, const std::function<bool(int, int)>& better) {
  std::vector<int> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), better);
  return order;
}

/// Total duration of every task that (transitively) depends on each task;
/// bit sets make it O(n^2 / 64), so it is skipped for very large graphs.
std::vector<double> DescendantWork(const PlanningProblem& problem,
                                   const std::vector<std::vector<int>>& dependents) {
  const int count = problem.size();
  const int words = (count + 63) / 64;
  std::vector<uint64_t> reach(static_cast<size_t>(count) * words, 0);
  const std::vector<int>& order = ShapeOf(problem).order;
  for (auto task = order.rbegin(); task != order.rend(); ++task) {
    uint64_t* row = &reach[static_cast<size_t>(*task) * words];
    for (int dependent : dependents[*task]) {
      const uint64_t* other = &reach[static_cast<size_t>(dependent) * words];
      for (int word = 0; word < words; ++word) row[word] |= other[word];
      row[dependent / 64] |= uint64_t{1} << (dependent % 64);
    }
  }
  std::vector<double> work(count, 0);
  for (int task = 0; task < count; ++task) {
    const uint64_t* row = &reach[static_cast<size_t>(task) * words];
    for (int word = 0; word < words; ++word) {
      for (uint64_t bits = row[word]; bits; bits &= bits - 1) {
        work[task] += problem.durations[word * 64 + __builtin_ctzll(bits)];
      }
    }
  }
  return work;
}

constexpr int kDescendantWorkLimit = 4000;

}  // namespace

std::vector<int> HlfetRank(const PlanningProblem& problem) {
  return RankFromOrder(problem, ShapeOf(problem).by_bottom);
}

SearchResult SearchSchedule(const PlanningProblem& problem, const SearchOptions& options) {
  using SteadyClock = std::chrono::steady_clock;
  const SteadyClock::time_point started = SteadyClock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(SteadyClock::now() - started).count(); };
  SearchResult result;
  const int count = problem.size();
  if (count == 0) {
    result.proven_optimal = true;
    result.rule = "empty";
    return result;
  }
  ListSimulator simulator(problem);
  const ProblemShape& shape = ShapeOf(problem);
  const std::vector<std::vector<int>>& dependents = shape.dependents;
  const std::vector<double>& bottom = shape.bottom;
  const std::vector<double>& top = shape.top;
  const std::vector<double>& durations = problem.durations;

  std::vector<int> best_order;
  double best = 0;
  std::vector<ScheduledTask> schedule;
  // Evaluates an order; keeps it when strictly better (the first one always).
  auto evaluate = [&](const std::vector<int>& order) {
    ++result.evaluations;
    return simulator.Simulate(RankFromOrder(problem, order));
  };
  auto consider = [&](const std::vector<int>& order, const std::string& rule) {
    const double makespan = evaluate(order);
    if (best_order.empty() || makespan < best) {
      best = makespan;
      best_order = order;
      result.rule = rule;
    }
    return makespan;
  };

  if (!options.initial_rank.empty()) {
    result.initial_makespan = consider(
        OrderBy(count, [&](int a, int b) { return options.initial_rank[a] < options.initial_rank[b]; }),
        "previous plan");
  }
  result.hlfet_makespan = consider(shape.by_bottom, "bottom level (HLFET)");
  // An order that already meets the lower bound cannot be beaten: the other
  // constructions (a sort and a simulation each, 0.1 s on 100,000 tasks) are
  // skipped, as one would be kept only when strictly better.
  result.lower_bound = ComputeLowerBound(problem, best);
  if (best > result.lower_bound.value + 1e-9) {
    consider(OrderBy(count,
                     [&](int a, int b) {
                       if (bottom[a] != bottom[b]) return bottom[a] > bottom[b];
                       return dependents[a].size() > dependents[b].size();
                     }),
             "bottom level, then successors");
    consider(OrderBy(count,
                     [&](int a, int b) {
                       if (bottom[a] != bottom[b]) return bottom[a] > bottom[b];
                       return top[a] < top[b];
                     }),
             "latest start (ALAP), then earliest start");
    consider(OrderBy(count,
                     [&](int a, int b) {
                       const double through_a = top[a] + bottom[a], through_b = top[b] + bottom[b];
                       if (through_a != through_b) return through_a > through_b;
                       return bottom[a] > bottom[b];
                     }),
             "longest path through the task");
    consider(OrderBy(count,
                     [&](int a, int b) {
                       if (bottom[a] != bottom[b]) return bottom[a] > bottom[b];
                       return durations[a] > durations[b];
                     }),
             "bottom level, then longest");
    if (count <= kDescendantWorkLimit) {
      const std::vector<double> descendant_work = DescendantWork(problem, dependents);
      consider(OrderBy(count,
                       [&](int a, int b) {
                         if (bottom[a] != bottom[b]) return bottom[a] > bottom[b];
                         return descendant_work[a] > descendant_work[b];
                       }),
               "bottom level, then successors' work");
      consider(OrderBy(count,
                       [&](int a, int b) {
                         const double key_a = bottom[a] + descendant_work[a] / problem.agent_count;
                         const double key_b = bottom[b] + descendant_work[b] / problem.agent_count;
                         if (key_a != key_b) return key_a > key_b;
                         return bottom[a] > bottom[b];
                       }),
               "bottom level plus successors' work per agent");
    }
    result.lower_bound = ComputeLowerBound(problem, best);
  }
  auto proven = [&] { return best <= result.lower_bound.value + 1e-9; };
  std::mt19937_64 random(options.seed);
  // Never start an evaluation that would end past the budget, and leave 5%
  // of it for the caller's replay of the result through the Scheduler and for
  // a busy machine's scheduling noise: the budget is a promise to the user.
  auto out_of_time = [&] {
    if (options.max_evaluations > 0 && result.evaluations >= options.max_evaluations) return true;
    const double spent = elapsed();
    const double per_evaluation = spent / static_cast<double>(std::max<int64_t>(1, result.evaluations));
    return spent + 3 * per_evaluation + 0.05 * options.budget_seconds >= options.budget_seconds;
  };

  if (options.local_search && !proven() && count > 1) {
    // Iterated local search over the order: insertion and swap moves, taking
    // sideways steps across plateaus; after a while without progress, restart
    // from the best order perturbed, or from a noisy bottom-level order.
    std::vector<int> current = best_order;
    double current_makespan = best;
    int64_t since_improvement = 0;
    const int64_t patience = 50 + 4 * static_cast<int64_t>(count);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto below = [&](int limit) { return static_cast<int>(random() % static_cast<uint64_t>(limit)); };
    std::vector<int> candidate;
    // The current schedule's critical chain: walking back from the last
    // finish through what each task waited for (a dependency, or an agent
    // that became free), the tasks that waited for an agent. Moving one of
    // them ahead of work that started while it was ready is the move most
    // likely to shorten the schedule.
    std::vector<double> start(count), ready_at(count);
    std::vector<int> position(count), waited;
    bool chain_stale = true;
    auto find_chain = [&] {
      chain_stale = false;
      waited.clear();
      std::vector<ScheduledTask> current_schedule;
      ++result.evaluations;
      const double makespan = simulator.Simulate(RankFromOrder(problem, current), &current_schedule);
      std::vector<double> end(count, 0);
      for (const ScheduledTask& slot : current_schedule) {
        start[slot.task] = slot.start;
        end[slot.task] = slot.end;
      }
      for (int task = 0; task < count; ++task) {
        ready_at[task] = 0;
        for (int dependency : problem.dependencies[task]) ready_at[task] = std::max(ready_at[task], end[dependency]);
        position[current[task]] = task;
      }
      int task = -1;
      for (const ScheduledTask& slot : current_schedule) {
        if (slot.end == makespan && (task < 0 || below(2) == 0)) task = slot.task;
      }
      for (int steps = 0; task >= 0 && steps <= count; ++steps) {
        int next = -1;
        if (start[task] > ready_at[task]) {
          waited.push_back(task);
          for (const ScheduledTask& slot : current_schedule) {
            if (slot.end == start[task] && slot.task != task && (next < 0 || below(2) == 0)) next = slot.task;
          }
        } else {
          for (int dependency : problem.dependencies[task]) {
            if (end[dependency] == start[task]) next = dependency;
          }
        }
        task = next;
      }
    };
    auto guided_move = [&] {
      if (chain_stale) find_chain();
      if (waited.empty()) return false;
      const int task = waited[below(static_cast<int>(waited.size()))];
      std::vector<int> earlier;
      for (int other = 0; other < count; ++other) {
        if (position[other] < position[task] && start[other] >= ready_at[task] && start[other] <= start[task]) {
          earlier.push_back(other);
        }
      }
      if (earlier.empty()) return false;
      const int from = position[task];
      const int to = position[earlier[below(static_cast<int>(earlier.size()))]];
      std::rotate(candidate.begin() + to, candidate.begin() + from, candidate.begin() + from + 1);
      return true;
    };
    while (!out_of_time()) {
      candidate = current;
      const double move = unit(random);
      const int window = std::max(2, std::min(count, 1 + below(count)));
      if (move < 0.4 && guided_move()) {
        // moved a waiting task on the critical chain ahead
      } else if (move < 0.6) {
        const int from = 1 + below(count - 1);
        const int to = std::max(0, from - 1 - below(window));
        std::rotate(candidate.begin() + to, candidate.begin() + from, candidate.begin() + from + 1);
      } else if (move < 0.85) {
        const int from = below(count - 1);
        const int to = std::min(count - 1, from + 1 + below(window));
        std::rotate(candidate.begin() + from, candidate.begin() + from + 1, candidate.begin() + to + 1);
      } else {
        const int first = below(count);
        const int second = std::min(count - 1, first + 1 + below(window));
        std::swap(candidate[first], candidate[second]);
      }
      const double makespan = evaluate(candidate);
      ++since_improvement;
      if (makespan <= current_makespan) {
        if (candidate != current) chain_stale = true;
        current.swap(candidate);
        current_makespan = makespan;
        if (makespan < best) {
          best = makespan;
          best_order = current;
          result.rule = "local search";
          since_improvement = 0;
          if (proven()) break;
        }
      }
      if (since_improvement > patience) {
        since_improvement = 0;
        if (unit(random) < 0.5) {
          current = best_order;
          for (int kick = 0; kick < 2 + below(4); ++kick) std::swap(current[below(count)], current[below(count)]);
        } else {
          const double noise = 0.02 + 0.3 * unit(random);
          std::vector<double> key(count);
          for (int task = 0; task < count; ++task) key[task] = bottom[task] * (1 + noise * unit(random));
          current = OrderBy(count, [&](int a, int b) { return key[a] > key[b]; });
        }
        chain_stale = true;
        current_makespan = evaluate(current);
        if (current_makespan < best) {
          best = current_makespan;
          best_order = current;
          result.rule = "local search";
          if (proven()) break;
        }
      }
    }
  }
  result.rank = RankFromOrder(problem, best_order);
  result.makespan = best;
  result.proven_optimal = proven();
  result.seconds = elapsed();
  return result;
}

}  // namespace orchestra
