#include "git_commands.h"

#include <unistd.h>

#include <cstdio>

#include "git.h"
#include "shared_integration.h"
#include "state_url.h"
#include "sync.h"
#include "worktree.h"

namespace orchestra {

namespace {

/// LoadCommandProject for the commands below, which exit 2 unless the project
/// uses worktree isolation.
int LoadWorktreeProject(const CommandArgs& args, const Needs& needs, const char* command, Session* session) {
  if (const int code = LoadCommandProject(args, needs, session)) return code;
  if (session->project.config.UsesWorktrees()) return kExitOk;
  PrintError(std::string("`") + command +
             "` works with worktree isolation only (isolation is \"none\" here: the project folder is "
             "not the top of a git repository, or the config says so)");
  return kExitUsage;
}

/// Holds the merge lock of a shared state while it lives, waiting for it
/// while a worker merges (a merge takes seconds).
class MergeLockHeld {
 public:
  explicit MergeLockHeld(StateStore* store) : store_(store) {}
  ~MergeLockHeld() {
    std::string ignored;  // the session's end releases it anyway
    if (held_) store_->UnlockMerges(&ignored);
  }
  MergeLockHeld(const MergeLockHeld&) = delete;
  MergeLockHeld& operator=(const MergeLockHeld&) = delete;

  bool Take(std::string* error) {
    for (bool said = false;; said = true) {
      if (!store_->TryLockMerges(&held_, error)) return false;
      if (held_) return true;
      if (!said) std::printf("waiting for the merge lock: a worker is merging\n"), std::fflush(stdout);
      usleep(200 * 1000);  // a command before the run's loop, not the loop
    }
  }

 private:
  StateStore* store_;
  bool held_ = false;
};

/// SyncIntegration on a shared state (workers on several hosts): the state,
/// not this clone, holds the branch's head. Under the merge lock the clone's
/// branch is set to the state's head, the user's branch is brought in, the
/// result pushed to the remote and the state's head moved from the old one.
/// Before the first run records a head, a plain SyncIntegration.
SyncResult SyncShared(const Config& config, StateStore* store) {
  SystemGit git;
  SyncResult failed;
  std::string head;
  if (!store->IntegrationHead(config.integration_branch, &head, &failed.error)) return failed;
  if (head.empty()) return SyncIntegration(&git, config.project_dir, config.integration_branch);
  MergeLockHeld lock(store);
  SharedIntegration shared(&git, store, config.project_dir, config.remote, config.integration_branch);
  if (!lock.Take(&failed.error) || !shared.Sync(&head, &failed.error)) return failed;
  SyncResult result = SyncIntegration(&git, config.project_dir, config.integration_branch);
  if (result.outcome != SyncResult::Outcome::kFastForward && result.outcome != SyncResult::Outcome::kMerged) {
    return result;
  }
  bool moved = false;
  if (shared.PushHead(result.new_head, &failed.error) &&
      store->AdvanceIntegration(config.integration_branch, result.old_head, result.new_head,
                                DescribeSync(result, config.integration_branch), &moved, &failed.error)) {
    if (moved) return result;
    // The lock was lost (the session ended): someone merged meanwhile.
    failed.error = "the shared " + config.integration_branch + " moved while it was synced; run again";
  }
  std::string ignored;  // the clone's branch back to the state's head
  shared.SetLocalHead(head, &ignored);
  return failed;
}

}  // namespace

int SyncBeforeRun(const Config& config, StateStore* shared_state) {
  SystemGit git;
  const SyncResult result = shared_state != nullptr
                                ? SyncShared(config, shared_state)
                                : SyncIntegration(&git, config.project_dir, config.integration_branch);
  const std::string message = DescribeSync(result, config.integration_branch);
  switch (result.outcome) {
    case SyncResult::Outcome::kFastForward:
    case SyncResult::Outcome::kMerged:
      std::printf("%s\n", message.c_str());
      return kExitOk;
    case SyncResult::Outcome::kConflict:
    case SyncResult::Outcome::kError:
      PrintError(message);
      return kExitIncomplete;
    default:
      return kExitOk;
  }
}

int CommandSync(const CommandArgs& args) {
  Session session;
  Needs needs{.workstreams = false, .lock = true};
  if (const int code = LoadWorktreeProject(args, needs, "sync", &session)) return code;
  // On a state shared with workers the state holds the branch's head.
  if (IsPostgresUrl(session.project.State())) needs.state = StateAccess::kExisting;
  if (const int code = OpenCommandState(needs, &session)) return code;
  const Config& config = session.project.config;
  SystemGit git;
  const SyncResult result = IsPostgresUrl(session.project.State())
                                ? SyncShared(config, session.store.get())
                                : SyncIntegration(&git, config.project_dir, config.integration_branch);
  const std::string message = DescribeSync(result, config.integration_branch);
  if (result.outcome == SyncResult::Outcome::kConflict || result.outcome == SyncResult::Outcome::kError) {
    PrintError(message);
    return kExitIncomplete;
  }
  std::printf("%s\n", message.c_str());
  return kExitOk;
}

int CommandLand(const CommandArgs& args) {
  Session session;
  if (const int code = LoadWorktreeProject(args, {.workstreams = false}, "land", &session)) return code;
  const Config& config = session.project.config;
  if (const LockHolder holder = OrchestratorLock::Holder(session.project.State()); holder.held) {
    std::fprintf(stderr, "orchestra: a run is in progress%s; land when it has ended\n",
                 DescribeHolder(holder).c_str());
    return kExitLocked;
  }
  SystemGit git;
  if (IsPostgresUrl(session.project.State())) {
    // Workers on other hosts merged into the shared branch: this clone's is
    // brought to the state's head first.
    const Needs state{.workstreams = false, .state = StateAccess::kExisting};
    if (const int code = OpenCommandState(state, &session)) return code;
    std::string head, error;
    SharedIntegration shared(&git, session.store.get(), config.project_dir, config.remote, config.integration_branch);
    if (!session.store->IntegrationHead(config.integration_branch, &head, &error) ||
        (!head.empty() && !shared.Sync(&head, &error))) {
      PrintError(error);
      return kExitIncomplete;
    }
  }
  const std::string& dir = config.project_dir;
  const std::string integration = "refs/heads/" + config.integration_branch;
  const std::string target = ResolveCommit(&git, dir, integration);
  if (target.empty()) {
    std::fprintf(stderr, "orchestra: there is no %s yet: nothing to land\n", config.integration_branch.c_str());
    return kExitUsage;
  }
  const std::string branch = git.Run(dir, {"symbolic-ref", "--short", "-q", "HEAD"}).Line();
  if (branch.empty()) {
    std::fprintf(stderr, "orchestra: HEAD is detached; check out the branch to land into first\n");
    return kExitUsage;
  }
  const GitResult status = git.Run(dir, {"status", "--porcelain", "--untracked-files=no"});
  if (!status.ok() || !status.out.empty()) {
    std::fprintf(stderr,
                 "orchestra: your working tree has uncommitted changes; commit or stash them, then "
                 "run `orchestra land` again (nothing was changed)\n%s",
                 status.out.c_str());
    return kExitUsage;
  }
  const std::string head = ResolveCommit(&git, dir, "HEAD");
  if (IsAncestor(&git, dir, target, head)) {
    std::printf("%s already contains %s: nothing to land\n", branch.c_str(), config.integration_branch.c_str());
    return kExitOk;
  }
  if (IsAncestor(&git, dir, head, target)) {
    const GitResult merge = git.Run(dir, {"merge", "--ff-only", "--quiet", integration});
    if (!merge.ok()) {
      PrintError(merge.Describe({"merge", "--ff-only", integration}));
      return kExitIncomplete;
    }
    std::printf("fast-forwarded %s to %s (%s)\n", branch.c_str(), config.integration_branch.c_str(),
                ShortCommit(target).c_str());
    return kExitOk;
  }
  const std::vector<std::string> merge_args{"merge", "--no-ff", "--no-edit", "--quiet", "-m",
                                            "Land " + config.integration_branch + " into " + branch, integration};
  const GitResult merge = git.Run(dir, merge_args);
  if (!merge.ok()) {
    git.Run(dir, {"merge", "--abort"});
    std::fprintf(stderr,
                 "orchestra: %s has diverged from %s and they conflict; nothing was changed. Merge by "
                 "hand: git merge %s\n%s",
                 branch.c_str(), config.integration_branch.c_str(), config.integration_branch.c_str(),
                 merge.out.c_str());
    return kExitIncomplete;
  }
  std::printf("merged %s into %s\n", config.integration_branch.c_str(), branch.c_str());
  return kExitOk;
}

int CommandClean(const CommandArgs& args) {
  Session session;
  const Needs needs{.workstreams = false, .lock = true};
  if (const int code = LoadWorktreeProject(args, needs, "clean", &session)) return code;
  if (const int code = OpenCommandState(needs, &session)) return code;
  const Config& config = session.project.config;
  std::string error;
  SystemGit git;
  Worktrees worktrees(&git, config.project_dir, config.integration_branch);
  std::vector<std::string> removed;
  if (!worktrees.RemoveAll(&removed, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  for (const std::string& path : removed) std::printf("removed worktree %s\n", path.c_str());
  const std::string integration = worktrees.IntegrationHead();
  int pruned = 0;
  const GitResult branches =
      git.Run(config.project_dir, {"for-each-ref", "--format=%(refname)", "refs/heads/orchestra/"});
  for (const std::string& ref : SplitOutput(branches.out, '\n')) {
    if (ref == "refs/heads/" + config.integration_branch) continue;
    const std::string name = ref.substr(std::string("refs/heads/").size());
    if (integration.empty() || !IsAncestor(&git, config.project_dir, ref, integration)) {
      std::printf("kept %s (not merged into %s)\n", name.c_str(), config.integration_branch.c_str());
      continue;
    }
    if (git.Run(config.project_dir, {"update-ref", "-d", ref}).ok()) {
      std::printf("deleted merged branch %s\n", name.c_str());
      ++pruned;
    }
  }
  git.Run(config.project_dir, {"worktree", "prune"});
  std::printf("%zu worktree(s) removed, %d merged branch(es) deleted\n", removed.size(), pruned);
  return kExitOk;
}

int CommandDiff(const CommandArgs& args) {
  Session session;
  const Needs needs{.state = StateAccess::kExisting};
  if (const int code = LoadWorktreeProject(args, needs, "diff", &session)) return code;
  if (const int code = OpenCommandState(needs, &session)) return code;
  const Config& config = session.project.config;
  std::string id;
  std::vector<AttemptRecord> attempts;
  if (const int code = LoadNamedAttempts(session, &id, &attempts)) return code;
  const AttemptRecord* latest = nullptr;
  for (const AttemptRecord& attempt : attempts) {
    if (!attempt.head_commit.empty()) latest = &attempt;
  }
  if (!latest) {
    PrintError("no recorded changes of '" + id + "' (check the id with `orchestra status`)");
    return kExitUsage;
  }
  SystemGit git;
  std::vector<std::string> git_args{"diff"};
  if (args.stat) git_args.push_back("--stat");
  git_args.insert(git_args.end(), {latest->base_commit, latest->head_commit});
  const GitResult diff = git.Run(config.project_dir, git_args);
  if (!diff.ok()) {
    PrintError(diff.Describe(git_args));
    return kExitIncomplete;
  }
  std::printf("%s attempt %d (%s): %s..%s\n%s", id.c_str(), latest->attempt, OutcomeName(latest->outcome),
              ShortCommit(latest->base_commit).c_str(), ShortCommit(latest->head_commit).c_str(),
              diff.out.c_str());
  return kExitOk;
}

}  // namespace orchestra
