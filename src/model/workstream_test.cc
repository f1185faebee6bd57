#include "workstream.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "temp_dir.h"

namespace orchestra {
namespace {

TEST(WorkstreamTest, ParsesDurations) {
  const struct {
    const char* text;
    double seconds;
  } cases[] = {
      {"45m", 2700}, {"30s", 30},    {"2h", 7200},      {"1h30m", 5400},  {"1.5h", 5400},
      {"90", 90},    {"500ms", 0.5}, {"1m30s", 90},     {"1h0m5s", 3605}, {" 10m ", 600},
      {"0", 0},      {"2.5", 2.5},   {"1s250ms", 1.25}, {".5h", 1800},
  };
  for (const auto& test : cases) {
    double seconds = -1;
    EXPECT_TRUE(ParseDuration(test.text, &seconds)) << test.text;
    EXPECT_DOUBLE_EQ(seconds, test.seconds) << test.text;
  }
}

TEST(WorkstreamTest, RejectsMalformedDurations) {
  for (const char* text : {"", " ", "-5", "-5m", "+5m", "m", "5x", "5 m", "1h30", "30m1h", "5m5m",
                           "1e3", "1..5h", "abc", "5M", "inf", "1h-30m", ".", "h30m"}) {
    double seconds = -1;
    EXPECT_FALSE(ParseDuration(text, &seconds)) << "'" << text << "'";
    EXPECT_EQ(seconds, -1) << "'" << text << "' must leave the output alone";
  }
}

TEST(WorkstreamTest, FormatsDurations) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(0.25), "0.2s");
  EXPECT_EQ(FormatDuration(9.5), "9.5s");
  EXPECT_EQ(FormatDuration(42), "42s");
  EXPECT_EQ(FormatDuration(42.4), "42s");
  EXPECT_EQ(FormatDuration(59.6), "1m00s");
  EXPECT_EQ(FormatDuration(185), "3m05s");
  EXPECT_EQ(FormatDuration(3720), "1h02m");
  EXPECT_EQ(FormatDuration(3600 + 2 * 60 + 59), "1h02m");
  EXPECT_EQ(FormatDuration(26 * 3600), "26h00m");
  EXPECT_EQ(FormatDuration(-90), "-1m30s");
}

TEST(WorkstreamTest, ValidatesIds) {
  for (const char* id : {"ws-01-hardcoded-path-index", "a", "A_b.c-9", "ws.v2", "0ws", "x-"}) {
    EXPECT_TRUE(IsValidWorkstreamId(id)) << id;
  }
  for (const char* id : {"", ".hidden", "-flag", "ws/a", "ws a", "{ws-abs-001}", "ws..a", "ws.lock",
                         "ws.", "ws:a", "ws~1", "wé", "ws\n"}) {
    EXPECT_FALSE(IsValidWorkstreamId(id)) << id;
  }
}

TEST(WorkstreamTest, MapsPriorityWords) {
  const struct {
    const char* word;
    int priority;
  } cases[] = {
      {"critical", 3},    {"CRITICAL", 3},   {"High", 2},      {"medium", 1},
      {"normal", 0},      {"foreground", 0}, {"low", -1},      {"background", -2},
      {"P0-CRITICAL", 3}, {"P1", 2},         {"p2-medium", 1}, {"P3-LOW", 0},
  };
  for (const auto& test : cases) {
    int priority = -99;
    EXPECT_TRUE(PriorityFromWord(test.word, &priority)) << test.word;
    EXPECT_EQ(priority, test.priority) << test.word;
  }
  for (const char* word : {"", "urgent", "P4", "P", "P10", "P1x", "2", " high"}) {
    int priority = -99;
    EXPECT_FALSE(PriorityFromWord(word, &priority)) << word;
    EXPECT_EQ(priority, -99) << word;
  }
}

TEST(WorkstreamTest, TellsProseFromCommands) {
  for (const char* prose :
       {"Verify docs/X.md contains the section map", "All directories exist and are empty",
        "Task persists across process restart", "router.config.yaml validates against YAML syntax"}) {
    EXPECT_TRUE(LooksLikeProse(prose)) << prose;
  }
  for (const char* command :
       {"pytest -q tests/x.py", "ls gui/", "python -c 'import core'", "grep -r TODO src",
        "./scripts/check.sh", "test -f x", "Verify it",  // too short to be a sentence
        "pytest tests/patches/ -v", "mypy core/x.py --strict", "python scripts/init_db.py",
        "sh -c true", "Verify2 the thing", "", "   "}) {
    EXPECT_FALSE(LooksLikeProse(command)) << command;
  }
}

// A capitalised word that names a program on $PATH starts a command.
TEST(WorkstreamTest, CapitalisedProgramOnPathIsACommand) {
  const testing::TempDir dir;
  ASSERT_EQ(chmod(dir.Write("Deploy", "#!/bin/sh\n").c_str(), 0755), 0);
  std::filesystem::create_directory(dir / "Check");  // a folder is not a program
  const char* old_path = std::getenv("PATH");
  const std::string saved_path = old_path != nullptr ? old_path : "";

  EXPECT_TRUE(LooksLikeProse("Deploy the app now"));
  setenv("PATH", (dir.path() + ":" + saved_path).c_str(), 1);
  EXPECT_FALSE(LooksLikeProse("Deploy the app now"));
  EXPECT_TRUE(LooksLikeProse("Check the app works"));

  setenv("PATH", saved_path.c_str(), 1);
}

}  // namespace
}  // namespace orchestra
