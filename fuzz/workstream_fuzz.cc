// Fuzz target: one workstream file's bytes through the loader (UTF-8 and depth
// checks, JSON parse, field reading, positions) and then project validation
// (ids, dependencies, cycles), with the diagnostics rendered as the CLI would;
// and the loader's fast path against its reporting path: a file the fast path
// takes must load the same workstreams there, without a diagnostic.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "clean_workstreams.h"
#include "config.h"
#include "diagnostic.h"
#include "loader.h"
#include "validate.h"
#include "workstream.h"

namespace {

bool Same(const orchestra::Workstream& a, const orchestra::Workstream& b) {
  return a.id == b.id && a.file == b.file && a.line == b.line && a.column == b.column && a.title == b.title &&
         a.prompt == b.prompt && a.tasks == b.tasks && a.files_scope == b.files_scope &&
         a.files_create == b.files_create && a.acceptance_tests == b.acceptance_tests &&
         a.depends_on == b.depends_on && a.track == b.track && a.agent_type == b.agent_type && a.tool == b.tool &&
         a.estimate_hours == b.estimate_hours && a.estimate_source == b.estimate_source &&
         a.timeout_seconds == b.timeout_seconds && a.max_attempts == b.max_attempts &&
         a.max_cost_usd == b.max_cost_usd && a.priority == b.priority && a.allow_empty == b.allow_empty &&
         a.Raw() == b.Raw();
}

void CheckFastPath(const std::string& text) {
  std::vector<orchestra::Workstream> fast;
  if (!orchestra::ParseCleanWorkstreams("workstreams/fuzz.json", text, &fast)) {
    if (!fast.empty()) __builtin_trap();
    return;
  }
  std::vector<orchestra::Workstream> reported;
  orchestra::Diagnostics diagnostics;
  std::vector<std::string> warned_fields;
  const bool loaded = orchestra::ParseWorkstreamFileReporting("workstreams/fuzz.json", text, &reported,
                                                              &diagnostics, &warned_fields);
  if (!loaded || !diagnostics.items().empty() || fast.size() != reported.size()) __builtin_trap();
  for (size_t index = 0; index < fast.size(); ++index) {
    if (!Same(fast[index], reported[index])) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<orchestra::Workstream> workstreams;
  orchestra::Diagnostics diagnostics;
  std::vector<std::string> warned_fields;
  std::vector<std::string> unloaded_ids;
  orchestra::ParseWorkstreamFile("workstreams/fuzz.json", text, &workstreams, &diagnostics,
                                 &warned_fields, &unloaded_ids);
  orchestra::Config config;
  config.project_dir = "/nonexistent-fuzz-project";
  config.config_dir = config.project_dir;
  orchestra::ValidateProject(config, &workstreams, &diagnostics, unloaded_ids);
  // Every diagnostic renders to at least its file name.
  if (diagnostics.Render().empty() != diagnostics.items().empty()) __builtin_trap();
  CheckFastPath(text);
  return 0;
}
