// Sync: brings the user's branch into the integration branch, so work started
// after the user committed (or landed) begins from what the user has. Like
// the merge queue it never touches a working tree: a fast-forward is one
// `git update-ref`, a merge is `git merge-tree --write-tree` + `git
// commit-tree` + `git update-ref <new> <old>`. A conflict moves nothing.
// `orchestra run` syncs before it dispatches; `orchestra sync` does it alone.
#pragma once

#include <string>
#include <vector>

#include "git.h"

namespace orchestra {

/// What SyncIntegration did.
struct SyncResult {
  enum class Outcome {
    kNoIntegrationBranch,  // nothing to sync: the first run creates it from HEAD
    kUpToDate,             // the integration branch already holds the user's head
    kFastForward,          // it had nothing unlanded: moved to the user's head
    kMerged,               // it had unlanded work: a merge commit of both
    kConflict,             // both changed the same lines; nothing moved
    kError,
  } outcome = Outcome::kError;
  std::string user_branch;  // "main"; "HEAD" when detached
  std::string old_head;     // the integration head before
  std::string new_head;     // after (== old_head unless fast-forwarded or merged)
  std::vector<std::string> conflict_paths;  // kConflict
  std::string error;                        // kError
};

/// Brings the commit checked out in `repo_dir` (its HEAD, so committed work
/// only) into `integration_branch`.
SyncResult SyncIntegration(Git* git, const std::string& repo_dir, const std::string& integration_branch);

/// One line for the user: "orchestra/integration fast-forwarded to main
/// (abc1234)", or for a conflict the paths and what to do.
std::string DescribeSync(const SyncResult& result, const std::string& integration_branch);

}  // namespace orchestra
