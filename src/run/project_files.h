// Orchestra's own files in a project folder that is the top of a git
// repository, and which of them `git status` must not show. The state, logs
// and reports stay at their paths (`.state/orchestration.db`, `logs/`,
// `reports/`) in every isolation mode, so `sqlite3 .state/orchestration.db`
// and `tail -f logs/orchestrator.log` work the same with worktrees; only the
// worktrees live under `.orchestra/`.
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

}  // namespace orchestra
