// OrchestratorLock: one orchestrator per state, whichever store keeps it. For
// a SQLite database it is the StateLock (an flock on `<database>.lock`); for a
// PostgreSQL state it is a session-level advisory lock (pg_try_advisory_lock)
// on a key derived from the state's database and schema, held on a connection
// of its own for as long as the lock lives. The server releases it when that
// connection ends, however the orchestrator ends, so neither leaves a stale lock.
#pragma once

#include <memory>
#include <string>

#include "state_lock.h"

namespace orchestra {

/// Who holds a state's lock.
struct LockHolder {
  bool held = false;
  long pid = 0;       // the holder's process id; 0 when not known (yet)
  std::string host;   // PostgreSQL: the holder's host name; empty for SQLite
  bool local = true;  // the holder runs on this machine, so `pid` names a process here
};

/// OrchestratorLock holds the lock of one state for as long as it lives.
class OrchestratorLock {
 public:
  OrchestratorLock();
  OrchestratorLock(const OrchestratorLock&) = delete;
  OrchestratorLock& operator=(const OrchestratorLock&) = delete;
  ~OrchestratorLock();

  /// Takes the lock of `state` (a database path or a postgresql:// URL)
  /// without waiting. On contention returns false with `*error` empty and
  /// `*holder` set; on other failures (the server cannot be reached) false
  /// with `*error` set, the URL's password masked.
  bool Acquire(const std::string& state, LockHolder* holder, std::string* error);

  /// Who holds the lock of `state` (`held` false when nobody does, or when
  /// the PostgreSQL server cannot be reached).
  static LockHolder Holder(const std::string& state);

  struct AdvisoryLock;  // the PostgreSQL connection holding the lock

 private:
  StateLock file_lock_;
  std::unique_ptr<AdvisoryLock> advisory_lock_;
};

/// " (pid 123)", " (pid 123 on host-b)" or "" when the pid is unknown: how
/// messages name the holder after "another orchestrator".
std::string DescribeHolder(const LockHolder& holder);

}  // namespace orchestra
