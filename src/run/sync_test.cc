#include "sync.h"

#include <gtest/gtest.h>

#include "git_test_repo.h"

namespace orchestra {
namespace {

constexpr char kIntegration[] = "orchestra/integration";

/// A repository whose integration branch starts at the user's first commit.
class SyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = repo_.Rev("HEAD");
    repo_.Git({"update-ref", "refs/heads/orchestra/integration", base_});
  }

  /// A commit on the integration branch changing `file`, made without
  /// touching the user's checkout (as the merge queue does).
  std::string CommitOnIntegration(const std::string& file, const std::string& text) {
    const std::string path = repo_.path() + "/.orchestra/worktrees/ws";
    repo_.Git({"worktree", "add", "--quiet", path, kIntegration});
    repo_.Write(file, text, path);
    const std::string commit = repo_.Commit("integration: " + file, path);
    repo_.Git({"worktree", "remove", "--force", path});
    return commit;
  }

  SyncResult Sync() { return SyncIntegration(repo_.git(), repo_.path(), kIntegration); }

  GitTestRepo repo_;
  std::string base_;
};

TEST_F(SyncTest, AlreadyUpToDateWhenTheIntegrationBranchHoldsTheUsersHead) {
  CommitOnIntegration("a.txt", "a\n");
  const std::string before = repo_.Rev(kIntegration);
  const SyncResult result = Sync();
  EXPECT_EQ(result.outcome, SyncResult::Outcome::kUpToDate);
  EXPECT_EQ(repo_.Rev(kIntegration), before);
  EXPECT_EQ(DescribeSync(result, kIntegration), "orchestra/integration already contains main");
}

TEST_F(SyncTest, FastForwardsWhenTheIntegrationBranchHasNothingUnlanded) {
  repo_.Write("user.txt", "mine\n");
  const std::string user = repo_.Commit("user work");
  const SyncResult result = Sync();
  ASSERT_EQ(result.outcome, SyncResult::Outcome::kFastForward) << result.error;
  EXPECT_EQ(repo_.Rev(kIntegration), user);
  EXPECT_EQ(DescribeSync(result, kIntegration),
            "orchestra/integration fast-forwarded to main (" + user.substr(0, 7) + ")");
}

TEST_F(SyncTest, MergesWhenBothMovedAndLeavesTheCheckoutAlone) {
  const std::string unlanded = CommitOnIntegration("a.txt", "a\n");
  repo_.Write("user.txt", "mine\n");
  const std::string user = repo_.Commit("user work");
  const SyncResult result = Sync();
  ASSERT_EQ(result.outcome, SyncResult::Outcome::kMerged) << result.error;
  EXPECT_EQ(result.old_head, unlanded);
  EXPECT_EQ(repo_.Rev(kIntegration), result.new_head);
  EXPECT_EQ(repo_.Rev("orchestra/integration^1"), unlanded);
  EXPECT_EQ(repo_.Rev("orchestra/integration^2"), user);
  EXPECT_EQ(repo_.Git({"log", "-1", "--format=%s", kIntegration}), "Merge main into orchestra/integration\n");
  EXPECT_EQ(repo_.Git({"show", "orchestra/integration:a.txt"}), "a\n");
  EXPECT_EQ(repo_.Git({"show", "orchestra/integration:user.txt"}), "mine\n");
  EXPECT_EQ(repo_.Rev("HEAD"), user);
  EXPECT_EQ(repo_.Git({"status", "--porcelain"}), "");
  EXPECT_EQ(DescribeSync(result, kIntegration),
            "merged main into orchestra/integration (" + result.new_head.substr(0, 7) + ")");
  EXPECT_EQ(Sync().outcome, SyncResult::Outcome::kUpToDate);
}

TEST_F(SyncTest, AConflictMovesNothingAndNamesThePaths) {
  const std::string unlanded = CommitOnIntegration("README.md", "from a workstream\n");
  repo_.Write("README.md", "from the user\n");
  repo_.Commit("user edit");
  const SyncResult result = Sync();
  ASSERT_EQ(result.outcome, SyncResult::Outcome::kConflict) << result.error;
  EXPECT_EQ(result.conflict_paths, std::vector<std::string>{"README.md"});
  EXPECT_EQ(repo_.Rev(kIntegration), unlanded);
  EXPECT_EQ(DescribeSync(result, kIntegration),
            "main and orchestra/integration conflict, so orchestra/integration was left as it was. Merge "
            "them in your checkout: `git merge orchestra/integration`, resolve the conflict and commit, then "
            "run again. Conflicting paths:\n  README.md");
}

TEST_F(SyncTest, WithoutAnIntegrationBranchThereIsNothingToSync) {
  repo_.Git({"update-ref", "-d", "refs/heads/orchestra/integration"});
  const SyncResult result = Sync();
  EXPECT_EQ(result.outcome, SyncResult::Outcome::kNoIntegrationBranch);
  EXPECT_EQ(repo_.Rev(kIntegration), "");
}

}  // namespace
}  // namespace orchestra
