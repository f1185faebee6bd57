// SharedIntegration: the integration branch of workers on several hosts, each
// working in its own clone. The state holds the branch's head
// (StateStore::IntegrationHead) and moves it only by a compare-and-set under
// the merging attempt's fencing token (MoveIntegration); a shared git
// repository, the remote, holds the commits. Each clone's local integration
// branch, and the remote's, follow the state's head: a merge's commits reach
// the remote before the state names them, and the remote's branch is moved
// (fast-forward only) after. docs/state.md "Git across hosts".
#pragma once

#include <string>

#include "git.h"
#include "state_store.h"

namespace orchestra {

/// SharedIntegration keeps one clone's integration branch in step with the
/// state's and pushes to the remote. Not thread-safe; the executor's loop uses it.
class SharedIntegration {
 public:
  /// `remote`: a remote name of the clone, a path or a URL, as git takes it;
  /// empty: this repository is the shared one (`orchestra run` on a shared
  /// state with no remote configured; workers elsewhere push into it), so
  /// nothing is fetched or pushed.
  SharedIntegration(Git* git, StateStore* store, std::string repo_dir, std::string remote, std::string branch);

  /// Before the first dispatch: when the state records no head yet, the
  /// remote's branch becomes it, or when the remote has none, this clone's
  /// integration branch (pushed first). Then Sync.
  bool Start(std::string* error);
  /// The state's head in `*head`, its commits fetched from the remote when
  /// this clone lacks them, and the local integration branch set to it.
  bool Sync(std::string* head, std::string* error);
  /// Sets this clone's integration branch to `head` (a commit it has), as
  /// after its own merge, which the state has just recorded.
  bool SetLocalHead(const std::string& head, std::string* error);
  /// Pushes a workstream's branch and its prepared merge commit (under
  /// refs/orchestra/merges/<id>) to the remote, so that every host has the
  /// merge's commits before the state names it.
  bool Publish(const std::string& id, const std::string& branch_head, const std::string& merge_commit,
               std::string* error);
  /// Moves the remote's branch to `head` if that is a fast-forward (the state
  /// moved it already; a lagging remote catches up at the next merge). Never
  /// rewrites the remote's history.
  bool PushHead(const std::string& head, std::string* error);

  const std::string& remote() const { return remote_; }
  const std::string& branch() const { return branch_; }

 private:
  /// Fetches the remote's branch and merge refs until `commit` is here.
  bool FetchCommit(const std::string& commit, std::string* error);
  bool Check(const std::vector<std::string>& args, std::string* error, GitResult* result = nullptr);

  Git* git_;
  StateStore* store_;
  std::string repo_dir_;
  std::string remote_;
  std::string branch_;
};

}  // namespace orchestra
