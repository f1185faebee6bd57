#include "git.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "git_test_repo.h"

namespace orchestra {
namespace {

TEST(GitTest, RunsInTheGivenFolderAndReportsFailures) {
  GitTestRepo repo;
  SystemGit git;
  std::string top;
  ASSERT_TRUE(GitTopLevel(&git, repo.path(), &top));
  EXPECT_TRUE(std::filesystem::equivalent(top, repo.path()));
  EXPECT_FALSE(GitTopLevel(&git, "/", &top));
  const GitResult failed = git.Run(repo.path(), {"rev-parse", "--verify", "no-such-branch"});
  EXPECT_FALSE(failed.ok());
  EXPECT_NE(failed.Describe({"rev-parse", "--verify", "no-such-branch"}).find("git rev-parse --verify no-such-branch: "),
            std::string::npos);
  EXPECT_EQ(ResolveCommit(&git, repo.path(), "no-such-branch"), "");
  EXPECT_EQ(ResolveCommit(&git, repo.path(), "main").size(), 40u);
}

TEST(GitTest, AncestryAndOutputSplitting) {
  GitTestRepo repo;
  const std::string first = repo.Rev("HEAD");
  repo.Write("a.txt", "a\n");
  const std::string second = repo.Commit("second");
  EXPECT_TRUE(IsAncestor(repo.git(), repo.path(), first, second));
  EXPECT_TRUE(IsAncestor(repo.git(), repo.path(), second, second));
  EXPECT_FALSE(IsAncestor(repo.git(), repo.path(), second, first));
  EXPECT_EQ(SplitOutput("a\nb\n\nc", '\n'), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitOutput(std::string("x\0y\0", 4), '\0'), (std::vector<std::string>{"x", "y"}));
}

TEST(GitTest, MergeTreesWritesTheTreeOrNamesEachConflictingPathOnce) {
  GitTestRepo repo;
  const std::string base = repo.Rev("HEAD");
  repo.Write("a.txt", "ours\n");
  repo.Write("b.txt", "ours\n");
  const std::string ours = repo.Commit("ours");
  repo.Git({"checkout", "-q", "-b", "side", base});
  repo.Write("a.txt", "theirs\n");
  repo.Write("b.txt", "theirs\n");
  const std::string theirs = repo.Commit("theirs");
  repo.Write("c.txt", "clean\n");
  const std::string clean = repo.Commit("clean");
  repo.Git({"checkout", "-q", "main"});

  TreeMerge merge;
  std::string error;
  ASSERT_TRUE(MergeTrees(repo.git(), repo.path(), ours, theirs, &merge, &error)) << error;
  EXPECT_TRUE(merge.conflict);
  EXPECT_EQ(merge.conflict_paths, (std::vector<std::string>{"a.txt", "b.txt"}));
  ASSERT_TRUE(MergeTrees(repo.git(), repo.path(), theirs, clean, &merge, &error)) << error;
  EXPECT_FALSE(merge.conflict);
  EXPECT_TRUE(merge.conflict_paths.empty());
  EXPECT_EQ(merge.tree, repo.Git({"rev-parse", clean + "^{tree}"}).substr(0, 40));
  EXPECT_FALSE(MergeTrees(repo.git(), repo.path(), ours, "no-such-commit", &merge, &error));
  EXPECT_EQ(error.rfind("git merge-tree --write-tree --name-only -z ", 0), 0u) << error;
}

TEST(GitTest, IgnoresAnExportedGitDirAndCommitsWithoutAnIdentity) {
  GitTestRepo repo;
  GitTestRepo other;
  // A user's exported GIT_DIR must not redirect commands for another folder,
  // and a machine without user.name/user.email can still commit.
  setenv("GIT_DIR", (other.path() + "/.git").c_str(), 1);
  setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
  setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  SystemGit git;
  repo.Write("b.txt", "b\n");
  EXPECT_TRUE(git.Run(repo.path(), {"add", "b.txt"}).ok());
  const GitResult commit = git.Run(repo.path(), {"commit", "-q", "-m", "b"});
  unsetenv("GIT_DIR");
  unsetenv("GIT_CONFIG_GLOBAL");
  unsetenv("GIT_CONFIG_NOSYSTEM");
  ASSERT_TRUE(commit.ok()) << commit.err;
  EXPECT_EQ(git.Run(repo.path(), {"log", "-1", "--format=%an <%ae>"}).Line(),
            "Orchestra <orchestra@localhost>");
  EXPECT_EQ(git.Run(other.path(), {"log", "--format=%s"}).out, "initial\n");
}

}  // namespace
}  // namespace orchestra
