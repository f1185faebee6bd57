// The dashboard's view of the state database: read-only, opened afresh for
// each request, so it never writes, never takes the state lock, and sees what
// a run in another process has committed so far.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clock.h"
#include "report.h"

namespace orchestra {

/// StateReader reads snapshots of the state database at one path. Thread-safe:
/// each call opens its own read-only connection (SqliteStore::OpenReadOnly).
class StateReader {
 public:
  StateReader(std::string state_path, const Clock* clock) : state_path_(std::move(state_path)), clock_(clock) {}

  /// The state now, without the log. A database that does not exist yet
  /// reads as empty (nothing has run): every workstream pending.
  bool Snapshot(StateSnapshot* snapshot, std::string* error) const;

  /// The execution_log entries with an id above `after`, oldest first, at
  /// most `limit` of them.
  bool LogAfter(int64_t after, size_t limit, std::vector<LogEntry>* entries, std::string* error) const;

 private:
  std::string state_path_;
  const Clock* clock_;
};

}  // namespace orchestra
