#include "project_files.h"

#include <filesystem>

#include <fmt/format.h>

#include "state_lock.h"
#include "worktree.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

// Where earlier versions put the defaults with worktree isolation.
constexpr const char* kEarlierState = ".orchestra/state/orchestration.db";
constexpr const char* kEarlierLogs = ".orchestra/logs";
constexpr const char* kEarlierReports = ".orchestra/reports";

bool Exists(const fs::path& path) {
  std::error_code ignored;
  return fs::exists(fs::symlink_status(path, ignored));
}

/// What the note says after UseEarlierLayout.
constexpr const char* kUsingEarlierLayout = "using the files under .orchestra/ where earlier versions kept them";

/// Points `config` at the earlier paths of those left at their defaults.
void UseEarlierLayout(Config* config) {
  const Config defaults;
  config->state_path = kEarlierState;
  if (config->logs_dir == defaults.logs_dir) config->logs_dir = kEarlierLogs;
  if (config->reports_dir == defaults.reports_dir) config->reports_dir = kEarlierReports;
}

/// Moves the database `from` to `to`: its -wal and -shm files first, so that
/// if we stop halfway the next command still finds `from` and moves the rest.
bool MoveDatabase(const fs::path& from, const fs::path& to, std::string* error) {
  std::error_code failure;
  fs::create_directories(to.parent_path(), failure);
  for (const char* suffix : {"-wal", "-shm", ""}) {
    const fs::path file = from.string() + suffix;
    if (!Exists(file)) continue;
    fs::rename(file, to.string() + suffix, failure);
    if (failure) {
      *error = failure.message();
      return false;
    }
  }
  return true;
}

/// Moves the folder `from` to `to` unless `to` holds something already;
/// false with the reason when it stays.
bool MoveFolder(const fs::path& from, const fs::path& to, std::string* reason) {
  std::error_code failure;
  if (Exists(to) && !fs::is_empty(to, failure)) {
    *reason = to.filename().string() + " already holds files";
    return false;
  }
  fs::rename(from, to, failure);
  if (failure) *reason = failure.message();
  return !failure;
}

/// Moves the earlier logs and reports folders of those left at their
/// defaults and links .orchestra/logs to logs/ (the database records each
/// attempt's log by its path there). Adds ", <from> to <to>" to `*moved` for
/// each folder moved and "; <why not>" to `*problems` for each one kept.
void MoveEarlierFolders(const Config& config, std::string* moved, std::string* problems) {
  const Config defaults;
  const fs::path project = config.project_dir;
  const auto move_folder = [&](const std::string& configured, const char* from, const std::string& to) {
    if (configured != to || !Exists(project / from)) return false;
    std::string reason;
    if (MoveFolder(project / from, project / to, &reason)) {
      *moved += fmt::format(", {} to {}", from, to);
      return true;
    }
    *problems += fmt::format("; {} stays where it is ({})", from, reason);
    return false;
  };
  if (move_folder(config.logs_dir, kEarlierLogs, defaults.logs_dir)) {
    std::error_code failure;
    fs::create_directory_symlink(fs::path("..") / defaults.logs_dir, project / kEarlierLogs, failure);
    if (failure) {
      *problems += fmt::format("; cannot link {} to {}: {}", kEarlierLogs, defaults.logs_dir, failure.message());
    }
  }
  move_folder(config.reports_dir, kEarlierReports, defaults.reports_dir);
}

}  // namespace

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
    patterns.push_back("/" + defaults.reports_dir + "/report.html");
  }
  return patterns;
}

bool ExcludeOwnFiles(Git* git, const Config& config, std::string* error) {
  return ExcludeFromGitStatus(git, config.project_dir, GitExcludePatterns(config), error);
}

std::string MoveEarlierLayout(Git* git, Config* config) {
  const Config defaults;
  const fs::path project = config->project_dir;
  const fs::path earlier = project / kEarlierState;
  const fs::path state = project / defaults.state_path;
  if (!config->UsesWorktrees() || config->state_path != defaults.state_path || !Exists(earlier) ||
      Exists(state)) {
    return "";
  }
  StateLock lock;
  long holder = 0;
  std::string error;
  if (!lock.Acquire(earlier.string(), &holder, &error)) {
    UseEarlierLayout(config);
    if (!error.empty()) return fmt::format("cannot lock {} ({}): {}", kEarlierState, error, kUsingEarlierLayout);
    return fmt::format("{} is in use{}: {}; they move once that orchestrator has ended", kEarlierState,
                       holder ? fmt::format(" (pid {})", holder) : "", kUsingEarlierLayout);
  }
  if (!Exists(earlier) || Exists(state)) return "";  // another command has just moved it
  if (!MoveDatabase(earlier, state, &error)) {
    UseEarlierLayout(config);
    return fmt::format("cannot move {} to {} ({}): {}", kEarlierState, defaults.state_path, error,
                       kUsingEarlierLayout);
  }
  std::string moved = fmt::format("{} to {}", kEarlierState, defaults.state_path);
  std::string problems;
  MoveEarlierFolders(*config, &moved, &problems);
  if (!ExcludeOwnFiles(git, *config, &error)) problems += "; " + error;
  return "moved " + moved + " (where earlier versions kept them with worktree isolation)" + problems;
}

}  // namespace orchestra
