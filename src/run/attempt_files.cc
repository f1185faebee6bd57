#include "attempt_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace orchestra {

namespace {

// Far more attempts than max_attempts allows between two resets; a bound so a
// folder we cannot write to fails instead of looping.
constexpr int kMaxSuffix = 10000;

}  // namespace

bool ReserveAttemptFiles(const std::string& dir, int number, AttemptFiles* files, std::string* error) {
  // One mkdir when the parent exists (the usual case, EEXIST when dir does).
  if (mkdir(dir.c_str(), 0777) != 0 && errno == ENOENT) {
    std::error_code ignored;  // open() below reports the problem that matters
    std::filesystem::create_directories(dir, ignored);
  }
  for (int suffix = 1; suffix <= kMaxSuffix; ++suffix) {
    const std::string stem = (std::filesystem::path(dir) /
                              (suffix == 1 ? fmt::format("attempt-{}", number)
                                           : fmt::format("attempt-{}-{}", number, suffix)))
                                 .string();
    const int fd = open((stem + ".log").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      close(fd);
      files->log_path = stem + ".log";
      files->prompt_path = stem + ".prompt.md";
      return true;
    }
    if (errno != EEXIST) {
      *error = fmt::format("cannot create the attempt log {}.log: {}", stem, std::strerror(errno));
      return false;
    }
  }
  *error = fmt::format("cannot create a log for attempt {} in {}: every name is taken", number, dir);
  return false;
}

bool WriteFileFresh(const std::string& path, const std::string& text, std::string* error) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
  out.close();
  if (out) return true;
  *error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
  return false;
}

}  // namespace orchestra
