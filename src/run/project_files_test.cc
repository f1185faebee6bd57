#include "project_files.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(ProjectFilesTest, OnlyTheFilesOrchestraWritesAtTheDefaultPathsAreExcluded) {
  Config config;
  EXPECT_EQ(GitExcludePatterns(config),
            (std::vector<std::string>{"/.orchestra/", "/.state/orchestration.db*", "/logs/orchestrator.log",
                                      "/logs/workstreams/", "/reports/execution_report.md", "/reports/gantt.html"}));
  // A configured path is the user's to ignore, inside the project or not.
  config.state_path = "/elsewhere/orchestration.db";
  config.logs_dir = "build/logs";
  EXPECT_EQ(GitExcludePatterns(config),
            (std::vector<std::string>{"/.orchestra/", "/reports/execution_report.md", "/reports/gantt.html"}));
}

}  // namespace
}  // namespace orchestra
