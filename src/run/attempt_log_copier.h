// The attempt log copier: on the host where an attempt runs, copies what its
// log file gained into the state's copy (attempt_log_store.h), so hosts other
// than this one can show the log. Only for a store that keeps copies
// (StateStore::attempt_logs() not null: PostgreSQL); with SQLite every reader
// is on this host and nothing is copied.
//
// Cheap by construction: the executor's one-second tick asks it to copy, and
// it copies at most every `interval` seconds (one stat per running attempt,
// one insert per attempt whose log grew); the end of an attempt copies the
// rest at once. The file is read in pieces, so a log of max_log_size never
// sits in memory whole.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "attempt_log_store.h"

namespace orchestra {

/// AttemptLogCopier copies growing log files into an AttemptLogStore.
/// Single-threaded, like the executor that owns it.
class AttemptLogCopier {
 public:
  /// How often a running attempt's log is copied, at most.
  static constexpr double kIntervalSeconds = 3;

  /// `logs` must outlive the copier.
  explicit AttemptLogCopier(AttemptLogStore* logs, double interval_seconds = kIntervalSeconds);

  /// Starts copying the log of a new attempt as it grows (nothing of it is stored yet).
  void Watch(int64_t attempt_id, const std::string& log_path);
  /// When `interval` has passed since the last copy: copies what each watched
  /// log gained. A copy that fails is tried again at the next one.
  void Tick(double now);
  /// The attempt ended: copies the rest of its log (all of it, when it was
  /// not watched: an attempt a restarted orchestrator continued) and stops
  /// watching it. False with `*error` when the copy failed.
  bool Finish(int64_t attempt_id, const std::string& log_path, std::string* error);

  /// Bytes of the watched attempt's log copied so far (-1: not watched).
  int64_t copied(int64_t attempt_id) const;

 private:
  /// A watched log: its file and how much of it is stored.
  struct Watched {
    std::string path;
    int64_t copied = 0;
  };
  /// Copies bytes [log->copied, end of file) in pieces; advances log->copied.
  bool CopyGrown(int64_t attempt_id, Watched* log, std::string* error);

  AttemptLogStore* logs_;
  double interval_seconds_;
  double last_copy_ = 0;
  std::map<int64_t, Watched> watched_;
};

}  // namespace orchestra
