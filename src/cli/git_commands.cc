#include "git_commands.h"

#include <cstdio>
#include <filesystem>

#include "exit_code.h"
#include "clock.h"
#include "git.h"
#include "sqlite_store.h"
#include "state_lock.h"
#include "worktree.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

bool RequireWorktrees(const Config& config, const char* command) {
  if (config.UsesWorktrees()) return true;
  std::fprintf(stderr,
               "orchestra: `%s` works with worktree isolation only (isolation is \"none\" here: "
               "the project folder is not the top of a git repository, or the config says so)\n",
               command);
  return false;
}

}  // namespace

int LandIntegrationBranch(const Config& config) {
  if (!RequireWorktrees(config, "land")) return kExitUsage;
  const std::string state_path = config.ProjectPath(config.state_path);
  if (const long holder = StateLock::Holder(state_path)) {
    std::fprintf(stderr, "orchestra: a run is in progress (pid %ld); land when it has ended\n", holder);
    return kExitLocked;
  }
  SystemGit git;
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
      std::fprintf(stderr, "orchestra: %s\n", merge.Describe({"merge", "--ff-only", integration}).c_str());
      return kExitIncomplete;
    }
    std::printf("fast-forwarded %s to %s (%s)\n", branch.c_str(), config.integration_branch.c_str(),
                target.substr(0, 10).c_str());
    return kExitOk;
  }
  const std::vector<std::string> args{"merge", "--no-ff", "--no-edit", "--quiet", "-m",
                                      "Land " + config.integration_branch + " into " + branch, integration};
  const GitResult merge = git.Run(dir, args);
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

int CleanWorktrees(const Config& config) {
  if (!RequireWorktrees(config, "clean")) return kExitUsage;
  const std::string state_path = config.ProjectPath(config.state_path);
  StateLock lock;
  long holder = 0;
  std::string error;
  if (!lock.Acquire(state_path, &holder, &error)) {
    std::fprintf(stderr, "orchestra: %s\n",
                 error.empty() ? ("a run is in progress (pid " + std::to_string(holder) + "); clean when it has ended").c_str()
                               : error.c_str());
    return kExitLocked;
  }
  SystemGit git;
  Worktrees worktrees(&git, config.project_dir, config.integration_branch);
  int removed = 0;
  for (const char* folder : {"worktrees", "verify"}) {
    const fs::path root = fs::path(config.project_dir) / ".orchestra" / folder;
    std::error_code ignored;
    if (!fs::is_directory(root, ignored)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(root)) {
      if (!worktrees.RemoveAt(entry.path().string(), &error)) {
        std::fprintf(stderr, "orchestra: %s\n", error.c_str());
        return kExitIncomplete;
      }
      std::printf("removed worktree %s\n", fs::relative(entry.path(), config.project_dir).c_str());
      ++removed;
    }
  }
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
  std::printf("%d worktree(s) removed, %d merged branch(es) deleted\n", removed, pruned);
  return kExitOk;
}

int ShowWorkstreamDiff(const Config& config, const std::string& id, bool stat) {
  if (!RequireWorktrees(config, "diff")) return kExitUsage;
  SystemClock clock;
  std::string error;
  std::unique_ptr<SqliteStore> store = SqliteStore::OpenExisting(config.ProjectPath(config.state_path), &clock, &error);
  std::vector<AttemptRecord> attempts;
  if (!store || !store->LoadAttempts(id, &attempts, &error)) {
    std::fprintf(stderr, "orchestra: %s\n", error.c_str());
    return kExitUsage;
  }
  const AttemptRecord* latest = nullptr;
  for (const AttemptRecord& attempt : attempts) {
    if (!attempt.head_commit.empty()) latest = &attempt;
  }
  if (!latest) {
    std::fprintf(stderr, "orchestra: no recorded changes of '%s' (check the id with `orchestra status`)\n",
                 id.c_str());
    return kExitUsage;
  }
  SystemGit git;
  std::vector<std::string> args{"diff"};
  if (stat) args.push_back("--stat");
  args.insert(args.end(), {latest->base_commit, latest->head_commit});
  const GitResult diff = git.Run(config.project_dir, args);
  if (!diff.ok()) {
    std::fprintf(stderr, "orchestra: %s\n", diff.Describe(args).c_str());
    return kExitIncomplete;
  }
  std::printf("%s attempt %d (%s): %s..%s\n%s", id.c_str(), latest->attempt, OutcomeName(latest->outcome),
              latest->base_commit.substr(0, 10).c_str(), latest->head_commit.substr(0, 10).c_str(),
              diff.out.c_str());
  return kExitOk;
}

}  // namespace orchestra
