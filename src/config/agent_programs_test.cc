#include "agent_programs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "temp_dir.h"

namespace orchestra {
namespace {

TEST(AgentProgramsTest, CanExecuteLooksOnThePathOrAtThePath) {
  testing::TempDir dir;
  std::ofstream(dir / "tool") << "#!/bin/sh\n";
  std::ofstream(dir / "plain") << "text\n";
  chmod((dir / "tool").c_str(), 0755);
  EXPECT_TRUE(CanExecute("tool", "/nonexistent:" + dir.path()));
  EXPECT_FALSE(CanExecute("tool", "/nonexistent"));
  EXPECT_FALSE(CanExecute("plain", dir.path()));  // not executable
  EXPECT_TRUE(CanExecute(dir / "tool", ""));
  EXPECT_FALSE(CanExecute(dir / "plain", ""));
  EXPECT_FALSE(CanExecute(dir / "missing", dir.path()));
  EXPECT_FALSE(CanExecute(dir.path(), ""));  // a folder is no program
}

}  // namespace
}  // namespace orchestra
