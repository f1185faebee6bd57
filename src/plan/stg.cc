#include "stg.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace orchestra {

namespace {

/// Next line that is neither blank nor a comment; false at the end.
bool NextDataLine(std::istream& in, std::string* line, int* line_number) {
  while (std::getline(in, *line)) {
    ++*line_number;
    const size_t first = line->find_first_not_of(" \t\r");
    if (first == std::string::npos || (*line)[first] == '#') continue;
    return true;
  }
  return false;
}

}  // namespace

bool LoadStg(const std::string& path, PlanningProblem* problem, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = fmt::format("{}: cannot open", path);
    return false;
  }
  std::string line;
  int line_number = 0;
  auto fail = [&](const std::string& message) {
    *error = fmt::format("{}:{}: {}", path, line_number, message);
    return false;
  };
  long real_tasks = -1;
  if (!NextDataLine(in, &line, &line_number) || !(std::istringstream(line) >> real_tasks) ||
      real_tasks < 0) {
    return fail("expected the number of tasks");
  }
  // Tasks are added as their lines are read, not allotted from the count: a
  // file claiming 500000100 tasks fails at its first missing line instead of
  // allocating gigabytes first (found by fuzz/stg_fuzz).
  if (real_tasks > kMaxStgTasks) return fail(fmt::format("{} tasks; at most {} are read", real_tasks, kMaxStgTasks));
  const int total = static_cast<int>(real_tasks) + 2;
  PlanningProblem loaded;
  for (int id = 0; id < total; ++id) {
    if (!NextDataLine(in, &line, &line_number)) return fail(fmt::format("expected task {} of {}", id, total));
    std::istringstream fields(line);
    long read_id = -1, time = -1, predecessor_count = -1;
    if (!(fields >> read_id >> time >> predecessor_count) || read_id != id || time < 0 ||
        predecessor_count < 0) {
      return fail(fmt::format("expected `{} time npred preds...`", id));
    }
    std::vector<int> predecessors;
    for (long i = 0; i < predecessor_count; ++i) {
      long predecessor = -1;
      if (!(fields >> predecessor)) return fail(fmt::format("task {}: expected {} predecessors", id, predecessor_count));
      if (predecessor < 0 || predecessor >= id) {
        return fail(fmt::format("task {}: predecessor {} does not come before it", id, predecessor));
      }
      predecessors.push_back(static_cast<int>(predecessor));
    }
    if (id == 0 || id == total - 1) {
      if (time != 0) return fail(fmt::format("dummy task {} has time {}, expected 0", id, time));
      continue;
    }
    loaded.durations.push_back(static_cast<double>(time));
    loaded.dependencies.emplace_back();
    for (int predecessor : predecessors) {
      if (predecessor > 0) loaded.dependencies.back().push_back(predecessor - 1);
    }
  }
  *problem = std::move(loaded);
  return true;
}

bool LoadStgOptima(const std::string& path, std::vector<StgOptimum>* optima, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = fmt::format("{}: cannot open", path);
    return false;
  }
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    StgOptimum optimum;
    try {
      if (fields.size() != 3 && fields.size() != 4) throw std::invalid_argument("fields");
      optimum.graph = fields[0];
      optimum.processors = std::stoi(fields[1]);
      optimum.lower = std::stod(fields[2]);
      optimum.upper = fields.size() == 4 ? std::stod(fields[3]) : optimum.lower;
    } catch (const std::exception&) {
      *error = fmt::format("{}:{}: expected `graph,processors,optimum` or `graph,processors,lower,upper`",
                           path, line_number);
      return false;
    }
    optima->push_back(optimum);
  }
  return true;
}

}  // namespace orchestra
