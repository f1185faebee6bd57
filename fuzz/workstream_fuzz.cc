// Fuzz target: one workstream file's bytes through the loader (UTF-8 and depth
// checks, JSON parse, field reading, positions) and then project validation
// (ids, dependencies, cycles), with the diagnostics rendered as the CLI would.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config.h"
#include "diagnostic.h"
#include "loader.h"
#include "validate.h"
#include "workstream.h"

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
  return 0;
}
