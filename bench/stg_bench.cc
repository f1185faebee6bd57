// stg_bench: plans every graph of a Standard Task Graph sample for 2, 4, 8
// and 16 agents and compares the planner with the known optima, and with
// plain critical-path-first list scheduling (HLFET) measured in the same run.
//
//   stg_bench [--budget 200ms] [--limit N] [--agents 2,4,8,16] [--random 10000] [--misses] DIR
//
// DIR holds one folder per size (50/, 100/) of .stg files and optimal/ with
// CaseN_M_OPT.csv. Per (size, agents) cell it prints the rows, how many have a
// proven optimum and how many of those the planner reaches, the mean and
// maximum gap to the optimum (to the lower bound of the file on unproven
// rows), the planning time, and the same for HLFET. Then totals against the
// targets, and the time to plan a random DAG of --random tasks.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "planner.h"
#include "schedule_search.h"
#include "stg.h"
#include "workstream.h"

namespace fs = std::filesystem;
using namespace orchestra;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

/// Statistics of one method over one (size, agents) cell.
struct MethodStats {
  int proven_rows = 0;
  int optima = 0;               // reached the proven optimum
  double gap_sum = 0;           // over proven rows, percent
  double gap_max = 0;
  int unproven_rows = 0;
  double bound_gap_sum = 0;     // over unproven rows, percent above the file's lower bound
  double bound_gap_max = 0;
  double seconds_sum = 0;
  double seconds_max = 0;

  void Add(double makespan, const StgOptimum& optimum, double seconds) {
    const double gap = 100.0 * (makespan - optimum.lower) / optimum.lower;
    if (optimum.proven()) {
      ++proven_rows;
      optima += makespan <= optimum.lower;
      gap_sum += gap;
      gap_max = std::max(gap_max, gap);
    } else {
      ++unproven_rows;
      bound_gap_sum += gap;
      bound_gap_max = std::max(bound_gap_max, gap);
    }
    seconds_sum += seconds;
    seconds_max = std::max(seconds_max, seconds);
  }
  void Merge(const MethodStats& other) {
    proven_rows += other.proven_rows;
    optima += other.optima;
    gap_sum += other.gap_sum;
    gap_max = std::max(gap_max, other.gap_max);
    unproven_rows += other.unproven_rows;
    bound_gap_sum += other.bound_gap_sum;
    bound_gap_max = std::max(bound_gap_max, other.bound_gap_max);
    seconds_sum += other.seconds_sum;
    seconds_max = std::max(seconds_max, other.seconds_max);
  }
  double MeanGap() const { return proven_rows ? gap_sum / proven_rows : 0; }
  double MeanBoundGap() const { return unproven_rows ? bound_gap_sum / unproven_rows : 0; }
};

struct Cell {
  int rows = 0;
  int proofs = 0;          // the planner proved its own schedule optimal
  int worse_than_hlfet = 0;
  int scheduler_mismatches = 0;  // real Scheduler disagreed with the search's simulation
  MethodStats planner, hlfet;
};

std::vector<int> ParseList(const std::string& text) {
  std::vector<int> values;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) values.push_back(std::stoi(item));
  return values;
}

/// A random DAG: each task depends on up to three of the 50 tasks before it.
PlanningProblem RandomProblem(int count, int agents, uint64_t seed) {
  std::mt19937_64 random(seed);
  PlanningProblem problem;
  problem.agent_count = agents;
  problem.durations.resize(count);
  problem.dependencies.resize(count);
  for (int task = 0; task < count; ++task) {
    problem.durations[task] = static_cast<double>(1 + random() % 10);
    const int dependencies = task == 0 ? 0 : static_cast<int>(random() % 4);
    for (int i = 0; i < dependencies; ++i) {
      const int window = std::min(task, 50);
      const int dependency = task - 1 - static_cast<int>(random() % window);
      auto& list = problem.dependencies[task];
      if (std::find(list.begin(), list.end(), dependency) == list.end()) list.push_back(dependency);
    }
  }
  return problem;
}

void PrintMethodRow(const char* name, int rows, const MethodStats& stats) {
  std::printf("| %-7s | %4d | %5d/%-5d | %6.3f%% | %6.2f%% | %5d | %6.3f%% | %8.2f | %8.2f |\n", name, rows,
              stats.optima, stats.proven_rows, stats.MeanGap(), stats.gap_max, stats.unproven_rows,
              stats.MeanBoundGap(), 1000 * stats.seconds_sum / std::max(1, rows), 1000 * stats.seconds_max);
}

}  // namespace

int main(int argc, char** argv) {
  double budget = 0.2;
  int limit = 0;
  int random_size = 10000;
  bool show_misses = false;
  std::vector<int> agent_counts{2, 4, 8, 16};
  std::string directory;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "stg_bench: %s needs a value\n", argument.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (argument == "--budget") {
      const std::string text = value();
      if (!ParseDuration(text, &budget)) budget = std::stod(text);
    } else if (argument == "--limit") {
      limit = std::stoi(value());
    } else if (argument == "--agents") {
      agent_counts = ParseList(value());
    } else if (argument == "--random") {
      random_size = std::stoi(value());
    } else if (argument == "--misses") {
      show_misses = true;
    } else if (argument == "-h" || argument == "--help") {
      std::printf("usage: stg_bench [--budget 200ms] [--limit N] [--agents 2,4,8,16] [--random N] [--misses] DIR\n");
      return 0;
    } else {
      directory = argument;
    }
  }
  if (directory.empty()) {
    std::fprintf(stderr, "usage: stg_bench [--budget 200ms] [--limit N] [--agents 2,4,8,16] [--random N] DIR\n");
    return 2;
  }

  std::vector<int> sizes;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && !name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
      sizes.push_back(std::stoi(name));
    }
  }
  std::sort(sizes.begin(), sizes.end());

  std::printf("STG benchmark: %s, budget %.0f ms per graph%s\n\n", directory.c_str(), budget * 1000,
              limit ? fmt::format(", first {} graphs per size", limit).c_str() : "");
  std::printf("| size | agents | method  | rows | optimum reached | mean gap | max gap | unproven | gap to LB | mean ms | max ms |\n");
  std::printf("|------|--------|---------|------|-----------------|----------|---------|----------|-----------|---------|--------|\n");
  Cell total;
  int failures = 0;
  for (int size : sizes) {
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(fs::path(directory) / std::to_string(size))) {
      if (entry.path().extension() == ".stg") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    if (limit > 0 && static_cast<int>(files.size()) > limit) files.resize(limit);
    std::vector<PlanningProblem> problems(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      std::string error;
      if (!LoadStg(files[i].string(), &problems[i], &error)) {
        std::fprintf(stderr, "stg_bench: %s\n", error.c_str());
        return 1;
      }
    }
    for (int agents : agent_counts) {
      std::vector<StgOptimum> optima;
      std::string error;
      const fs::path csv = fs::path(directory) / "optimal" / fmt::format("Case{}_{}_OPT.csv", size, agents);
      if (!LoadStgOptima(csv.string(), &optima, &error)) {
        std::fprintf(stderr, "stg_bench: %s\n", error.c_str());
        return 1;
      }
      std::map<std::string, StgOptimum> by_graph;
      for (const StgOptimum& optimum : optima) by_graph[optimum.graph] = optimum;
      Cell cell;
      for (size_t i = 0; i < files.size(); ++i) {
        const std::string key = fmt::format("{}/{}", size, files[i].filename().string());
        auto found = by_graph.find(key);
        if (found == by_graph.end()) continue;
        PlanningProblem problem = problems[i];
        problem.agent_count = agents;

        auto hlfet_start = std::chrono::steady_clock::now();
        ListSimulator simulator(problem);
        const double hlfet = simulator.Simulate(HlfetRank(problem));
        const double hlfet_seconds = Seconds(hlfet_start);

        auto planner_start = std::chrono::steady_clock::now();
        SearchOptions options;
        options.budget_seconds = budget;
        const SearchResult search = SearchSchedule(problem, options);
        const double makespan = SimulateRun(problem, search.rank);  // the real Scheduler
        const double planner_seconds = Seconds(planner_start);

        ++cell.rows;
        cell.proofs += search.proven_optimal;
        cell.worse_than_hlfet += makespan > hlfet;
        cell.scheduler_mismatches += makespan != search.makespan;
        if (search.proven_optimal && makespan > found->second.upper) {
          std::fprintf(stderr, "stg_bench: %s on %d agents: proof %.0f above the known optimum %.0f\n",
                       key.c_str(), agents, makespan, found->second.upper);
          ++failures;
        }
        if (search.lower_bound.value > found->second.upper) {
          std::fprintf(stderr, "stg_bench: %s on %d agents: lower bound %.0f above the known optimum %.0f\n",
                       key.c_str(), agents, search.lower_bound.value, found->second.upper);
          ++failures;
        }
        if (show_misses && makespan > found->second.upper) {
          std::fprintf(stderr, "miss: %s on %d agents: %.0f, optimum %.0f%s, lower bound %.0f, HLFET %.0f\n",
                       key.c_str(), agents, makespan, found->second.upper,
                       found->second.proven() ? "" : " (unproven)", search.lower_bound.value, hlfet);
        }
        cell.planner.Add(makespan, found->second, planner_seconds);
        cell.hlfet.Add(hlfet, found->second, hlfet_seconds);
      }
      PrintMethodRow(fmt::format("{:4} | {:6} | planner", size, agents).c_str(), cell.rows, cell.planner);
      PrintMethodRow(fmt::format("{:4} | {:6} | HLFET  ", size, agents).c_str(), cell.rows, cell.hlfet);
      std::fflush(stdout);
      total.rows += cell.rows;
      total.proofs += cell.proofs;
      total.worse_than_hlfet += cell.worse_than_hlfet;
      total.scheduler_mismatches += cell.scheduler_mismatches;
      total.planner.Merge(cell.planner);
      total.hlfet.Merge(cell.hlfet);
    }
  }
  const MethodStats& planner = total.planner;
  const double reached = 100.0 * planner.optima / std::max(1, planner.proven_rows);
  std::printf("\nTotals over %d rows (%d with a proven optimum):\n", total.rows, planner.proven_rows);
  std::printf("  optimum reached   %5.1f%% (%d/%d)   target >= 97%%   %s   (HLFET %.1f%%)\n", reached,
              planner.optima, planner.proven_rows, reached >= 97 ? "met" : "MISSED",
              100.0 * total.hlfet.optima / std::max(1, total.hlfet.proven_rows));
  std::printf("  mean gap          %.3f%%            target <= 0.05%% %s   (HLFET %.3f%%)\n", planner.MeanGap(),
              planner.MeanGap() <= 0.05 ? "met" : "MISSED", total.hlfet.MeanGap());
  std::printf("  max gap           %.2f%%             target <= 2%%    %s   (HLFET %.2f%%)\n", planner.gap_max,
              planner.gap_max <= 2 ? "met" : "MISSED", total.hlfet.gap_max);
  std::printf("  worse than HLFET  %d graphs          target 0        %s\n", total.worse_than_hlfet,
              total.worse_than_hlfet == 0 ? "met" : "MISSED");
  std::printf("  planning time     mean %.1f ms, max %.1f ms   target <= 200 ms   %s\n",
              1000 * planner.seconds_sum / std::max(1, total.rows), 1000 * planner.seconds_max,
              planner.seconds_max <= 0.2 ? "met" : "MISSED");
  std::printf("  optimality proved by the planner itself on %d rows; real Scheduler disagreed with the search on %d\n",
              total.proofs, total.scheduler_mismatches);
  std::printf("  unproven rows: mean %.3f%%, max %.2f%% above the file's lower bound\n", planner.MeanBoundGap(),
              planner.bound_gap_max);

  if (random_size > 0) {
    // Few agents (bound by the work) and many (bound by the longest path).
    for (int agents : {8, 64}) {
      const PlanningProblem problem = RandomProblem(random_size, agents, 42);
      auto start = std::chrono::steady_clock::now();
      SearchOptions options;
      options.budget_seconds = budget;
      const SearchResult search = SearchSchedule(problem, options);
      const double makespan = SimulateRun(problem, search.rank);
      const double seconds = Seconds(start);
      std::printf("\nRandom DAG, %d tasks, %d agents: planned in %.0f ms (search %.0f ms, %lld schedules simulated), "
                  "makespan %.0f, lower bound %.0f, HLFET %.0f   target < 1 s   %s",
                  random_size, agents, 1000 * seconds, 1000 * search.seconds,
                  static_cast<long long>(search.evaluations), makespan, search.lower_bound.value,
                  search.hlfet_makespan, seconds < 1 ? "met" : "MISSED");
    }
    std::printf("\n");
  }
  return failures || total.scheduler_mismatches ? 1 : 0;
}
