#include "state_store_factory.h"

#include <filesystem>

#include "postgres_store.h"
#include "sqlite_store.h"
#include "state_url.h"

namespace orchestra {
namespace {

/// A SQLite database file: created by kCreate, else it must exist.
std::unique_ptr<StateStore> OpenSqlite(const std::string& path, StateOpenMode mode, const StateStoreOptions& options,
                                       const Clock* clock, bool* absent, std::string* error) {
  std::error_code ignored;
  *absent = mode != StateOpenMode::kCreate && !std::filesystem::exists(path, ignored);
  std::unique_ptr<SqliteStore> store = mode == StateOpenMode::kCreate     ? SqliteStore::Open(path, clock, error)
                                       : mode == StateOpenMode::kExisting ? SqliteStore::OpenExisting(path, clock, error)
                                                                          : SqliteStore::OpenReadOnly(path, clock, error);
  if (store && options.normal_durability && mode != StateOpenMode::kReadOnly &&
      !store->SetDurability(Durability::kNormal, error)) {
    *error = "cannot set [state] durability = \"process\" on " + path + ": " + *error;
    return nullptr;
  }
  return store;
}

std::unique_ptr<StateStore> OpenPostgres(const std::string& url, StateOpenMode mode, const StateStoreOptions& options,
                                         const Clock* clock, bool* absent, std::string* error) {
  *absent = false;
  std::unique_ptr<PostgresStore> store = mode == StateOpenMode::kCreate ? PostgresStore::Open(url, clock, error)
                                         : mode == StateOpenMode::kExisting
                                             ? PostgresStore::OpenExisting(url, clock, absent, error)
                                             : PostgresStore::OpenReadOnly(url, clock, absent, error);
  if (!store) {
    if (!*absent) *error += StateUrlHint(options.origin);
    return nullptr;
  }
  if (options.normal_durability) store->SetSynchronousCommit(false, error);
  return store;
}

}  // namespace

std::unique_ptr<StateStore> OpenStateStore(const std::string& location, StateOpenMode mode,
                                           const StateStoreOptions& options, const Clock* clock, bool* absent,
                                           std::string* error) {
  if (IsPostgresUrl(location)) return OpenPostgres(location, mode, options, clock, absent, error);
  return OpenSqlite(location, mode, options, clock, absent, error);
}

std::string StateUrlHint(const std::string& origin) {
  return " (the URL is from " + (origin.empty() ? std::string("--state") : origin) +
         "; check that the server runs and that the URL's host, port, user, password and database are right: "
         "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE)";
}

bool StateExists(const std::string& location, const Clock* clock) {
  if (!IsPostgresUrl(location)) {
    std::error_code ignored;
    return std::filesystem::exists(location, ignored);
  }
  bool absent = false;
  std::string error;
  return PostgresStore::OpenReadOnly(location, clock, &absent, &error) != nullptr || !absent;
}

}  // namespace orchestra
