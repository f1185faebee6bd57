#include "worktree.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace orchestra {

namespace fs = std::filesystem;

Worktrees::Worktrees(Git* git, std::string repo_dir, std::string integration_branch)
    : git_(git), repo_dir_(std::move(repo_dir)), integration_branch_(std::move(integration_branch)) {}

bool Worktrees::Check(const std::string& dir, const std::vector<std::string>& args, std::string* error,
                      GitResult* result) {
  return RunGitChecked(git_, dir, args, error, result);
}

std::string Worktrees::PathOf(const std::string& id) const {
  return (fs::path(repo_dir_) / ".orchestra" / "worktrees" / id).string();
}

std::string Worktrees::IntegrationHead() {
  return ResolveCommit(git_, repo_dir_, "refs/heads/" + integration_branch_);
}

bool ExcludeFromGitStatus(Git* git, const std::string& repo_dir, const std::vector<std::string>& patterns,
                          std::string* error) {
  const std::vector<std::string> args{"rev-parse", "--git-path", "info/exclude"};
  const GitResult exclude = git->Run(repo_dir, args);
  if (!exclude.ok()) {
    *error = exclude.Describe(args);
    return false;
  }
  fs::path exclude_path = exclude.Line();
  if (exclude_path.is_relative()) exclude_path = fs::path(repo_dir) / exclude_path;
  std::ifstream in(exclude_path);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> missing = patterns;
  for (std::string line; std::getline(text, line);) std::erase(missing, line);
  if (missing.empty()) return true;
  std::error_code ignored;
  fs::create_directories(exclude_path.parent_path(), ignored);
  std::ofstream out(exclude_path, std::ios::app);
  const std::string existing = text.str();
  if (!existing.empty() && existing.back() != '\n') out << "\n";
  out << "# Orchestra's own files (see orchestra's README)\n";
  for (const std::string& pattern : missing) out << pattern << "\n";
  if (out) return true;
  *error = "cannot write " + exclude_path.string();
  return false;
}

bool Worktrees::Prepare(std::string* error) {
  if (!ExcludeFromGitStatus(git_, repo_dir_, {"/.orchestra/"}, error)) return false;
  if (!IntegrationHead().empty()) return true;
  const std::string head = ResolveCommit(git_, repo_dir_, "HEAD");
  if (head.empty()) {
    *error = "the repository has no commit yet: commit something first (worktrees start from HEAD), "
             "or set isolation = \"none\"";
    return false;
  }
  // Create only: if another process made it meanwhile, keep theirs.
  return Check(repo_dir_, {"update-ref", "refs/heads/" + integration_branch_, head, ""}, error);
}

bool Worktrees::RemoveAt(const std::string& path, std::string* error) {
  std::error_code ignored;
  if (fs::exists(path, ignored)) {
    git_->Run(repo_dir_, {"worktree", "remove", "--force", "--force", path});
    fs::remove_all(path, ignored);  // a folder git no longer knew about
  }
  return Check(repo_dir_, {"worktree", "prune"}, error);
}

bool Worktrees::RemoveAll(std::vector<std::string>* removed, std::string* error) {
  for (const char* folder : {"worktrees", "verify"}) {
    const fs::path root = fs::path(repo_dir_) / ".orchestra" / folder;
    std::error_code ignored;
    if (!fs::is_directory(root, ignored)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(root)) {
      if (!RemoveAt(entry.path().string(), error)) return false;
      removed->push_back(fs::relative(entry.path(), repo_dir_).string());
    }
  }
  return true;
}

bool Worktrees::DeleteWorkstreamBranches(std::vector<std::string>* deleted, std::string* error) {
  GitResult branches;
  if (!Check(repo_dir_, {"for-each-ref", "--format=%(refname)", "refs/heads/orchestra/"}, error, &branches)) {
    return false;
  }
  for (const std::string& ref : SplitOutput(branches.out, '\n')) {
    if (ref == "refs/heads/" + integration_branch_) continue;
    if (!Check(repo_dir_, {"update-ref", "-d", ref}, error)) return false;
    deleted->push_back(ref.substr(std::string("refs/heads/").size()));
  }
  return true;
}

bool Worktrees::Create(const std::string& id, const std::string& base, std::string* error) {
  const std::string path = PathOf(id);
  if (!RemoveAt(path, error)) return false;
  std::error_code ignored;
  fs::create_directories(fs::path(path).parent_path(), ignored);
  return Check(repo_dir_, {"worktree", "add", "--quiet", "--force", "-B", BranchOf(id), path, base}, error);
}

bool Worktrees::CreateDetached(const std::string& path, const std::string& commit, std::string* error) {
  if (!RemoveAt(path, error)) return false;
  std::error_code ignored;
  fs::create_directories(fs::path(path).parent_path(), ignored);
  return Check(repo_dir_, {"worktree", "add", "--quiet", "--force", "--detach", path, commit}, error);
}

bool Worktrees::CommitAll(const std::string& id, const std::string& message, std::string* head,
                          std::string* error) {
  const std::string path = PathOf(id);
  if (!Check(path, {"add", "--all"}, error)) return false;
  const GitResult staged = git_->Run(path, {"diff", "--cached", "--quiet"});
  if (staged.exit_code == 1) {
    // --no-verify: the user's hooks are for the user's commits, not for ours.
    if (!Check(path, {"commit", "--quiet", "--no-verify", "-m", message}, error)) return false;
  } else if (!staged.ok()) {
    *error = staged.Describe({"diff", "--cached", "--quiet"});
    return false;
  }
  *head = ResolveCommit(git_, path, "HEAD");
  if (head->empty()) {
    *error = "the worktree " + path + " has no HEAD";
    return false;
  }
  return true;
}

bool Worktrees::ChangedFiles(const std::string& from, const std::string& to,
                             std::vector<std::string>* files, std::string* error) {
  GitResult diff;
  if (!Check(repo_dir_, {"diff", "--name-only", "--no-renames", "-z", from, to}, error, &diff)) return false;
  *files = SplitOutput(diff.out, '\0');
  return true;
}

}  // namespace orchestra
