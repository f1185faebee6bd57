#include "git.h"

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <fcntl.h>

extern char** environ;

namespace orchestra {

namespace {

// Variables that make git look somewhere other than `-C <dir>` says, and the
// locale ones, replaced by LC_ALL=C so messages read the same everywhere.
constexpr const char* kDroppedVariables[] = {
    "GIT_DIR",        "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_PREFIX",     "GIT_NAMESPACE",
    "LANG",           "LC_ALL",        "LANGUAGE",
};

std::vector<std::string> GitEnvironment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    const bool dropped = std::any_of(std::begin(kDroppedVariables), std::end(kDroppedVariables),
                                     [&](const char* variable) { return name == variable; });
    if (!dropped) env.push_back(text);
  }
  env.push_back("LC_ALL=C");
  env.push_back("GIT_TERMINAL_PROMPT=0");
  return env;
}

/// Runs argv, collecting stdout and stderr; stdin is /dev/null.
GitResult RunCapturing(const std::vector<std::string>& argv) {
  GitResult result;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.err = std::strerror(errno);
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.err = std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const std::vector<std::string> env = GitEnvironment();
  std::vector<char*> envp;
  for (const std::string& entry : env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = std::string("cannot start git: ") + std::strerror(spawned);
    return result;
  }
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  char buffer[65536];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t count = read(fds[i].fd, buffer, sizeof buffer);
      if (count > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(count));
      } else if (count == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  for (pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace

std::string GitResult::Line() const { return out.substr(0, out.find('\n')); }

std::string GitResult::Describe(const std::vector<std::string>& args) const {
  std::string command = "git";
  for (const std::string& arg : args) command += " " + arg;
  std::string message = err;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.empty()) message = "exit code " + std::to_string(exit_code);
  return command + ": " + message;
}

bool SystemGit::HasIdentity(const std::string& dir) {
  for (const auto& [known_dir, has] : identity_) {
    if (known_dir == dir) return has;
  }
  const bool has = RunCapturing({"git", "-C", dir, "var", "GIT_COMMITTER_IDENT"}).ok() &&
                   RunCapturing({"git", "-C", dir, "var", "GIT_AUTHOR_IDENT"}).ok();
  identity_.push_back({dir, has});
  return has;
}

GitResult SystemGit::Run(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git", "-C", dir};
  if (!HasIdentity(dir)) {
    argv.insert(argv.end(), {"-c", "user.name=Orchestra", "-c", "user.email=orchestra@localhost"});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCapturing(argv);
}

bool RunGitChecked(Git* git, const std::string& dir, const std::vector<std::string>& args, std::string* error,
                   GitResult* result) {
  GitResult ran = git->Run(dir, args);
  const bool ok = ran.ok();
  if (!ok) *error = ran.Describe(args);
  if (result != nullptr) *result = std::move(ran);
  return ok;
}

bool GitTopLevel(Git* git, const std::string& dir, std::string* top_level) {
  const GitResult result = git->Run(dir, {"rev-parse", "--show-toplevel"});
  if (!result.ok()) return false;
  *top_level = result.Line();
  return !top_level->empty();
}

std::string ResolveCommit(Git* git, const std::string& dir, const std::string& revision) {
  const GitResult result = git->Run(dir, {"rev-parse", "--verify", "--quiet", revision + "^{commit}"});
  return result.ok() ? result.Line() : "";
}

bool IsAncestor(Git* git, const std::string& dir, const std::string& ancestor,
                const std::string& descendant) {
  return git->Run(dir, {"merge-base", "--is-ancestor", ancestor, descendant}).ok();
}

bool MergeTrees(Git* git, const std::string& dir, const std::string& ours, const std::string& theirs,
                TreeMerge* merge, std::string* error) {
  const std::vector<std::string> args{"merge-tree", "--write-tree", "--name-only", "-z", ours, theirs};
  const GitResult result = git->Run(dir, args);
  // -z: tree NUL path NUL ... NUL NUL messages.
  const std::vector<std::string> fields =
      SplitOutput(result.out.substr(0, result.out.find(std::string(2, '\0'))), '\0');
  if ((!result.ok() && result.exit_code != 1) || fields.empty()) {
    *error = result.Describe(args);
    return false;
  }
  merge->conflict = result.exit_code == 1;
  merge->tree = fields[0];
  merge->conflict_paths.clear();
  for (size_t i = 1; merge->conflict && i < fields.size(); ++i) {
    if (std::find(merge->conflict_paths.begin(), merge->conflict_paths.end(), fields[i]) ==
        merge->conflict_paths.end()) {
      merge->conflict_paths.push_back(fields[i]);
    }
  }
  return true;
}

std::vector<std::string> SplitOutput(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace orchestra
