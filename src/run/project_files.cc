#include "project_files.h"

#include "worktree.h"

namespace orchestra {

std::vector<std::string> GitExcludePatterns(const Config& config) {
  const Config defaults;
  std::vector<std::string> patterns{"/.orchestra/"};
  // The database and its -wal, -shm and .lock files.
  if (config.state_path == defaults.state_path) patterns.push_back("/" + defaults.state_path + "*");
  // The run's event log (the display) and each attempt's log and prompt (the executor).
  if (config.logs_dir == defaults.logs_dir) {
    patterns.push_back("/" + defaults.logs_dir + "/orchestrator.log");
    patterns.push_back("/" + defaults.logs_dir + "/workstreams/");
  }
  // What `run` and `report` write.
  if (config.reports_dir == defaults.reports_dir) {
    patterns.push_back("/" + defaults.reports_dir + "/execution_report.md");
    patterns.push_back("/" + defaults.reports_dir + "/gantt.html");
  }
  return patterns;
}

bool ExcludeOwnFiles(Git* git, const Config& config, std::string* error) {
  return ExcludeFromGitStatus(git, config.project_dir, GitExcludePatterns(config), error);
}

}  // namespace orchestra
