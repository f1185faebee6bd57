#include "sync.h"

namespace orchestra {

namespace {

/// The merge of `user_head` into the integration head `result->old_head`, as
/// a commit that no ref names yet; sets the outcome on conflict or error.
std::string MergeCommit(Git* git, const std::string& repo_dir, const std::string& integration_branch,
                        const std::string& user_head, SyncResult* result) {
  TreeMerge merge;
  if (!MergeTrees(git, repo_dir, result->old_head, user_head, &merge, &result->error)) return "";
  if (merge.conflict) {
    result->outcome = SyncResult::Outcome::kConflict;
    result->conflict_paths = merge.conflict_paths;
    return "";
  }
  const std::vector<std::string> commit_tree{
      "commit-tree", merge.tree, "-p", result->old_head, "-p", user_head,
      "-m", "Merge " + result->user_branch + " into " + integration_branch};
  const GitResult commit = git->Run(repo_dir, commit_tree);
  if (!commit.ok()) {
    result->error = commit.Describe(commit_tree);
    return "";
  }
  return commit.Line();
}

}  // namespace

SyncResult SyncIntegration(Git* git, const std::string& repo_dir, const std::string& integration_branch) {
  SyncResult result;
  const std::string ref = "refs/heads/" + integration_branch;
  result.old_head = ResolveCommit(git, repo_dir, ref);
  result.new_head = result.old_head;
  result.user_branch = git->Run(repo_dir, {"symbolic-ref", "--short", "-q", "HEAD"}).Line();
  if (result.user_branch.empty()) result.user_branch = "HEAD";
  if (result.old_head.empty()) {
    result.outcome = SyncResult::Outcome::kNoIntegrationBranch;
    return result;
  }
  const std::string user_head = ResolveCommit(git, repo_dir, "HEAD");
  if (user_head.empty()) {
    result.error = "the repository has no commit checked out";
    return result;
  }
  if (IsAncestor(git, repo_dir, user_head, result.old_head)) {
    result.outcome = SyncResult::Outcome::kUpToDate;
    return result;
  }
  std::string target = user_head;
  SyncResult::Outcome outcome = SyncResult::Outcome::kFastForward;
  if (!IsAncestor(git, repo_dir, result.old_head, user_head)) {
    target = MergeCommit(git, repo_dir, integration_branch, user_head, &result);
    if (target.empty()) return result;
    outcome = SyncResult::Outcome::kMerged;
  }
  // Only if nobody moved the branch meanwhile.
  const std::vector<std::string> update{"update-ref", "-m", "orchestra: sync with " + result.user_branch, ref,
                                        target, result.old_head};
  const GitResult moved = git->Run(repo_dir, update);
  if (!moved.ok()) {
    result.error = moved.Describe(update);
    return result;
  }
  result.outcome = outcome;
  result.new_head = target;
  return result;
}

std::string DescribeSync(const SyncResult& result, const std::string& integration_branch) {
  const std::string& user = result.user_branch;
  switch (result.outcome) {
    case SyncResult::Outcome::kNoIntegrationBranch:
      return "there is no " + integration_branch + " yet: the first run starts it from " + user;
    case SyncResult::Outcome::kUpToDate:
      return integration_branch + " already contains " + user;
    case SyncResult::Outcome::kFastForward:
      return integration_branch + " fast-forwarded to " + user + " (" + ShortCommit(result.new_head) + ")";
    case SyncResult::Outcome::kMerged:
      return "merged " + user + " into " + integration_branch + " (" + ShortCommit(result.new_head) + ")";
    case SyncResult::Outcome::kConflict: {
      std::string paths;
      for (const std::string& path : result.conflict_paths) paths += "\n  " + path;
      return user + " and " + integration_branch + " conflict, so " + integration_branch +
             " was left as it was. Merge them in your checkout: `git merge " + integration_branch +
             "`, resolve the conflict and commit, then run again. Conflicting paths:" + paths;
    }
    case SyncResult::Outcome::kError:
      return "cannot bring " + user + " into " + integration_branch + ": " + result.error;
  }
  return "";
}

}  // namespace orchestra
