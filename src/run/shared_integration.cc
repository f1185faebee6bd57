#include "shared_integration.h"

#include <utility>

namespace orchestra {

namespace {

/// Where fetched remote refs are kept in each clone (out of the user's way).
std::string SharedRef(const std::string& branch) { return "refs/orchestra/shared/" + branch; }
constexpr const char* kMergeRefs = "refs/orchestra/merges/";

}  // namespace

SharedIntegration::SharedIntegration(Git* git, StateStore* store, std::string repo_dir, std::string remote,
                                     std::string branch)
    : git_(git),
      store_(store),
      repo_dir_(std::move(repo_dir)),
      remote_(std::move(remote)),
      branch_(std::move(branch)) {}

bool SharedIntegration::Check(const std::vector<std::string>& args, std::string* error, GitResult* result) {
  return RunGitChecked(git_, repo_dir_, args, error, result);
}

bool SharedIntegration::Start(std::string* error) {
  std::string head;
  if (!store_->IntegrationHead(branch_, &head, error)) return false;
  // Workers starting together: the first to record a head wins; the others
  // take it. A push that loses to another worker's is read again.
  for (int round = 0; head.empty() && round < 3; ++round) {
    std::string candidate;
    if (!remote_.empty()) {  // else this repository is the shared one
      GitResult listed;
      if (!Check({"ls-remote", "--", remote_, "refs/heads/" + branch_}, error, &listed)) {
        *error = "cannot reach the shared remote " + remote_ + ": " + *error;
        return false;
      }
      candidate = listed.out.substr(0, listed.out.find('\t'));
    }
    if (candidate.size() < 40) {
      candidate = ResolveCommit(git_, repo_dir_, "refs/heads/" + branch_);
      if (candidate.empty()) {
        *error = "the integration branch " + branch_ + " does not exist in " + repo_dir_;
        return false;
      }
      std::string ignored;
      if (!remote_.empty() &&
          !Check({"push", "-q", "--no-verify", "--", remote_, candidate + ":refs/heads/" + branch_}, &ignored)) {
        continue;
      }
    }
    if (!store_->StartIntegration(branch_, candidate, &head, error)) return false;
  }
  if (head.empty()) {
    *error = "cannot start the shared integration branch " + branch_ + " in " + remote_;
    return false;
  }
  return Sync(&head, error);
}

bool SharedIntegration::FetchCommit(const std::string& commit, std::string* error) {
  const std::string object = commit + "^{commit}";
  if (git_->Run(repo_dir_, {"cat-file", "-e", object}).ok()) return true;
  if (remote_.empty()) {
    *error = "the shared integration head " + commit + " of " + branch_ + " is not in " + repo_dir_ +
             ", the repository the workers share (was it rewritten?)";
    return false;
  }
  if (!Check({"fetch", "-q", "--no-tags", "--", remote_, "+refs/heads/" + branch_ + ":" + SharedRef(branch_)},
             error)) {
    *error = "cannot fetch " + branch_ + " from the shared remote " + remote_ + ": " + *error;
    return false;
  }
  if (git_->Run(repo_dir_, {"cat-file", "-e", object}).ok()) return true;
  // The worker that merged it died before moving the remote's branch: its
  // merge commit is under refs/orchestra/merges/.
  if (!Check({"fetch", "-q", "--no-tags", "--", remote_,
              std::string("+") + kMergeRefs + "*:refs/orchestra/shared-merges/*"},
             error)) {
    *error = "cannot fetch the merges from the shared remote " + remote_ + ": " + *error;
    return false;
  }
  if (git_->Run(repo_dir_, {"cat-file", "-e", object}).ok()) return true;
  *error = "the shared integration head " + commit + " of " + branch_ + " is not in the remote " + remote_ +
           " (was the remote replaced or rewritten?)";
  return false;
}

bool SharedIntegration::Sync(std::string* head, std::string* error) {
  std::string recorded;
  if (!store_->IntegrationHead(branch_, &recorded, error)) return false;
  if (recorded.empty()) {
    *error = "the state records no head for the shared integration branch " + branch_;
    return false;
  }
  if (!FetchCommit(recorded, error) || !SetLocalHead(recorded, error)) return false;
  *head = recorded;
  return true;
}

bool SharedIntegration::SetLocalHead(const std::string& head, std::string* error) {
  return ResolveCommit(git_, repo_dir_, "refs/heads/" + branch_) == head ||
         Check({"update-ref", "-m", "orchestra: the shared integration head", "refs/heads/" + branch_, head}, error);
}

bool SharedIntegration::Publish(const std::string& id, const std::string& branch_head,
                                const std::string& merge_commit, std::string* error) {
  if (remote_.empty()) return true;  // the commits are in the shared repository already
  if (Check({"push", "-q", "--no-verify", "--force", "--", remote_, branch_head + ":refs/heads/orchestra/" + id,
             merge_commit + ":" + kMergeRefs + id},
            error)) {
    return true;
  }
  *error = "cannot push to the shared remote " + remote_ + ": " + *error;
  return false;
}

bool SharedIntegration::PushHead(const std::string& head, std::string* error) {
  if (remote_.empty()) return true;  // SetLocalHead moved the shared repository's branch
  if (Check({"push", "-q", "--no-verify", "--", remote_, head + ":refs/heads/" + branch_}, error)) return true;
  *error = "cannot move " + branch_ + " in the shared remote " + remote_ + ": " + *error;
  return false;
}

}  // namespace orchestra
