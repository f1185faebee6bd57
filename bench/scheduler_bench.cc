// scheduler_bench: Google Benchmark micro-benchmarks of the scheduler's hot
// paths (scripts/bench.sh micro; docs/benchmarks.md, "Micro-benchmarks").
//
//   BM_DispatchFinish/N   one Scheduler::Finish of a running workstream and
//                         the Dispatch that follows, on a random layered DAG
//                         of N nodes with 16 agents: the decision the
//                         executor makes at every agent exit
//   BM_BottomLevels/N     Graph::BottomLevels over N nodes: the critical-path
//                         (bottom level) computation the scheduler does when
//                         it is built and the planner at every re-plan
//
// The sizes come from ORCHESTRA_BENCH_SIZES (comma-separated; default
// 10000,100000). The graph is dag_gen's: layers of 100 nodes, every node after
// the first layer with 1 to 3 dependencies on earlier layers, one of them in
// the layer just before.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "graph.h"
#include "scheduler.h"

namespace orchestra {
namespace {

constexpr int kWidth = 100;
constexpr int kAgents = 16;

/// The random layered DAG of dag_gen (bench/dag_gen.cc), seed 1.
Graph LayeredDag(int n) {
  std::mt19937_64 random(1);
  std::vector<std::vector<int>> depends_on(n);
  std::vector<std::string> ids;
  for (int node = 0; node < n; ++node) {
    ids.push_back("n" + std::to_string(node));
    if (node < kWidth) continue;
    const int layer = node / kWidth;
    std::set<int> deps;
    deps.insert(std::uniform_int_distribution<int>((layer - 1) * kWidth, layer * kWidth - 1)(random));
    const int count = std::uniform_int_distribution<int>(1, 3)(random);
    while (static_cast<int>(deps.size()) < count) {
      deps.insert(std::uniform_int_distribution<int>(0, layer * kWidth - 1)(random));
    }
    depends_on[node].assign(deps.begin(), deps.end());
  }
  return Graph(std::move(ids), depends_on);
}

SchedulingInputs Inputs(int n) {
  SchedulingInputs inputs;
  inputs.priorities.assign(n, 0);
  inputs.estimates.assign(n, 1.0);
  inputs.max_attempts.assign(n, 1);
  for (int agent = 0; agent < kAgents; ++agent) {
    inputs.agent_ids.push_back("agent-" + std::to_string(agent + 1));
    inputs.eligible.push_back(std::vector<bool>(n, true));
  }
  return inputs;
}

/// A scheduler with every agent busy, as after the first Dispatch of a run.
std::unique_ptr<Scheduler> Started(const Graph& graph, std::vector<int>* running) {
  auto scheduler = std::make_unique<Scheduler>(graph, Inputs(graph.size()));
  scheduler->Begin();
  running->clear();
  for (const Assignment& assignment : scheduler->Dispatch()) running->push_back(assignment.workstream);
  return scheduler;
}

void BM_DispatchFinish(benchmark::State& state) {
  const Graph graph = LayeredDag(static_cast<int>(state.range(0)));
  std::vector<int> running;
  std::unique_ptr<Scheduler> scheduler = Started(graph, &running);
  size_t next = 0;  // running is a queue: the oldest attempt ends first
  for (auto _ : state) {
    if (next == running.size()) {
      // The whole graph ran: start again (not timed).
      state.PauseTiming();
      scheduler = Started(graph, &running);
      next = 0;
      state.ResumeTiming();
    }
    scheduler->Finish(running[next++], true);
    for (const Assignment& assignment : scheduler->Dispatch()) running.push_back(assignment.workstream);
    benchmark::DoNotOptimize(running.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_BottomLevels(benchmark::State& state) {
  const Graph graph = LayeredDag(static_cast<int>(state.range(0)));
  const std::vector<double> durations(graph.size(), 1.0);
  for (auto _ : state) {
    std::vector<double> levels = graph.BottomLevels(durations);
    benchmark::DoNotOptimize(levels.data());
  }
  state.SetItemsProcessed(state.iterations() * graph.size());
}

std::vector<long> Sizes() {
  const char* text = std::getenv("ORCHESTRA_BENCH_SIZES");
  std::stringstream stream(text != nullptr && *text != '\0' ? text : "10000,100000");
  std::vector<long> sizes;
  for (std::string size; std::getline(stream, size, ',');) sizes.push_back(std::stol(size));
  return sizes;
}

}  // namespace
}  // namespace orchestra

int main(int argc, char** argv) {
  for (long size : orchestra::Sizes()) {
    benchmark::RegisterBenchmark("BM_DispatchFinish", orchestra::BM_DispatchFinish)->Arg(size);
    benchmark::RegisterBenchmark("BM_BottomLevels", orchestra::BM_BottomLevels)->Arg(size)->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
