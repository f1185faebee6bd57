// Attempt logs in the state: a copy of each attempt's log file, kept in the
// state database when the state is shared between hosts (PostgreSQL), so that
// `orchestra logs`, the dashboard and the report show a log on a host other
// than the one whose agent wrote it. The file stays the original: the
// orchestrator on the attempt's host copies what the file gained, and readers
// read the file when it is on their host (ReadAttemptLog).
//
// A log file only grows (agents' output, redacted and capped by max_log_size
// in orchestra-supervise, and Orchestra's own notes, all appended), so its
// copy is a list of chunks, each holding the file's bytes from one offset on:
// the copy of a file of N bytes is the chunks covering [0, N), in order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "state_store.h"

namespace orchestra {

/// AttemptLogStore keeps the copies of attempt logs. Not thread-safe, like
/// every StateStore; any number of processes may read and append.
class AttemptLogStore {
 public:
  virtual ~AttemptLogStore() = default;

  /// Adds `bytes` as the log of `attempt_id` from byte `offset` on, committed
  /// when it returns. `offset` is what StoredSize said (or what the last
  /// append reached); a chunk at an offset already stored is left as it was,
  /// so a copier that restarted and copies again does no harm.
  virtual bool AppendChunk(int64_t attempt_id, int64_t offset, std::string_view bytes, std::string* error) = 0;
  /// How many bytes of the log of `attempt_id` are stored (0: none).
  virtual bool StoredSize(int64_t attempt_id, int64_t* size, std::string* error) = 0;
  /// At most `max_bytes` of the stored log from `offset` on (a negative
  /// `offset`: its last `max_bytes`; past the end: nothing), and its stored
  /// size; `*start` is where `*bytes` begin.
  virtual bool ReadRange(int64_t attempt_id, int64_t offset, int64_t max_bytes, std::string* bytes, int64_t* start,
                         int64_t* size, std::string* error) = 0;
};

/// Where ReadAttemptLog found a log.
enum class AttemptLogSource { kNone, kFile, kState };

/// What ReadAttemptLog read: bytes [start, start + bytes.size()) of a log of
/// `size` bytes.
struct AttemptLogRange {
  AttemptLogSource source = AttemptLogSource::kNone;
  int64_t start = 0;
  int64_t size = 0;
  std::string bytes;
};

/// Reads at most `max_bytes` of `attempt`'s log from `offset` (negative: its
/// last `max_bytes`): from its file when the file is on this host, else from
/// the copy in `store` when the store keeps copies. False with `*error`
/// naming the file (and the state) when neither has it.
bool ReadAttemptLog(StateStore* store, const AttemptRecord& attempt, int64_t offset, int64_t max_bytes,
                    AttemptLogRange* range, std::string* error);

}  // namespace orchestra
