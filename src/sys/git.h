// Git: runs `git -C <dir> <args...>` as an argv (never through a shell) and
// returns its output. Synchronous on purpose: the plumbing Orchestra uses
// (rev-parse, worktree, merge-tree, commit-tree, update-ref) takes
// milliseconds. Behind an interface so tests can make any git call fail.
#pragma once

#include <string>
#include <vector>

namespace orchestra {

/// What one git command did.
struct GitResult {
  int exit_code = -1;  // -1: git could not be started
  std::string out;
  std::string err;

  bool ok() const { return exit_code == 0; }
  /// The first line of stdout without its newline (a rev-parse answer).
  std::string Line() const;
  /// "git <args>: <stderr>" for error messages.
  std::string Describe(const std::vector<std::string>& args) const;
};

/// Git runs git commands in a folder. Not thread-safe.
class Git {
 public:
  virtual ~Git() = default;
  virtual GitResult Run(const std::string& dir, const std::vector<std::string>& args) = 0;
};

/// GitWrapper forwards every call to another Git, so a test overrides only the
/// call it wants to fail or observe (LevelDB's EnvWrapper).
class GitWrapper : public Git {
 public:
  explicit GitWrapper(Git* target) : target_(target) {}
  GitResult Run(const std::string& dir, const std::vector<std::string>& args) override {
    return target_->Run(dir, args);
  }

 private:
  Git* target_;
};

/// SystemGit runs the `git` on PATH. The repository is always given by `-C`:
/// GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE and the other variables that point
/// git elsewhere are removed from its environment, so a user's exported
/// GIT_DIR cannot redirect Orchestra's commands into the wrong repository.
/// Messages are in the C locale. When the repository has no committer
/// identity, `-c user.name=Orchestra -c user.email=orchestra@localhost` is
/// added so commits still work.
class SystemGit : public Git {
 public:
  GitResult Run(const std::string& dir, const std::vector<std::string>& args) override;

 private:
  bool HasIdentity(const std::string& dir);
  std::vector<std::pair<std::string, bool>> identity_;  // dir -> has identity
};

/// Runs `args` in `dir`; false with `*error` ("git <args>: <stderr>") when git
/// failed. `*result`, when given, gets what git did either way.
bool RunGitChecked(Git* git, const std::string& dir, const std::vector<std::string>& args, std::string* error,
                   GitResult* result = nullptr);

/// The top level of the work tree holding `dir`; false when `dir` is not in one.
bool GitTopLevel(Git* git, const std::string& dir, std::string* top_level);

/// The commit `revision` names, or "" when it names none.
std::string ResolveCommit(Git* git, const std::string& dir, const std::string& revision);

/// True when `ancestor` is `descendant` or one of its ancestors.
bool IsAncestor(Git* git, const std::string& dir, const std::string& ancestor,
                const std::string& descendant);

/// A commit as people read it: its first 7 hex digits (git's own short form).
inline std::string ShortCommit(const std::string& commit) { return commit.substr(0, 7); }

/// What `git merge-tree --write-tree` made of merging two commits.
struct TreeMerge {
  bool conflict = false;
  std::string tree;                         // the merged tree (written even on conflict)
  std::vector<std::string> conflict_paths;  // each once, when `conflict`
};

/// Merges `theirs` into `ours` as git objects only: no working tree, index or
/// ref is touched. False with `*error` when git failed (not for a conflict).
bool MergeTrees(Git* git, const std::string& dir, const std::string& ours, const std::string& theirs,
                TreeMerge* merge, std::string* error);

/// Splits git output at `separator` ('\n' or '\0'), dropping empty entries.
std::vector<std::string> SplitOutput(const std::string& text, char separator);

}  // namespace orchestra
