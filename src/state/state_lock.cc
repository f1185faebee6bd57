// The lock file `<state>.lock` holds the owner's pid as decimal text and a
// newline. Only the flock(2) on it means anything: the file itself stays after
// its owner ends (deleting it would race with the next acquirer, who could lock
// an unlinked file while a third process creates and locks a new one), so a pid
// in an unlocked file is stale and ignored.
#include "state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

namespace orchestra {
namespace {

// Holder() takes a shared lock for an instant; an Acquire landing in that
// instant retries rather than reporting the (stale) pid in the file as owner.
constexpr int kAcquireTries = 5;
constexpr auto kAcquireRetryDelay = std::chrono::milliseconds(20);

std::string LockPath(const std::string& state_path) { return state_path + ".lock"; }

/// The pid written in the lock file open as `fd`, 0 when unreadable (the owner
/// may have locked it and not written it yet).
long ReadPid(int fd) {
  char text[32] = {};
  const ssize_t size = pread(fd, text, sizeof text - 1, 0);
  if (size <= 0) return 0;
  char* end = nullptr;
  const long pid = std::strtol(text, &end, 10);
  return end != text && pid > 0 ? pid : 0;
}

/// Replaces the file's content with our pid, durably, so that others can name us.
bool WritePid(int fd, std::string* error) {
  const std::string text = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
      fsync(fd) != 0) {
    *error = std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

StateLock::~StateLock() {
  if (fd_ < 0) return;
  flock(fd_, LOCK_UN);
  close(fd_);
}

bool StateLock::Acquire(const std::string& state_path, long* holder_pid, std::string* error) {
  *holder_pid = 0;
  const std::string path = LockPath(state_path);
  if (fd_ >= 0) {
    *error = "lock " + path + " is already held by this process";
    return false;
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code failure;
  if (!parent.empty() && !std::filesystem::create_directories(parent, failure) && failure) {
    *error = "cannot create " + parent.string() + ": " + failure.message();
    return false;
  }
  // O_CLOEXEC: an agent inheriting this descriptor would hold the lock after we die.
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot open lock " + path + ": " + std::strerror(errno);
    return false;
  }
  for (int attempt = 1;; ++attempt) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    const int lock_errno = errno;
    if (lock_errno == EWOULDBLOCK && attempt < kAcquireTries) {
      std::this_thread::sleep_for(kAcquireRetryDelay);
      continue;
    }
    if (lock_errno == EWOULDBLOCK) {
      *holder_pid = ReadPid(fd);  // contention is no error: the caller names the holder
    } else {
      *error = "cannot lock " + path + ": " + std::strerror(lock_errno);
    }
    close(fd);
    return false;
  }
  std::string write_error;
  if (!WritePid(fd, &write_error)) {
    *error = "cannot write pid to " + path + ": " + write_error;
    flock(fd, LOCK_UN);
    close(fd);
    return false;
  }
  fd_ = fd;
  return true;
}

long StateLock::Holder(const std::string& state_path) {
  // Read-only and no O_CREAT: asking must not leave a file behind.
  const int fd = open(LockPath(state_path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  long pid = 0;
  if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
    flock(fd, LOCK_UN);
  } else if (errno == EWOULDBLOCK) {
    pid = ReadPid(fd);
  }
  close(fd);
  return pid;
}

}  // namespace orchestra
