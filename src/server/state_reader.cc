#include "state_reader.h"

#include <sqlite3.h>

#include <filesystem>

#include "state_store_factory.h"
#include "state_url.h"

namespace orchestra {
namespace {

/// True when the file at `path` holds no schema yet: it does not exist, or a
/// run is creating it this very moment (user_version still 0).
bool NothingWrittenYet(const std::string& path) {
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) return true;
  sqlite3* db = nullptr;
  int64_t version = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* query = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &query, nullptr) == SQLITE_OK &&
        sqlite3_step(query) == SQLITE_ROW) {
      version = sqlite3_column_int64(query, 0);
    }
    sqlite3_finalize(query);
  }
  sqlite3_close_v2(db);
  return version == 0;
}

}  // namespace

std::unique_ptr<StateStore> StateReader::Open(std::string* error) const {
  error->clear();
  bool absent = false;
  std::unique_ptr<StateStore> store =
      OpenStateStore(state_path_, StateOpenMode::kReadOnly, {}, clock_, &absent, error);
  if (store || absent) {
    if (!store) error->clear();
    return store;
  }
  if (IsPostgresUrl(state_path_)) return store;
  if (NothingWrittenYet(state_path_)) {
    error->clear();
    return store;
  }
  // The open may have seen a run's first transaction in progress (user_version
  // still 0) that has committed since: once more, now that the schema is there.
  error->clear();
  return OpenStateStore(state_path_, StateOpenMode::kReadOnly, {}, clock_, &absent, error);
}

bool StateReader::Snapshot(StateSnapshot* snapshot, std::string* error) const {
  *snapshot = StateSnapshot();
  snapshot->now = clock_->Now();
  const std::unique_ptr<StateStore> store = Open(error);
  return !store ? error->empty() : LoadSnapshot(store.get(), snapshot->now, 0, snapshot, error);
}

bool StateReader::SnapshotWithLog(StateSnapshot* snapshot, std::string* error) const {
  *snapshot = StateSnapshot();
  snapshot->now = clock_->Now();
  const std::unique_ptr<StateStore> store = Open(error);
  if (!store) return error->empty();
  return LoadSnapshot(store.get(), snapshot->now, 0, snapshot, error) && store->LoadLog("", 0, &snapshot->log, error);
}

bool StateReader::LogAfter(int64_t after, size_t limit, std::vector<LogEntry>* entries, std::string* error) const {
  entries->clear();
  const std::unique_ptr<StateStore> store = Open(error);
  if (!store) return error->empty();
  // Mostly the reader is only a few entries behind: read the newest few, and
  // the whole log only when they do not reach back to `after`.
  for (int window : {64, 0}) {
    std::vector<LogEntry> newest;
    if (!store->LoadLog("", window, &newest, error)) return false;
    const bool reaches_back = window == 0 || newest.size() < static_cast<size_t>(window) ||
                              (!newest.empty() && newest.front().id <= after + 1);
    if (!reaches_back) continue;
    for (LogEntry& entry : newest) {
      if (entry.id > after && entries->size() < limit) entries->push_back(std::move(entry));
    }
    return true;
  }
  return true;
}

bool StateReader::ReadLog(const AttemptRecord& attempt, int64_t offset, int64_t max_bytes, AttemptLogRange* range,
                          std::string* error) const {
  if (ReadAttemptLog(nullptr, attempt, offset, max_bytes, range, error)) return true;
  const std::unique_ptr<StateStore> store = Open(error);
  if (!store) {
    if (error->empty()) *error = "cannot read " + attempt.log_path;
    return false;
  }
  return ReadAttemptLog(store.get(), attempt, offset, max_bytes, range, error);
}

}  // namespace orchestra
