// Security: what an agent and an acceptance command can reach of the
// orchestrator (no inherited state-lock or database descriptors), and the
// modes of the state and log folders (the user's umask, nothing world-writable).
// docs/security.md states the threat model these check.
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "temp_dir.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

// A shell line that writes where each open descriptor of the shell ($$) leads,
// one per line, to `file` (relative to the project). The descriptor that
// listed the folder is gone by the time it is read: `|| true` passes over it.
std::string ListFdsInto(const std::string& file) {
  return "for fd in /proc/$$/fd/*; do readlink $fd || true; done > " + file;
}

// The lines of `listing` naming the state database, its journal, a lock, or
// the orchestrator's own log.
std::vector<std::string> StateDescriptors(const std::string& listing) {
  std::vector<std::string> found;
  size_t start = 0;
  while (start < listing.size()) {
    size_t end = listing.find('\n', start);
    if (end == std::string::npos) end = listing.size();
    const std::string line = listing.substr(start, end - start);
    if (line.find(".db") != std::string::npos || line.find(".lock") != std::string::npos ||
        line.find("/.state/") != std::string::npos || line.find("orchestrator.log") != std::string::npos) {
      found.push_back(line);
    }
    start = end + 1;
  }
  return found;
}

TEST(SecurityTest, AgentsAndAcceptanceCommandsInheritNoStateDescriptors) {
  TempDir project;
  WriteFile(project / "fds.sh", "#!/bin/sh\n" + ListFdsInto("agent-fds.txt") + "\n", true);
  project.Write("workstreams/look.json",
                "{\"id\": \"look\", \"max_attempts\": 1, \"acceptance_tests\": [\"" + ListFdsInto("acceptance-fds.txt") +
                    "\"]}");
  project.Write("orchestra.toml",
                "[agent_types.fds]\nkind = \"command\"\nargv = [\"./fds.sh\"]\n"
                "[[agents]]\nid = \"agent-1\"\ntype = \"fds\"\n");
  const CommandResult result = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  for (const char* file : {"agent-fds.txt", "acceptance-fds.txt"}) {
    const std::string listing = ReadFile(project / file);
    // The listing is real: it holds at least the standard descriptors.
    EXPECT_NE(listing.find('\n'), std::string::npos) << file;
    EXPECT_EQ(StateDescriptors(listing), std::vector<std::string>{}) << file << ":\n" << listing;
  }
  // The run did hold them meanwhile: the database and the lock exist.
  EXPECT_TRUE(fs::exists(project / ".state/orchestration.db"));
}

// Restores the process's umask when it goes.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(umask(mask)) {}
  ~ScopedUmask() { umask(previous_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t previous_;
};

TEST(SecurityTest, StateAndLogsFollowTheUmaskAndNothingIsWorldWritable) {
  TempDir project;
  project.Write("workstreams/a.json", R"({"id": "a", "acceptance_tests": ["true"]})");
  project.Write("workstreams/b.json", R"({"id": "b", "depends_on": ["a"]})");
  project.Write("orchestra.toml",
                "[agent_types.ok]\nkind = \"command\"\nargv = [\"true\"]\n"
                "[[agents]]\nid = \"agent-1\"\ntype = \"ok\"\n");
  {
    // A umask stricter than the usual 022: group may read, others nothing.
    ScopedUmask mask(027);
    const CommandResult result = RunOrchestra(project.path(), {"run"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  }
  int checked = 0;
  for (const char* folder : {".state", "logs"}) {
    ASSERT_TRUE(fs::is_directory(project / folder)) << folder;
    std::vector<fs::path> paths = {project / folder};
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(project / folder)) {
      paths.push_back(entry.path());
    }
    for (const fs::path& path : paths) {
      struct stat info {};
      ASSERT_EQ(lstat(path.c_str(), &info), 0) << path;
      if (S_ISLNK(info.st_mode)) continue;
      // Nothing beyond what the umask lets through, so nothing world-writable.
      EXPECT_EQ(info.st_mode & 027, 0u) << path << " has mode " << std::oct << (info.st_mode & 07777);
      EXPECT_EQ(info.st_mode & S_IRUSR, S_IRUSR) << path;
      ++checked;
    }
  }
  // The state database and the lock, and an attempt log of each workstream at least.
  EXPECT_GE(checked, 6);
}

}  // namespace
}  // namespace orchestra::testing
