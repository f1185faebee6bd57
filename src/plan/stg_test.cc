#include "stg.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "shared_fixture.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace orchestra {
namespace {

namespace fs = std::filesystem;

// Two small graphs of our own in the layout of the shared set: 8/*.stg and
// optimal/Case8_2_OPT.csv.
const std::string kOwnStgDir = std::string(ORCHESTRA_TEST_FIXTURES_DIR) + "/stg";

/// The "CP Length : N" a generator header states, or -1.
double StatedCriticalPath(const fs::path& file) {
  std::ifstream in(file);
  std::smatch match;
  double stated = -1;
  for (std::string line; std::getline(in, line);) {
    static const std::regex kCriticalPath(R"(CP Length\s*:\s*(\d+))");
    if (std::regex_search(line, match, kCriticalPath)) stated = std::stod(match[1]);
  }
  return stated;
}

/// Loads every .stg file of `dir`/`size`, checking its size and stated
/// critical path; returns how many there were.
int CheckEveryFile(const std::string& dir, int size) {
  int files = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir + "/" + std::to_string(size))) {
    PlanningProblem problem;
    std::string error;
    EXPECT_TRUE(LoadStg(entry.path().string(), &problem, &error)) << error;
    EXPECT_EQ(problem.size(), size) << entry.path();
    const std::vector<double> bottom = BottomLevels(problem);
    EXPECT_FALSE(bottom.empty()) << entry.path();
    if (!bottom.empty()) {
      EXPECT_EQ(*std::max_element(bottom.begin(), bottom.end()), StatedCriticalPath(entry.path()))
          << entry.path();
    }
    ++files;
  }
  return files;
}

TEST(StgTest, LoadsTasksWithoutTheDummyEntryAndExit) {
  const std::string stg = testing::SharedFixture("stg");
  if (stg.empty()) return;  // skipped
  PlanningProblem problem;
  std::string error;
  ASSERT_TRUE(LoadStg(stg + "/50/rand0000.stg", &problem, &error)) << error;
  ASSERT_EQ(problem.size(), 50);
  EXPECT_EQ(problem.durations[0], 9);                          // STG task 1
  EXPECT_TRUE(problem.dependencies[0].empty());                // its only predecessor was the entry
  EXPECT_EQ(problem.dependencies[9], (std::vector<int>{1, 5, 7}));  // STG task 10: preds 2 6 8
}

// Every file of the sample loads, and its longest path matches the
// generator's "CP Length" comment.
TEST(StgTest, EveryFileLoadsWithTheCriticalPathItsHeaderStates) {
  const std::string stg = testing::SharedFixture("stg");
  if (stg.empty()) return;  // skipped
  EXPECT_EQ(CheckEveryFile(stg, 50) + CheckEveryFile(stg, 100), 200);
}

TEST(StgTest, ReadsProvenAndUnprovenOptima) {
  const std::string stg = testing::SharedFixture("stg");
  if (stg.empty()) return;  // skipped
  std::vector<StgOptimum> optima;
  std::string error;
  ASSERT_TRUE(LoadStgOptima(stg + "/optimal/Case50_4_OPT.csv", &optima, &error)) << error;
  ASSERT_EQ(optima.size(), 100u);
  EXPECT_EQ(optima[0].graph, "50/rand0000.stg");
  EXPECT_EQ(optima[0].processors, 4);
  EXPECT_TRUE(optima[0].proven());
  const auto unproven = std::count_if(optima.begin(), optima.end(), [](const StgOptimum& o) { return !o.proven(); });
  EXPECT_EQ(unproven, 4);
  for (const StgOptimum& optimum : optima) EXPECT_LE(optimum.lower, optimum.upper);
}

// The same on our own files.

TEST(StgTest, LoadsOurForkJoinGraphWithoutTheDummyEntryAndExit) {
  PlanningProblem problem;
  std::string error;
  ASSERT_TRUE(LoadStg(kOwnStgDir + "/8/fork-join.stg", &problem, &error)) << error;
  ASSERT_EQ(problem.size(), 8);
  EXPECT_EQ(problem.durations, (std::vector<double>{3, 4, 2, 5, 1, 6, 2, 3}));
  EXPECT_EQ(problem.dependencies, (std::vector<std::vector<int>>{
                                      {},      // STG task 1: only the entry before it
                                      {0},     // 2 after 1
                                      {0},     // 3 after 1
                                      {0},     // 4 after 1
                                      {1, 2},  // 5 after 2 and 3
                                      {3},     // 6 after 4
                                      {4, 5},  // 7 after 5 and 6
                                      {},      // 8: only the entry
                                  }));
}

TEST(StgTest, EveryFileOfOursLoadsWithTheCriticalPathItsHeaderStates) {
  EXPECT_EQ(CheckEveryFile(kOwnStgDir, 8), 2);
  EXPECT_EQ(StatedCriticalPath(kOwnStgDir + "/8/fork-join.stg"), 16);  // 1, 4, 6, 7
}

TEST(StgTest, ReadsOurProvenAndUnprovenOptima) {
  std::vector<StgOptimum> optima;
  std::string error;
  ASSERT_TRUE(LoadStgOptima(kOwnStgDir + "/optimal/Case8_2_OPT.csv", &optima, &error)) << error;
  ASSERT_EQ(optima.size(), 2u);
  EXPECT_EQ(optima[0].graph, "8/fork-join.stg");
  EXPECT_EQ(optima[0].processors, 2);
  EXPECT_TRUE(optima[0].proven());
  EXPECT_EQ(optima[0].lower, 16);
  EXPECT_EQ(optima[1].graph, "8/wide.stg");
  EXPECT_FALSE(optima[1].proven());
  EXPECT_EQ(optima[1].lower, 14);
  EXPECT_EQ(optima[1].upper, 15);
}

TEST(StgTest, MalformedFilesNameTheLine) {
  const testing::TempDir dir;
  const std::string path = dir.Write("bad.stg", "2\n0 0 0\n1 3 1 0\n2 4 1 5\n3 0 2 1 2\n");
  PlanningProblem problem;
  std::string error;
  EXPECT_FALSE(LoadStg(path, &problem, &error));
  EXPECT_EQ(error, path + ":4: task 2: predecessor 5 does not come before it");
}

// Found by fuzz/stg_fuzz: a count of 500000100 tasks made LoadStg allocate
// 4 GB before reading a task line.
TEST(StgTest, AHugeTaskCountFailsAtTheFirstMissingLineWithoutAllocatingIt) {
  const testing::TempDir dir;
  const std::string path = dir.Write("huge.stg", std::string("500000100/r\x9f>      50  \0,15(", 27));
  PlanningProblem problem;
  std::string error;
  EXPECT_FALSE(LoadStg(path, &problem, &error));
  EXPECT_EQ(error, path + ":1: 500000100 tasks; at most 10000000 are read");
  // At the limit, the file ends long before its tasks do.
  const std::string largest = dir.Write("largest.stg", "10000000\n0 0 0\n");
  EXPECT_FALSE(LoadStg(largest, &problem, &error));
  EXPECT_EQ(error, largest + ":2: expected task 1 of 10000002");
}

}  // namespace
}  // namespace orchestra
