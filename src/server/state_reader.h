// The dashboard's view of the state database: read-only, opened afresh for
// each request, so it never writes, never takes the state lock, and sees what
// a run in another process has committed so far.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "clock.h"
#include "report.h"
#include "sqlite_store.h"

namespace orchestra {

/// StateReader reads snapshots of the state database at one path. Thread-safe:
/// each call opens its own read-only connection (SqliteStore::OpenReadOnly).
class StateReader {
 public:
  StateReader(std::string state_path, const Clock* clock) : state_path_(std::move(state_path)), clock_(clock) {}

  /// The state now, without the log. A database that does not exist yet, or
  /// that a first run is creating, reads as empty (every workstream pending).
  bool Snapshot(StateSnapshot* snapshot, std::string* error) const;

  /// The execution_log entries with an id above `after`, oldest first, at
  /// most `limit` of them.
  bool LogAfter(int64_t after, size_t limit, std::vector<LogEntry>* entries, std::string* error) const;

 private:
  /// A read-only connection; null with `*error` empty when nothing is
  /// written yet (no file, or a run creating it), else with it set.
  std::unique_ptr<SqliteStore> Open(std::string* error) const;

  std::string state_path_;
  const Clock* clock_;
};

}  // namespace orchestra
