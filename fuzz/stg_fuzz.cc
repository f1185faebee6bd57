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
#include "stg.h"

namespace {

// A scratch file of this process, removed at exit.
const std::string& ScratchPath() {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                          "/orchestra-stg-fuzz-XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd < 0) std::abort();
    close(fd);
    std::atexit([] { std::remove(ScratchPath().c_str()); });
    return pattern;
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FILE* file = std::fopen(ScratchPath().c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  orchestra::PlanningProblem problem;
  std::string error;
  if (orchestra::LoadStg(ScratchPath(), &problem, &error) &&
      problem.durations.size() != problem.dependencies.size()) {
    std::abort();
  }
  std::vector<orchestra::StgOptimum> optima;
  orchestra::LoadStgOptima(ScratchPath(), &optima, &error);
  return 0;
}
