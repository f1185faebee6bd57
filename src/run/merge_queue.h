// The merge queue: finished workstreams are merged into the integration
// branch one at a time, in the order they finished. A merge never touches a
// working tree: `git merge-tree --write-tree` computes the result as objects,
// `git commit-tree` makes the commit, and `git update-ref <new> <old>` moves
// the branch only if nobody moved it meanwhile. A conflict leaves the
// integration branch exactly where it was.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "git.h"

namespace orchestra {

/// One workstream branch to merge.
struct MergeRequest {
  std::string id;
  std::string title;
  std::string base;  // integration head its worktree started from
  std::string head;  // its branch head
};

/// A prepared merge: the commit the integration branch would move to.
struct PreparedMerge {
  enum class Outcome { kReady, kConflict, kError } outcome = Outcome::kError;
  std::string old_head;  // integration head the merge was computed on
  std::string new_head;  // the merge (or rebased) commit; kReady
  std::vector<std::string> conflict_paths;  // kConflict
  std::string other_side;  // kConflict: integration commits since `base` touching those paths
  std::string error;       // kError
};

/// MergeQueue holds the workstreams waiting to merge and does the merges.
/// `strategy` is "merge" (a --no-ff merge commit with both parents) or
/// "rebase" (one commit with the workstream's changes on top of the
/// integration head: linear history).
class MergeQueue {
 public:
  MergeQueue(Git* git, std::string repo_dir, std::string integration_branch, std::string strategy);

  /// Queue bookkeeping (by workstream index): one merge at a time, in order.
  void Add(int workstream) { waiting_.push_back(workstream); }
  /// The next workstream to merge when none is merging; -1 otherwise.
  int TakeNext();
  /// The merge of `current()` ended (merged, failed or abandoned).
  void Done() { current_ = -1; }
  /// Forgets `workstream` wherever it is in the queue.
  void Drop(int workstream);
  int current() const { return current_; }
  bool HasWaiting() const { return !waiting_.empty(); }
  bool Contains(int workstream) const;

  /// Computes the merge of `request` onto the integration head. Writes git
  /// objects only; no ref moves.
  PreparedMerge Prepare(const MergeRequest& request);
  /// Moves the integration branch from `merge.old_head` to `merge.new_head`,
  /// atomically and only if it is still at `old_head`.
  bool Advance(const PreparedMerge& merge, const std::string& id, std::string* error);

 private:
  Git* git_;
  std::string repo_dir_;
  std::string integration_branch_;
  std::string strategy_;
  std::deque<int> waiting_;
  int current_ = -1;
};

}  // namespace orchestra
