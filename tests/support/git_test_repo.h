// A throwaway git repository for the git, worktree and merge-queue tests:
// a temporary folder with `git init`, files written and committed by the test.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "git.h"
#include "temp_dir.h"

namespace orchestra {

/// GitTestRepo is a fresh repository on branch `main` with one commit
/// ("README.md"), in a TempDir (removed with everything in it at the end).
class GitTestRepo {
 public:
  GitTestRepo() {
    Git({"init", "-q", "-b", "main"});
    Write("README.md", "hello\n");
    Commit("initial");
  }
  GitTestRepo(const GitTestRepo&) = delete;
  GitTestRepo& operator=(const GitTestRepo&) = delete;

  const std::string& path() const { return dir_.path(); }
  SystemGit* git() { return &git_; }

  /// Runs git in the repository (or in `dir`); returns stdout.
  std::string Git(const std::vector<std::string>& args, const std::string& dir = "") {
    return git_.Run(dir.empty() ? path() : dir, args).out;
  }
  void Write(const std::string& relative, const std::string& text, const std::string& dir = "") {
    const std::filesystem::path file = std::filesystem::path(dir.empty() ? path() : dir) / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  std::string Read(const std::string& relative, const std::string& dir = "") const {
    std::ifstream in(std::filesystem::path(dir.empty() ? path() : dir) / relative);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  /// Commits everything in `dir` (default: the repository); returns the commit.
  std::string Commit(const std::string& message, const std::string& dir = "") {
    Git({"add", "-A"}, dir);
    Git({"commit", "-q", "--no-verify", "-m", message}, dir);
    return ResolveCommit(&git_, dir.empty() ? path() : dir, "HEAD");
  }
  /// The commit a revision names.
  std::string Rev(const std::string& revision) { return ResolveCommit(&git_, path(), revision); }

 private:
  testing::TempDir dir_;
  SystemGit git_;
};

}  // namespace orchestra
