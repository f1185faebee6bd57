// For the fuzz targets whose code under test reads a path: each input is
// written to one scratch file of this process, removed at exit.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace orchestra::fuzz {

/// Writes `data` to this process's scratch file (named after `name`) and
/// returns its path; aborts when the file cannot be written.
inline const std::string& WriteScratchFile(const char* name, const uint8_t* data, size_t size) {
  static const std::string path = [name] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/orchestra-" + name +
                          "-fuzz-XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd < 0) std::abort();
    close(fd);
    return pattern;
  }();
  static const bool removed_at_exit = (std::atexit([] { std::remove(path.c_str()); }), true);
  (void)removed_at_exit;
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

}  // namespace orchestra::fuzz
