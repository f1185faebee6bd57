#include "merge_queue.h"

#include <gtest/gtest.h>

#include "git_test_repo.h"
#include "worktree.h"

namespace orchestra {
namespace {

/// Two workstream branches made from the integration head in worktrees.
class MergeQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(worktrees_.Prepare(&error)) << error;
    base_ = worktrees_.IntegrationHead();
  }

  MergeRequest Branch(const std::string& id, const std::string& file, const std::string& text) {
    std::string error, head;
    EXPECT_TRUE(worktrees_.Create(id, base_, &error)) << error;
    repo_.Write(file, text, worktrees_.PathOf(id));
    EXPECT_TRUE(worktrees_.CommitAll(id, id + ": change " + file, &head, &error)) << error;
    return MergeRequest{id, "change " + file, base_, head};
  }

  GitTestRepo repo_;
  Worktrees worktrees_{repo_.git(), repo_.path(), "orchestra/integration"};
  std::string base_;
};

TEST_F(MergeQueueTest, MergesDisjointBranchesInOrderWithMergeCommits) {
  MergeQueue queue(repo_.git(), repo_.path(), "orchestra/integration", "merge");
  const MergeRequest a = Branch("ws-a", "a.txt", "a\n");
  const MergeRequest b = Branch("ws-b", "b.txt", "b\n");
  std::string error;
  for (const MergeRequest& request : {a, b}) {
    const PreparedMerge merge = queue.Prepare(request);
    ASSERT_EQ(merge.outcome, PreparedMerge::Outcome::kReady) << merge.error;
    ASSERT_TRUE(queue.Advance(merge, request.id, &error)) << error;
  }
  EXPECT_EQ(repo_.Git({"show", "orchestra/integration:a.txt"}), "a\n");
  EXPECT_EQ(repo_.Git({"show", "orchestra/integration:b.txt"}), "b\n");
  EXPECT_EQ(repo_.Git({"log", "--first-parent", "--format=%s", "orchestra/integration"}),
            "Merge ws-b: change b.txt\nMerge ws-a: change a.txt\ninitial\n");
  EXPECT_EQ(repo_.Git({"rev-list", "--count", "--merges", "orchestra/integration"}), "2\n");
  EXPECT_EQ(repo_.Git({"status", "--porcelain"}), "");  // the checkout never moved
  EXPECT_EQ(repo_.Rev("main"), base_);
}

TEST_F(MergeQueueTest, RebaseStrategyKeepsHistoryLinear) {
  MergeQueue queue(repo_.git(), repo_.path(), "orchestra/integration", "rebase");
  std::string error;
  for (const MergeRequest& request : {Branch("ws-a", "a.txt", "a\n"), Branch("ws-b", "b.txt", "b\n")}) {
    const PreparedMerge merge = queue.Prepare(request);
    ASSERT_EQ(merge.outcome, PreparedMerge::Outcome::kReady) << merge.error;
    ASSERT_TRUE(queue.Advance(merge, request.id, &error)) << error;
  }
  EXPECT_EQ(repo_.Git({"log", "--format=%s", "orchestra/integration"}),
            "ws-b: change b.txt\nws-a: change a.txt\ninitial\n");
  EXPECT_EQ(repo_.Git({"rev-list", "--count", "--merges", "orchestra/integration"}), "0\n");
}

TEST_F(MergeQueueTest, AConflictLeavesTheIntegrationBranchWhereItWas) {
  MergeQueue queue(repo_.git(), repo_.path(), "orchestra/integration", "merge");
  const MergeRequest a = Branch("ws-a", "README.md", "from a\n");
  const MergeRequest b = Branch("ws-b", "README.md", "from b\n");
  std::string error;
  const PreparedMerge first = queue.Prepare(a);
  ASSERT_TRUE(queue.Advance(first, "ws-a", &error)) << error;
  const std::string before = worktrees_.IntegrationHead();
  const PreparedMerge second = queue.Prepare(b);
  ASSERT_EQ(second.outcome, PreparedMerge::Outcome::kConflict);
  EXPECT_EQ(second.conflict_paths, std::vector<std::string>{"README.md"});
  EXPECT_NE(second.other_side.find("ws-a: change README.md"), std::string::npos) << second.other_side;
  EXPECT_EQ(worktrees_.IntegrationHead(), before);
}

TEST_F(MergeQueueTest, AdvanceIsACompareAndSwap) {
  MergeQueue queue(repo_.git(), repo_.path(), "orchestra/integration", "merge");
  const PreparedMerge stale = queue.Prepare(Branch("ws-a", "a.txt", "a\n"));
  const PreparedMerge other = queue.Prepare(Branch("ws-b", "b.txt", "b\n"));
  std::string error;
  ASSERT_TRUE(queue.Advance(other, "ws-b", &error)) << error;
  EXPECT_FALSE(queue.Advance(stale, "ws-a", &error));  // computed on an older head
  EXPECT_EQ(worktrees_.IntegrationHead(), other.new_head);
}

/// Fails every git command whose first argument is `failing`.
class FailingGit : public GitWrapper {
 public:
  FailingGit(Git* real, std::string failing) : GitWrapper(real), failing_(std::move(failing)) {}
  GitResult Run(const std::string& dir, const std::vector<std::string>& args) override {
    if (!args.empty() && args[0] == failing_) return GitResult{128, "", "fatal: injected failure\n"};
    return GitWrapper::Run(dir, args);
  }

 private:
  std::string failing_;
};

TEST_F(MergeQueueTest, GitFailuresAreErrorsNotMerges) {
  FailingGit failing(repo_.git(), "commit-tree");
  MergeQueue queue(&failing, repo_.path(), "orchestra/integration", "merge");
  const PreparedMerge merge = queue.Prepare(Branch("ws-a", "a.txt", "a\n"));
  EXPECT_EQ(merge.outcome, PreparedMerge::Outcome::kError);
  EXPECT_NE(merge.error.find("injected failure"), std::string::npos) << merge.error;
  EXPECT_EQ(worktrees_.IntegrationHead(), base_);
}

TEST(MergeQueueOrderTest, OneAtATimeInCompletionOrder) {
  MergeQueue queue(nullptr, "", "x", "merge");
  queue.Add(3);
  queue.Add(1);
  queue.Add(2);
  EXPECT_EQ(queue.TakeNext(), 3);
  EXPECT_EQ(queue.TakeNext(), -1);  // 3 is still merging
  queue.Done();
  queue.Drop(1);
  EXPECT_TRUE(queue.Contains(2));
  EXPECT_EQ(queue.TakeNext(), 2);
  queue.Done();
  EXPECT_EQ(queue.TakeNext(), -1);
}

}  // namespace
}  // namespace orchestra
