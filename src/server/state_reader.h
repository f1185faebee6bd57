// The dashboard's view of the state database: read-only, opened afresh for
// each request, so it never writes, never takes the state lock, and sees what
// a run in another process has committed so far.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "attempt_log_store.h"
#include "clock.h"
#include "report.h"
#include "state_store.h"

namespace orchestra {

/// StateReader reads snapshots of the state at one place (a database path or a
/// postgresql:// URL). Thread-safe: each call opens its own read-only
/// connection (OpenStateStore, StateOpenMode::kReadOnly).
class StateReader {
 public:
  StateReader(std::string state_path, const Clock* clock) : state_path_(std::move(state_path)), clock_(clock) {}

  /// The state now, without the log. A database that does not exist yet, or
  /// that a first run is creating, reads as empty (every workstream pending).
  bool Snapshot(StateSnapshot* snapshot, std::string* error) const;
  /// The same with the whole execution_log (for the pauses of a run, and the
  /// report's timeline), read on the same connection.
  bool SnapshotWithLog(StateSnapshot* snapshot, std::string* error) const;

  /// The execution_log entries with an id above `after`, oldest first, at
  /// most `limit` of them.
  bool LogAfter(int64_t after, size_t limit, std::vector<LogEntry>* entries, std::string* error) const;

  /// At most `max_bytes` of `attempt`'s log from `offset` (ReadAttemptLog):
  /// its file when it is on this host (no connection is opened), else its copy
  /// in the state.
  bool ReadLog(const AttemptRecord& attempt, int64_t offset, int64_t max_bytes, AttemptLogRange* range,
               std::string* error) const;

 private:
  /// A read-only connection; null with `*error` empty when nothing is
  /// written yet (no file, or a run creating it), else with it set.
  std::unique_ptr<StateStore> Open(std::string* error) const;

  std::string state_path_;
  const Clock* clock_;
};

}  // namespace orchestra
