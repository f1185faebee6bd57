// Fuzz target: a .stg graph through LoadStg and an optimal-results file
// through LoadStgOptima (the same bytes read as both). Both read a path, so
// each input is written to one scratch file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "planning_problem.h"
#include "scratch_file.h"
#include "stg.h"


extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = orchestra::fuzz::WriteScratchFile("stg", data, size);
  orchestra::PlanningProblem problem;
  std::string error;
  if (orchestra::LoadStg(path, &problem, &error) &&
      problem.durations.size() != problem.dependencies.size()) {
    std::abort();
  }
  std::vector<orchestra::StgOptimum> optima;
  orchestra::LoadStgOptima(path, &optima, &error);
  return 0;
}
