// The Standard Task Graph (STG) format of Kasahara Laboratory (Tobita &
// Kasahara, 2002), used to benchmark the planner against proven optima.
//
// A .stg file: line 1 holds n, the number of real tasks; then n+2 lines, one
// per task 0..n+1: `id processing_time npred pred1 ... pred_npred`. Task 0 is a
// dummy entry and task n+1 a dummy exit, both of time 0; predecessors always
// have lower ids. Lines starting with `#` are comments. Times are integers and
// there are no communication costs.
//
// An optimal-results file (CaseN_M_OPT.csv) holds one row per graph for M
// processors: `50/rand0000.stg,2,131` (the optimum is 131) or
// `50/rand0009.stg,4,132,134` (unproven: between 132 and 134).
#pragma once

#include <string>
#include <vector>

#include "planning_problem.h"

namespace orchestra {

/// The most real tasks LoadStg reads (the STG sets go to 5000; the count must fit an int).
inline constexpr long kMaxStgTasks = 10000000;

/// Reads a .stg file into `problem` (agent_count left at 1). The dummy entry
/// and exit are dropped, so task i of the problem is STG task i+1. False with
/// `*error` as `file:line: message` on a malformed file.
bool LoadStg(const std::string& path, PlanningProblem* problem, std::string* error);

/// One row of an optimal-results file.
struct StgOptimum {
  std::string graph;    // as written, e.g. "50/rand0000.stg"
  int processors = 0;
  double lower = 0;     // the optimum when proven, else its lower bound
  double upper = 0;     // equal to `lower` when proven
  bool proven() const { return lower == upper; }
};

/// Reads a CaseN_M_OPT.csv file, appending its rows to `optima`.
bool LoadStgOptima(const std::string& path, std::vector<StgOptimum>* optima, std::string* error);

}  // namespace orchestra
