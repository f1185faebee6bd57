#include "outside_writes.h"

#include <sys/stat.h>

#include <algorithm>

#include <fmt/format.h>

namespace orchestra {

bool SnapshotCheckout(Git* git, const std::string& repo_dir, CheckoutSnapshot* snapshot, std::string* error) {
  // No optional locks: a status taken beside the user's own git commands
  // must not make them fail on index.lock.
  const std::vector<std::string> args{"--no-optional-locks", "status", "--porcelain=v1", "-z",
                                      "--untracked-files=all", "--no-renames"};
  const GitResult status = git->Run(repo_dir, args);
  if (!status.ok()) {
    *error = status.Describe(args);
    return false;
  }
  snapshot->clear();
  // "XY PATH\0" per entry (no renames, so never a second path).
  size_t at = 0;
  while (at < status.out.size()) {
    size_t end = status.out.find('\0', at);
    if (end == std::string::npos) end = status.out.size();
    const std::string entry = status.out.substr(at, end - at);
    at = end + 1;
    if (entry.size() < 4) continue;
    const std::string path = entry.substr(3);
    std::string state = entry.substr(0, 2);
    struct stat file{};
    if (lstat((repo_dir + "/" + path).c_str(), &file) == 0) {
      state += fmt::format(" {} {}.{:09}", file.st_size, file.st_mtim.tv_sec, file.st_mtim.tv_nsec);
    }
    (*snapshot)[path] = state;
  }
  return true;
}

std::vector<std::string> ChangedPaths(const CheckoutSnapshot& before, const CheckoutSnapshot& after,
                                      const std::vector<std::string>& own) {
  std::vector<std::string> changed;
  auto note = [&](const std::string& path) {
    for (const std::string& prefix : own) {
      if (!prefix.empty() && (path == prefix || path.rfind(prefix + "/", 0) == 0)) return;
    }
    changed.push_back(path);
  };
  for (const auto& [path, state] : after) {
    const auto was = before.find(path);
    if (was == before.end() || was->second != state) note(path);
  }
  for (const auto& [path, state] : before) {
    if (after.find(path) == after.end()) note(path);  // made clean again, or removed when untracked
  }
  std::sort(changed.begin(), changed.end());
  return changed;
}

std::string DescribeOutsideWrites(const std::string& repo_dir, const std::vector<std::string>& paths,
                                  int agents_running, size_t shown) {
  std::vector<std::string> named(paths.begin(), paths.begin() + static_cast<long>(std::min(shown, paths.size())));
  std::string list = fmt::format("{}", fmt::join(named, ", "));
  if (paths.size() > named.size()) list += fmt::format(" and {} more", paths.size() - named.size());
  const std::string who =
      agents_running > 1
          ? fmt::format("{} agents ran at the time, so another one may have made them; or you did", agents_running)
          : "unless you made them";
  return fmt::format("files outside its worktree changed in the main checkout {} while its agent ran: {} ({})",
                     repo_dir, list, who);
}

}  // namespace orchestra
