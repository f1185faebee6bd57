#include "merge_queue.h"

#include <algorithm>

namespace orchestra {

MergeQueue::MergeQueue(Git* git, std::string repo_dir, std::string integration_branch,
                       std::string strategy)
    : git_(git),
      repo_dir_(std::move(repo_dir)),
      integration_branch_(std::move(integration_branch)),
      strategy_(std::move(strategy)) {}

int MergeQueue::TakeNext() {
  if (current_ >= 0 || waiting_.empty()) return -1;
  current_ = waiting_.front();
  waiting_.pop_front();
  return current_;
}

void MergeQueue::Drop(int workstream) {
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), workstream), waiting_.end());
  if (current_ == workstream) current_ = -1;
}

bool MergeQueue::Contains(int workstream) const {
  return current_ == workstream || std::find(waiting_.begin(), waiting_.end(), workstream) != waiting_.end();
}

PreparedMerge MergeQueue::Prepare(const MergeRequest& request) {
  PreparedMerge merge;
  merge.old_head = ResolveCommit(git_, repo_dir_, "refs/heads/" + integration_branch_);
  if (merge.old_head.empty()) {
    merge.error = "the integration branch " + integration_branch_ + " does not exist";
    return merge;
  }
  TreeMerge tree_merge;
  if (!MergeTrees(git_, repo_dir_, merge.old_head, request.head, &tree_merge, &merge.error)) return merge;
  if (tree_merge.conflict) {
    merge.outcome = PreparedMerge::Outcome::kConflict;
    merge.conflict_paths = tree_merge.conflict_paths;
    std::vector<std::string> log{"log", "--format=%h %s", request.base + ".." + merge.old_head, "--"};
    log.insert(log.end(), merge.conflict_paths.begin(), merge.conflict_paths.end());
    merge.other_side = git_->Run(repo_dir_, log).out;
    return merge;
  }
  std::vector<std::string> commit_tree{"commit-tree", tree_merge.tree, "-p", merge.old_head};
  if (strategy_ == "rebase") {
    // The workstream's own commit message(s), oldest first, on one linear commit.
    const GitResult messages =
        git_->Run(repo_dir_, {"log", "--reverse", "--format=%B", request.base + ".." + request.head});
    std::string message = messages.out;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    if (message.empty()) message = request.id + ": " + request.title;
    commit_tree.insert(commit_tree.end(), {"-m", message});
  } else {
    commit_tree.insert(commit_tree.end(),
                       {"-p", request.head, "-m",
                        "Merge " + request.id + (request.title.empty() ? "" : ": " + request.title),
                        "-m", "Orchestra-Workstream: " + request.id});
  }
  const GitResult commit = git_->Run(repo_dir_, commit_tree);
  if (!commit.ok()) {
    merge.error = commit.Describe(commit_tree);
    return merge;
  }
  merge.new_head = commit.Line();
  merge.outcome = PreparedMerge::Outcome::kReady;
  return merge;
}

bool MergeQueue::Advance(const PreparedMerge& merge, const std::string& id, std::string* error) {
  const std::vector<std::string> args{"update-ref", "-m", "orchestra: merge " + id,
                                      "refs/heads/" + integration_branch_, merge.new_head, merge.old_head};
  const GitResult result = git_->Run(repo_dir_, args);
  if (result.ok()) return true;
  *error = result.Describe(args);
  return false;
}

}  // namespace orchestra
