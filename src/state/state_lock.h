// The state lock: one orchestrator per state database. An flock(2) on
// `<state>.lock` holding the owner's pid; the kernel releases it when the owner
// dies, however it dies, so a crashed run never leaves a stale lock.
#pragma once

#include <string>

namespace orchestra {

/// StateLock holds the exclusive lock for as long as it lives.
class StateLock {
 public:
  StateLock() = default;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

  /// Takes the lock for `state_path` without waiting. On contention returns
  /// false with `*error` empty and `*holder_pid` set to the owner's pid (0 if
  /// it has not written it yet); on other failures returns false with `*error`
  /// set and `*holder_pid` 0. The lock file's descriptor is close-on-exec:
  /// child processes never inherit the lock.
  bool Acquire(const std::string& state_path, long* holder_pid, std::string* error);

  /// The pid recorded in the lock of `state_path` if someone holds it, else 0.
  static long Holder(const std::string& state_path);

 private:
  int fd_ = -1;
};

}  // namespace orchestra
