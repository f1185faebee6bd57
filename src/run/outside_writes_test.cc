#include "outside_writes.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "git_test_repo.h"

namespace orchestra {
namespace {

CheckoutSnapshot Snapshot(GitTestRepo* repo) {
  CheckoutSnapshot snapshot;
  std::string error;
  EXPECT_TRUE(SnapshotCheckout(repo->git(), repo->path(), &snapshot, &error)) << error;
  return snapshot;
}

TEST(OutsideWritesTest, SeesNewChangedAndDeletedFilesButNotWhatStayedTheSame) {
  GitTestRepo repo;
  repo.Write("kept.txt", "kept\n");
  repo.Write("gone.txt", "gone\n");
  repo.Commit("files");
  repo.Write("dirty-before.txt", "untracked before the agent\n");
  const CheckoutSnapshot before = Snapshot(&repo);
  repo.Write("README.md", "changed by the agent\n");
  repo.Write("src/new file.txt", "new\n");
  std::filesystem::remove(std::filesystem::path(repo.path()) / "gone.txt");
  const CheckoutSnapshot after = Snapshot(&repo);
  EXPECT_EQ(ChangedPaths(before, after, {}), (std::vector<std::string>{"README.md", "gone.txt", "src/new file.txt"}));
  EXPECT_EQ(ChangedPaths(after, after, {}), std::vector<std::string>{});
}

TEST(OutsideWritesTest, AFileAlreadyChangedThatChangesAgainIsSeen) {
  GitTestRepo repo;
  repo.Write("README.md", "changed by you\n");
  const CheckoutSnapshot before = Snapshot(&repo);
  repo.Write("README.md", "changed by you, then by the agent\n");
  EXPECT_EQ(ChangedPaths(before, Snapshot(&repo), {}), std::vector<std::string>{"README.md"});
}

TEST(OutsideWritesTest, IgnoredFilesAndOrchestrasOwnFoldersAreLeftOut) {
  GitTestRepo repo;
  repo.Write(".gitignore", "build/\n");
  repo.Commit("ignore");
  const CheckoutSnapshot before = Snapshot(&repo);
  repo.Write("build/out.o", "object\n");
  repo.Write("my-logs/workstreams/w/attempt-1.log", "log\n");
  repo.Write("my-logs-not/x", "not ours\n");
  EXPECT_EQ(ChangedPaths(before, Snapshot(&repo), {"my-logs"}), std::vector<std::string>{"my-logs-not/x"});
}

TEST(OutsideWritesTest, AFailingGitStatusIsAnError) {
  testing::TempDir not_a_repo;
  SystemGit git;
  CheckoutSnapshot snapshot;
  std::string error;
  EXPECT_FALSE(SnapshotCheckout(&git, not_a_repo.path(), &snapshot, &error));
  EXPECT_EQ(error.rfind("git --no-optional-locks status --porcelain=v1 -z --untracked-files=all --no-renames: fatal: not a git repository",
                        0),
            0u)
      << error;
}

TEST(OutsideWritesTest, TheMessageNamesThePathsAndWhoElseCouldHaveWritten) {
  EXPECT_EQ(DescribeOutsideWrites("/repo", {"a.txt", "b/c.txt"}, 1),
            "files outside its worktree changed in the main checkout /repo while its agent ran: a.txt, b/c.txt "
            "(unless you made them)");
  EXPECT_EQ(DescribeOutsideWrites("/repo", {"a", "b", "c"}, 3, 2),
            "files outside its worktree changed in the main checkout /repo while its agent ran: a, b and 1 more "
            "(3 agents ran at the time, so another one may have made them; or you did)");
}

}  // namespace
}  // namespace orchestra
