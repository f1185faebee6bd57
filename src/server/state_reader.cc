#include "state_reader.h"

#include <algorithm>
#include <filesystem>

#include "sqlite_store.h"

namespace orchestra {

bool StateReader::Snapshot(StateSnapshot* snapshot, std::string* error) const {
  *snapshot = StateSnapshot();
  snapshot->now = clock_->Now();
  std::error_code ignored;
  if (!std::filesystem::exists(state_path_, ignored)) return true;
  const std::unique_ptr<SqliteStore> store = SqliteStore::OpenReadOnly(state_path_, clock_, error);
  return store && LoadSnapshot(store.get(), snapshot->now, 0, snapshot, error);
}

bool StateReader::LogAfter(int64_t after, size_t limit, std::vector<LogEntry>* entries, std::string* error) const {
  entries->clear();
  std::error_code ignored;
  if (!std::filesystem::exists(state_path_, ignored)) return true;
  const std::unique_ptr<SqliteStore> store = SqliteStore::OpenReadOnly(state_path_, clock_, error);
  if (!store) return false;
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

}  // namespace orchestra
