#include "worktree.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "git_test_repo.h"

namespace orchestra {
namespace {

namespace fs = std::filesystem;

TEST(WorktreeTest, PrepareMakesTheIntegrationBranchAndExcludesOrchestrasFolder) {
  GitTestRepo repo;
  Worktrees worktrees(repo.git(), repo.path(), "orchestra/integration");
  std::string error;
  ASSERT_TRUE(worktrees.Prepare(&error)) << error;
  EXPECT_EQ(worktrees.IntegrationHead(), repo.Rev("main"));
  ASSERT_TRUE(worktrees.Prepare(&error)) << error;  // twice is fine: one exclude line
  const std::string exclude = repo.Read(".git/info/exclude");
  EXPECT_EQ(exclude.find("/.orchestra/"), exclude.rfind("/.orchestra/"));
  // An existing integration branch is kept, not reset to HEAD.
  repo.Write("b.txt", "b\n");
  repo.Commit("b");
  ASSERT_TRUE(worktrees.Prepare(&error)) << error;
  EXPECT_NE(worktrees.IntegrationHead(), repo.Rev("main"));
}

TEST(WorktreeTest, PrepareRefusesARepositoryWithoutCommits) {
  GitTestRepo repo;
  Worktrees worktrees(repo.git(), repo.path(), "orchestra/integration");
  repo.Git({"checkout", "-q", "--orphan", "empty"});
  repo.Git({"rm", "-q", "-r", "--cached", "."});
  std::string error;
  EXPECT_FALSE(worktrees.Prepare(&error));
  EXPECT_NE(error.find("no commit yet"), std::string::npos) << error;
}

TEST(WorktreeTest, CreateCommitAndChangedFilesWithoutTouchingTheCheckout) {
  GitTestRepo repo;
  Worktrees worktrees(repo.git(), repo.path(), "orchestra/integration");
  std::string error;
  ASSERT_TRUE(worktrees.Prepare(&error)) << error;
  const std::string base = worktrees.IntegrationHead();
  ASSERT_TRUE(worktrees.Create("ws-a", base, &error)) << error;
  const std::string path = worktrees.PathOf("ws-a");
  EXPECT_EQ(path, repo.path() + "/.orchestra/worktrees/ws-a");
  EXPECT_EQ(repo.Read("README.md", path), "hello\n");
  repo.Write("src/new.txt", "new\n", path);
  repo.Write("README.md", "changed\n", path);
  std::string head;
  ASSERT_TRUE(worktrees.CommitAll("ws-a", "ws-a: A\n\nOrchestra-Attempt: 1", &head, &error)) << error;
  EXPECT_NE(head, base);
  EXPECT_EQ(repo.Rev("orchestra/ws-a"), head);
  EXPECT_EQ(repo.Git({"log", "-1", "--format=%B", head}), "ws-a: A\n\nOrchestra-Attempt: 1\n\n");
  std::vector<std::string> files;
  ASSERT_TRUE(worktrees.ChangedFiles(base, head, &files, &error)) << error;
  EXPECT_EQ(files, (std::vector<std::string>{"README.md", "src/new.txt"}));
  // Nothing changed: no commit, head stays at the base.
  std::string same;
  ASSERT_TRUE(worktrees.CommitAll("ws-a", "again", &same, &error)) << error;
  EXPECT_EQ(same, head);
  // The user's checkout saw none of it, and .orchestra is not untracked.
  EXPECT_EQ(repo.Read("README.md"), "hello\n");
  EXPECT_EQ(repo.Git({"status", "--porcelain"}), "");
  EXPECT_EQ(repo.Git({"rev-parse", "--abbrev-ref", "HEAD"}), "main\n");
}

TEST(WorktreeTest, CreateReplacesAStaleWorktreeAndRemoveCleansUp) {
  GitTestRepo repo;
  Worktrees worktrees(repo.git(), repo.path(), "orchestra/integration");
  std::string error;
  ASSERT_TRUE(worktrees.Prepare(&error)) << error;
  const std::string base = worktrees.IntegrationHead();
  ASSERT_TRUE(worktrees.Create("ws-a", base, &error)) << error;
  repo.Write("junk.txt", "left over\n", worktrees.PathOf("ws-a"));
  std::string head;
  ASSERT_TRUE(worktrees.CommitAll("ws-a", "junk", &head, &error)) << error;
  // Again (a retry, or a resume after a crash): a clean worktree at the base.
  ASSERT_TRUE(worktrees.Create("ws-a", base, &error)) << error;
  EXPECT_FALSE(fs::exists(worktrees.PathOf("ws-a") + "/junk.txt"));
  EXPECT_EQ(repo.Rev("orchestra/ws-a"), base);
  // A folder git forgot about (deleted metadata) is replaced too.
  fs::remove_all(repo.path() + "/.git/worktrees");
  ASSERT_TRUE(worktrees.Create("ws-a", base, &error)) << error;
  ASSERT_TRUE(worktrees.Remove("ws-a", &error)) << error;
  EXPECT_FALSE(fs::exists(worktrees.PathOf("ws-a")));
  EXPECT_EQ(repo.Git({"worktree", "list", "--porcelain"}).find(".orchestra"), std::string::npos);
}

}  // namespace
}  // namespace orchestra
