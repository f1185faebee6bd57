#include "graphviz.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace orchestra {

namespace {

namespace fs = std::filesystem;

/// A private temporary folder, removed with its files.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "orchestra-dot-XXXXXX").string();
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  bool ok() const { return !path_.empty(); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

bool RunDot(const std::string& dot_text, const std::string& format, std::string* output, std::string* error) {
  // Files rather than pipes for stdin, stdout and stderr: nothing can block
  // whatever the sizes, and nothing needs an event loop.
  ScratchDir scratch;
  if (!scratch.ok()) {
    *error = std::string("cannot create a temporary folder: ") + std::strerror(errno);
    return false;
  }
  const std::string input = scratch / "graph.dot";
  const std::string result = scratch / "graph.out";
  const std::string messages = scratch / "dot.err";
  {
    std::ofstream out(input, std::ios::binary);
    out << dot_text;
    if (!out) {
      *error = "cannot write " + input;
      return false;
    }
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, input.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, result.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, messages.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string type_option = "-T" + format;
  std::vector<char*> argv{const_cast<char*>("dot"), type_option.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "dot", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    *error = spawned == ENOENT
                 ? "the Graphviz `dot` program is not installed (Debian package graphviz: "
                   "`sudo apt-get install graphviz`); `--format dot` or `--format mermaid` need nothing"
                 : std::string("cannot start dot: ") + std::strerror(spawned);
    return false;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      *error = std::string("waiting for dot: ") + std::strerror(errno);
      return false;
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *error = "dot failed: " + ReadAll(messages);
    while (!error->empty() && error->back() == '\n') error->pop_back();
    return false;
  }
  *output = ReadAll(result);
  return true;
}

}  // namespace orchestra
