// Worktrees: one git worktree per workstream, `.orchestra/worktrees/<id>` on
// branch `orchestra/<id>`, created from the integration branch's head at the
// moment of dispatch. Also the integration branch itself and the exclusion of
// `.orchestra/` from the user's `git status`. Nothing here touches the user's
// checkout: no checkout, index or working-tree change in the main worktree.
#pragma once

#include <string>
#include <vector>

#include "git.h"

namespace orchestra {

/// Adds each of `patterns` that is not there yet to the info/exclude file of
/// the repository at `repo_dir`, so `git status` never shows what they match.
/// Note that git reads that file in every worktree of the repository, the
/// agents' too.
bool ExcludeFromGitStatus(Git* git, const std::string& repo_dir, const std::vector<std::string>& patterns,
                          std::string* error);

/// Worktrees manages the per-workstream worktrees of one repository.
class Worktrees {
 public:
  /// `repo_dir` is the top level of the user's checkout.
  Worktrees(Git* git, std::string repo_dir, std::string integration_branch);

  /// Before a run: creates the integration branch from HEAD when it does not
  /// exist yet, and adds `/.orchestra/` to the repository's info/exclude so
  /// Orchestra's folder never shows as untracked. Fails on a repository
  /// without a commit.
  bool Prepare(std::string* error);

  /// The integration branch's head commit ("" when it does not exist).
  std::string IntegrationHead();
  const std::string& integration_branch() const { return integration_branch_; }
  const std::string& repo_dir() const { return repo_dir_; }

  static std::string BranchOf(const std::string& id) { return "orchestra/" + id; }
  std::string PathOf(const std::string& id) const;

  /// A fresh worktree for `id` at `base`: whatever was left of an earlier one
  /// (a failed attempt kept for inspection, a stale folder after a crash) is
  /// removed first, and the branch is reset to `base`.
  bool Create(const std::string& id, const std::string& base, std::string* error);
  /// A detached worktree at `commit` in `path` (to verify a merge result).
  bool CreateDetached(const std::string& path, const std::string& commit, std::string* error);
  /// Removes the worktree at `path` (the branch stays). Missing is not an error.
  bool RemoveAt(const std::string& path, std::string* error);
  bool Remove(const std::string& id, std::string* error) { return RemoveAt(PathOf(id), error); }
  /// Removes every worktree Orchestra keeps (`.orchestra/worktrees/*`, and
  /// `.orchestra/verify/*` left by a crash); `removed` gets their paths
  /// relative to the repository top.
  bool RemoveAll(std::vector<std::string>* removed, std::string* error);
  /// Deletes every `orchestra/<id>` branch but the integration branch;
  /// `deleted` gets their names.
  bool DeleteWorkstreamBranches(std::vector<std::string>* deleted, std::string* error);

  /// Commits every change in `id`'s worktree (new, changed and deleted files)
  /// with `message`, unless there is none. Sets `*head` to the branch head
  /// afterwards: equal to the base when the agent changed nothing.
  bool CommitAll(const std::string& id, const std::string& message, std::string* head,
                 std::string* error);

  /// Files that differ between two commits, relative to the repository top.
  bool ChangedFiles(const std::string& from, const std::string& to, std::vector<std::string>* files,
                    std::string* error);

 private:
  bool Check(const std::string& dir, const std::vector<std::string>& args, std::string* error,
             GitResult* result = nullptr);

  Git* git_;
  std::string repo_dir_;
  std::string integration_branch_;
};

}  // namespace orchestra
