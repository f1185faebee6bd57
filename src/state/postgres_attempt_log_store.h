// PostgresAttemptLogStore: the AttemptLogStore of PostgresStore, in the
// attempt_log_chunks table its migrations create (postgres_store.cc):
//
//   attempt_log_chunks  attempt_id BIGINT NOT NULL REFERENCES attempts(id)
//                         ON DELETE CASCADE,
//                       byte_offset BIGINT NOT NULL, bytes BYTEA NOT NULL,
//                       PRIMARY KEY (attempt_id, byte_offset)
//
// It has a connection of its own, opened on first use, so copying a log never
// waits for (nor joins) the state store's open group of changes, and a reader
// that never asks for a log never connects twice.
#pragma once

#include <memory>
#include <string>

#include "attempt_log_store.h"

namespace orchestra {

/// PostgresAttemptLogStore reads and appends the chunks of attempt logs in
/// the database at `url`. Appends are committed without waiting for the
/// server's flush (synchronous_commit off): a chunk lost in a crash of the
/// server's machine is copied again from the file.
class PostgresAttemptLogStore : public AttemptLogStore {
 public:
  /// The most one chunk holds: a log copied at once is split into chunks of this size.
  static constexpr int64_t kChunkBytes = 1 << 20;

  /// `read_only`: every append fails (the dashboard's connections).
  PostgresAttemptLogStore(std::string url, bool read_only);
  ~PostgresAttemptLogStore() override;

  bool AppendChunk(int64_t attempt_id, int64_t offset, std::string_view bytes, std::string* error) override;
  bool StoredSize(int64_t attempt_id, int64_t* size, std::string* error) override;
  bool ReadRange(int64_t attempt_id, int64_t offset, int64_t max_bytes, std::string* bytes, int64_t* start,
                 int64_t* size, std::string* error) override;

 private:
  struct Session;  // the libpqxx connection, made on first use

  std::string url_;
  bool read_only_;
  std::unique_ptr<Session> session_;
};

}  // namespace orchestra
