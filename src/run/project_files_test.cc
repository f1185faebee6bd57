#include "project_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "git_test_repo.h"
#include "state_lock.h"

namespace orchestra {
namespace {

namespace fs = std::filesystem;

/// The config of a project at the top of `repo` with worktree isolation.
Config WorktreeConfig(const GitTestRepo& repo) {
  Config config;
  config.project_dir = repo.path();
  config.isolation = "worktree";
  return config;
}

/// Writes what an earlier version left under .orchestra/: a database with
/// its -wal and -shm files, the logs and the reports.
void WriteEarlierLayout(GitTestRepo* repo) {
  for (const char* file : {"orchestration.db", "orchestration.db-wal", "orchestration.db-shm"}) {
    repo->Write(std::string(".orchestra/state/") + file, std::string(file) + "\n");
  }
  repo->Write(".orchestra/logs/orchestrator.log", "events\n");
  repo->Write(".orchestra/logs/workstreams/ws-a/attempt-1.log", "attempt\n");
  repo->Write(".orchestra/reports/execution_report.md", "report\n");
}

TEST(ProjectFilesTest, OnlyTheFilesOrchestraWritesAtTheDefaultPathsAreExcluded) {
  Config config;
  EXPECT_EQ(GitExcludePatterns(config),
            (std::vector<std::string>{"/.orchestra/", "/.state/orchestration.db*", "/logs/orchestrator.log",
                                      "/logs/workstreams/", "/reports/execution_report.md", "/reports/gantt.html",
                                      "/reports/report.html"}));
  // A configured path is the user's to ignore, inside the project or not.
  config.state_path = "/elsewhere/orchestration.db";
  config.logs_dir = "build/logs";
  EXPECT_EQ(GitExcludePatterns(config),
            (std::vector<std::string>{"/.orchestra/", "/reports/execution_report.md", "/reports/gantt.html",
                                      "/reports/report.html"}));
}

TEST(ProjectFilesTest, TheEarlierLayoutMovesOnceAndTheRecordedLogPathsStillLead) {
  GitTestRepo repo;
  WriteEarlierLayout(&repo);
  Config config = WorktreeConfig(repo);
  EXPECT_EQ(MoveEarlierLayout(repo.git(), &config),
            "moved .orchestra/state/orchestration.db to .state/orchestration.db, .orchestra/logs to logs, "
            ".orchestra/reports to reports (where earlier versions kept them with worktree isolation)");
  const Config defaults;
  EXPECT_EQ(config.state_path, defaults.state_path);
  EXPECT_EQ(config.logs_dir, defaults.logs_dir);
  EXPECT_EQ(config.reports_dir, defaults.reports_dir);
  for (const char* file : {"orchestration.db", "orchestration.db-wal", "orchestration.db-shm"}) {
    EXPECT_EQ(repo.Read(std::string(".state/") + file), std::string(file) + "\n");
    EXPECT_FALSE(fs::exists(repo.path() + "/.orchestra/state/" + file)) << file;
  }
  EXPECT_EQ(repo.Read("logs/orchestrator.log"), "events\n");
  EXPECT_EQ(repo.Read("reports/execution_report.md"), "report\n");
  // The database names each attempt's log by its earlier path.
  EXPECT_EQ(repo.Read(".orchestra/logs/workstreams/ws-a/attempt-1.log"), "attempt\n");
  EXPECT_EQ(repo.Git({"status", "--porcelain", "--untracked-files=all"}), "");
  EXPECT_EQ(MoveEarlierLayout(repo.git(), &config), "");  // nothing left to move
}

TEST(ProjectFilesTest, ADatabaseInUseStaysWhereItIsWithItsLogsAndReports) {
  GitTestRepo repo;
  WriteEarlierLayout(&repo);
  StateLock lock;
  long holder = 0;
  std::string error;
  ASSERT_TRUE(lock.Acquire(repo.path() + "/.orchestra/state/orchestration.db", &holder, &error)) << error;
  Config config = WorktreeConfig(repo);
  EXPECT_EQ(MoveEarlierLayout(repo.git(), &config),
            ".orchestra/state/orchestration.db is in use (pid " + std::to_string(getpid()) +
                "): using the files under .orchestra/ where earlier versions kept them; they move once that "
                "orchestrator has ended");
  EXPECT_EQ(config.state_path, ".orchestra/state/orchestration.db");
  EXPECT_EQ(config.logs_dir, ".orchestra/logs");
  EXPECT_EQ(config.reports_dir, ".orchestra/reports");
  EXPECT_FALSE(fs::exists(repo.path() + "/.state"));
  EXPECT_FALSE(fs::exists(repo.path() + "/logs"));
}

TEST(ProjectFilesTest, OnlyWhatEarlierVersionsMovedMovesBackAndAFullFolderStays) {
  GitTestRepo repo;
  WriteEarlierLayout(&repo);
  Config config = WorktreeConfig(repo);
  config.isolation = "none";
  EXPECT_EQ(MoveEarlierLayout(repo.git(), &config), "");
  config = WorktreeConfig(repo);
  config.state_path = "custom.db";  // earlier versions left a configured state where it was
  EXPECT_EQ(MoveEarlierLayout(repo.git(), &config), "");
  EXPECT_FALSE(fs::exists(repo.path() + "/.state"));

  config = WorktreeConfig(repo);
  config.logs_dir = "build/logs";
  repo.Write("reports/README.md", "the user's own reports\n");
  EXPECT_EQ(MoveEarlierLayout(repo.git(), &config),
            "moved .orchestra/state/orchestration.db to .state/orchestration.db (where earlier versions kept them "
            "with worktree isolation); .orchestra/reports stays where it is (reports already holds files)");
  EXPECT_EQ(repo.Read(".orchestra/logs/orchestrator.log"), "events\n");
  EXPECT_EQ(repo.Read(".orchestra/reports/execution_report.md"), "report\n");
  EXPECT_FALSE(fs::exists(repo.path() + "/reports/execution_report.md"));
}

}  // namespace
}  // namespace orchestra
