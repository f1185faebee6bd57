// Writes outside the worktree: with worktree isolation each agent works in
// its own worktree (`.orchestra/worktrees/<id>`); an agent that writes into
// the user's main checkout instead (`cd ..`, an absolute path, a tool that
// finds the repository's top) is noticed by comparing the main checkout's
// `git status` before its agent starts and after it ends, and reported: an
// event in the audit trail, a line in the attempt's log, the report's
// timeline. Not prevented, and not a failure (docs/security.md says why).
//
// What it sees: files git would show in the main checkout (changed, added,
// deleted, untracked; not ignored ones, not other worktrees, nothing outside
// the repository). What it cannot tell: which agent made a change when
// several ran at once, or whether the user made it; the message says so.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "git.h"

namespace orchestra {

/// CheckoutSnapshot is the main checkout's working tree as `git status`
/// shows it: each path it lists, with its status and, when a file is there,
/// its size and modification time, so that a file changed again after it was
/// first changed still differs.
using CheckoutSnapshot = std::map<std::string, std::string>;

/// Takes the snapshot of the working tree at `repo_dir` (one `git status`,
/// plus a stat of each path it lists); false after setting `*error`.
bool SnapshotCheckout(Git* git, const std::string& repo_dir, CheckoutSnapshot* snapshot, std::string* error);

/// The paths whose entry differs between `before` and `after` (appeared,
/// gone, or changed), sorted, leaving out those under any of `own` (paths
/// relative to the top: Orchestra's own files when configured elsewhere than
/// their defaults, which git does not ignore).
std::vector<std::string> ChangedPaths(const CheckoutSnapshot& before, const CheckoutSnapshot& after,
                                      const std::vector<std::string>& own);

/// The report of `paths` (at most `shown` of them named, then how many more):
/// "files outside its worktree changed in the main checkout <dir> while its
/// agent ran: a.txt, b/c.txt (...)".
std::string DescribeOutsideWrites(const std::string& repo_dir, const std::vector<std::string>& paths,
                                  int agents_running, size_t shown = 20);

}  // namespace orchestra
