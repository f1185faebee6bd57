#include "supervisor_status.h"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string_view>

#include "read_to_end.h"

namespace orchestra {

namespace {

// Status text never holds a line break inside a value.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::string Seconds(double seconds) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6f", seconds);
  return text;
}

bool WriteAll(int fd, const std::string& text) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t count = write(fd, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return false;
    written += static_cast<size_t>(count);
  }
  return true;
}

std::string StatusText(const SupervisorStatus& status) {
  return "exit_code=" + std::to_string(status.exit_code) + "\nsignal=" + std::to_string(status.term_signal) +
         "\ntimed_out=" + (status.timed_out ? "1" : "0") + "\ntimeout_seconds=" + Seconds(status.timeout_seconds) +
         "\nstarted_at=" + Seconds(status.started_at) + "\nended_at=" + Seconds(status.ended_at) +
         "\noutput_bytes=" + std::to_string(status.output_bytes) + "\nlog_offset=" + std::to_string(status.log_offset) +
         "\nleftovers=" + std::to_string(status.leftovers) + "\ncontainment=" + OneLine(status.containment) +
         "\nspawn_error=" + OneLine(status.spawn_error) + "\n";
}

bool ParseStatus(const std::string& text, const std::string& where, SupervisorStatus* status, std::string* error) {
  *status = SupervisorStatus();
  bool ended = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t equals = line.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = line.substr(0, equals);
    const std::string value = line.substr(equals + 1);
    const char* v = value.c_str();
    if (key == "exit_code") status->exit_code = std::atoi(v);
    else if (key == "signal") status->term_signal = std::atoi(v);
    else if (key == "timed_out") status->timed_out = value == "1";
    else if (key == "timeout_seconds") status->timeout_seconds = std::strtod(v, nullptr);
    else if (key == "started_at") status->started_at = std::strtod(v, nullptr);
    else if (key == "ended_at") status->ended_at = std::strtod(v, nullptr), ended = true;
    else if (key == "output_bytes") status->output_bytes = std::strtoll(v, nullptr, 10);
    else if (key == "log_offset") status->log_offset = std::strtoll(v, nullptr, 10);
    else if (key == "leftovers") status->leftovers = std::atoi(v);
    else if (key == "containment") status->containment = value;
    else if (key == "spawn_error") status->spawn_error = value;
  }
  if (!ended) {
    *error = "the status " + where + " is incomplete (no ended_at line)";
    return false;
  }
  return true;
}

}  // namespace

std::string StatusPathFor(const std::string& log_path) {
  constexpr std::string_view kLog = ".log";
  if (log_path.size() > kLog.size() && log_path.compare(log_path.size() - kLog.size(), kLog.size(), kLog) == 0) {
    return log_path.substr(0, log_path.size() - kLog.size()) + ".status";
  }
  return log_path + ".status";
}

bool WriteSupervisorStatus(const std::string& log_path, const std::string& status_path,
                           const SupervisorStatus& status, std::string* error) {
  const std::string text = StatusText(status);
  if (!log_path.empty() && setxattr(log_path.c_str(), kStatusAttribute, text.data(), text.size(), 0) == 0) {
    return true;
  }
  const std::string temporary = status_path + ".tmp";
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot write " + temporary + ": " + std::strerror(errno);
    return false;
  }
  const bool written = WriteAll(fd, text);
  const int saved = errno;
  close(fd);
  if (!written || rename(temporary.c_str(), status_path.c_str()) != 0) {
    *error = "cannot write " + status_path + ": " + std::strerror(written ? errno : saved);
    unlink(temporary.c_str());
    return false;
  }
  // Not synced: a reader after a crash of the orchestrator sees the whole
  // file (page cache); after a power cut it may be missing, never half there.
  return true;
}

void ClearSupervisorStatus(const std::string& log_path, const std::string& status_path) {
  if (!log_path.empty()) removexattr(log_path.c_str(), kStatusAttribute);
  unlink(status_path.c_str());
}

bool ReadSupervisorStatus(const std::string& log_path, const std::string& status_path, SupervisorStatus* status,
                          std::string* error) {
  error->clear();
  if (!log_path.empty()) {
    std::string text(1024, '\0');
    ssize_t size = getxattr(log_path.c_str(), kStatusAttribute, text.data(), text.size());
    if (size < 0 && errno == ERANGE) {  // a long spawn_error: ask for the size
      size = getxattr(log_path.c_str(), kStatusAttribute, nullptr, 0);
      if (size > 0) {
        text.resize(static_cast<size_t>(size));
        size = getxattr(log_path.c_str(), kStatusAttribute, text.data(), text.size());
      }
    }
    if (size >= 0) {
      text.resize(static_cast<size_t>(size));
      return ParseStatus(text, "attribute of " + log_path, status, error);
    }
  }
  const int fd = open(status_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) *error = "cannot read " + status_path + ": " + std::strerror(errno);
    return false;
  }
  const std::string text = ReadToEnd(fd);
  close(fd);
  return ParseStatus(text, "file " + status_path, status, error);
}

}  // namespace orchestra
