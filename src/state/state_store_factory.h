// OpenStateStore: the one place that turns where the state lives (a database
// path, or a postgresql:// URL from --state or `[state] url`) into a
// StateStore, so commands and the dashboard never name a store type.
#pragma once

#include <memory>
#include <string>

#include "clock.h"
#include "state_store.h"

namespace orchestra {

/// How a command opens the state.
enum class StateOpenMode {
  kCreate,    // created (or migrated) when needed: `run`
  kExisting,  // must be there already; read and written (`retry`, `reset`, `status`)
  kReadOnly,  // must be there already; never written (the dashboard)
};

/// Settings of an opened store.
struct StateStoreOptions {
  /// [state] durability = "process": a commit survives a crash of Orchestra,
  /// not of the machine (SQLite synchronous=NORMAL, PostgreSQL
  /// synchronous_commit off).
  bool normal_durability = false;
  /// Where the URL came from, for messages: "--state" or "[state] url in orchestra.toml".
  std::string origin = "--state";
};

/// Opens the state at `location`. Returns nullptr with `*error` (naming the
/// state, a URL with its password masked, and what to do) on failure;
/// `*absent` is then true when nothing is there yet (no database file, no
/// orchestra schema in the PostgreSQL database), which is not an error for
/// every command. `clock` must outlive the store.
std::unique_ptr<StateStore> OpenStateStore(const std::string& location, StateOpenMode mode,
                                           const StateStoreOptions& options, const Clock* clock, bool* absent,
                                           std::string* error);

/// What to check when the PostgreSQL server of a URL from `origin` cannot be
/// used: " (the URL is from --state; check that ...)".
std::string StateUrlHint(const std::string& origin);

/// True when there is a state at `location` (a database file, or the orchestra
/// schema in the PostgreSQL database); false also when it cannot be reached,
/// which the command that opens it then reports.
bool StateExists(const std::string& location, const Clock* clock);

}  // namespace orchestra
