// Fuzz target: an orchestra.toml's text through LoadConfig (TOML parse, every
// section's reader, the agent types' checks), with the diagnostics rendered.
// LoadConfig reads a path, so each input is written to one scratch file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config.h"
#include "scratch_file.h"
#include "diagnostic.h"
#include "validate.h"


extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = orchestra::fuzz::WriteScratchFile("config", data, size);
  orchestra::Config config;
  orchestra::Diagnostics diagnostics;
  if (orchestra::LoadConfig(path, &config, &diagnostics)) {
    orchestra::CheckAgentTypes(config, &diagnostics);
  }
  if (diagnostics.Render().empty() != diagnostics.items().empty()) __builtin_trap();
  return 0;
}
