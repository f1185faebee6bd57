// Orchestra's own files in a project folder that is the top of a git
// repository, which of them `git status` must not show, and their move from
// where earlier versions kept them. The state, logs and reports stay at their
// paths (`.state/orchestration.db`, `logs/`, `reports/`) in every isolation
// mode, so `sqlite3 .state/orchestration.db` and `tail -f logs/orchestrator.log`
// work the same with worktrees; only the worktrees live under `.orchestra/`.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "git.h"

namespace orchestra {

/// The info/exclude lines that keep Orchestra's files out of `git status`:
/// `/.orchestra/`, and the files Orchestra writes under the state, logs and
/// reports paths left at their defaults (a configured path is the user's to
/// ignore). Files, not whole folders: git reads info/exclude in the agents'
/// worktrees too, where a `reports/` or `logs/` folder may be the agent's
/// work and must still be committed.
std::vector<std::string> GitExcludePatterns(const Config& config);

/// Writes GitExcludePatterns into the repository's info/exclude; false after
/// setting `*error`.
bool ExcludeOwnFiles(Git* git, const Config& config, std::string* error);

/// Earlier versions kept the state, logs and reports left at their defaults
/// under `.orchestra/` (`state/orchestration.db`, `logs/`, `reports/`) with
/// worktree isolation. When that database exists and the default one does
/// not, this moves it (with its -wal and -shm files) and those folders back
/// to the default paths, holding the database's lock meanwhile, and leaves
/// `.orchestra/logs` as a link to `logs/` so the log paths recorded in the
/// database still lead to the logs. A folder whose new place already holds
/// files stays where it is. When an orchestrator holds the lock (or the
/// database cannot be moved) `config` is pointed at the earlier paths, which
/// are used where they are. Returns the one-line note saying which of these
/// happened, "" when there was nothing to move.
std::string MoveEarlierLayout(Git* git, Config* config);

}  // namespace orchestra
