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
#include "diagnostic.h"
#include "validate.h"

namespace {

// A scratch file of this process, removed at exit.
const std::string& ScratchPath() {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                          "/orchestra-config-fuzz-XXXXXX";
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
  orchestra::Config config;
  orchestra::Diagnostics diagnostics;
  if (orchestra::LoadConfig(ScratchPath(), &config, &diagnostics)) {
    orchestra::CheckAgentTypes(config, &diagnostics);
  }
  if (diagnostics.Render().empty() != diagnostics.items().empty()) __builtin_trap();
  return 0;
}
