// The secret scan the fault campaigns end with (tests/support/secret_scan.h)
// must find a secret wherever and however it is planted, or its silence
// proves nothing.
#include "secret_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "cli_harness.h"
#include "temp_dir.h"

namespace orchestra::testing {
namespace {

const std::string kSecret = "sk-ant-api03-scan-7Qx+9/z=Lk2";

TEST(SecretScanTest, NothingPlantedNothingFound) {
  TempDir dir;
  WriteFile(dir / "logs/a.log", "key [redacted]\n");
  WriteFile(dir / "orchestra.toml", "env = { ANTHROPIC_API_KEY = \"" + kSecret + "\" }\n");  // a test input
  EXPECT_EQ(SecretLeaks({.project_dir = dir.path()}, {kSecret}), std::vector<std::string>{});
}

TEST(SecretScanTest, FindsTheRawValueInAFileAndInAnOutput) {
  TempDir dir;
  WriteFile(dir / "logs/workstreams/w/attempt-1.log", "key " + kSecret + "\n");
  SecretScan scan{.project_dir = dir.path(), .outputs = {{"run's stdout", "x" + kSecret}}};
  EXPECT_EQ(SecretLeaks(scan, {"another-secret-value", kSecret}),
            (std::vector<std::string>{dir / "logs/workstreams/w/attempt-1.log: the raw value of secret 2",
                                      "run's stdout: the raw value of secret 2"}));
}

TEST(SecretScanTest, FindsItBase64EncodedAtEveryAlignmentInsideALongerText) {
  for (const char* before : {"", "a", "ab", "abc"}) {
    const CommandResult encoded =
        RunCommand("/", {"sh", "-c", "printf '%s' \"$0\" | base64 -w0", std::string(before) + kSecret + "!"});
    ASSERT_EQ(encoded.exit_code, 0);
    const std::vector<std::string> leaks = SecretLeaks({.outputs = {{"out", encoded.out}}}, {kSecret});
    ASSERT_FALSE(leaks.empty()) << "preceded by '" << before << "': " << encoded.out;
    EXPECT_EQ(leaks[0].rfind("out: base64 (offset ", 0), 0u) << leaks[0];
  }
}

TEST(SecretScanTest, FindsItUrlEncoded) {
  EXPECT_EQ(SecretLeaks({.outputs = {{"url", "https://x/?k=sk-ant-api03-scan-7Qx%2B9%2Fz%3DLk2&y=1"}}}, {kSecret}),
            std::vector<std::string>{"url: the URL-encoded value (upper-case hex) of secret 1"});
  EXPECT_EQ(SecretLeaks({.outputs = {{"url", "k=sk-ant-api03-scan-7Qx%2b9%2fz%3dLk2"}}}, {kSecret}),
            std::vector<std::string>{"url: the URL-encoded value (lower-case hex) of secret 1"});
}

TEST(SecretScanTest, FindsItInAFileName) {
  TempDir dir;
  WriteFile(dir / ("reports/" + std::string("sk-ant-api03-name-only-12345")), "");
  const std::vector<std::string> leaks = SecretLeaks({.project_dir = dir.path()}, {"sk-ant-api03-name-only-12345"});
  EXPECT_EQ(leaks, std::vector<std::string>{dir / "reports/sk-ant-api03-name-only-12345 (its name): the raw value of "
                                                  "secret 1"});
}

TEST(SecretScanTest, FindsItInADatabaseValueSpanningPagesAndInCompressedGitObjects) {
  TempDir dir;
  // A value larger than a page, the secret across the first page boundary of
  // its overflow chain: the table read finds it whatever the file's layout.
  const std::string value = std::string(4090, 'x') + kSecret + std::string(5000, 'y');
  ASSERT_EQ(Sqlite3(dir / "state.db", "CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('" + value + "');").exit_code, 0);
  std::vector<std::string> leaks = SecretLeaks({.outputs = {}, .databases = {dir / "state.db"}}, {kSecret});
  EXPECT_EQ(leaks, std::vector<std::string>{dir / "state.db (table t): the raw value of secret 1"});

  TempDir repo;
  WriteFile(repo / "note.txt", "key " + kSecret + "\n");
  for (const std::vector<std::string>& git : {std::vector<std::string>{"git", "init", "-q"},
                                              {"git", "add", "note.txt"},
                                              {"git", "-c", "user.name=T", "-c", "user.email=t@e", "commit", "-qm", "x"}}) {
    ASSERT_EQ(RunCommand(repo.path(), git).exit_code, 0);
  }
  std::filesystem::remove(repo / "note.txt");
  leaks = SecretLeaks({.project_dir = repo.path()}, {kSecret});
  EXPECT_NE(std::find(leaks.begin(), leaks.end(),
                      repo / ".git (its objects, decompressed): the raw value of secret 1"),
            leaks.end());
}

}  // namespace
}  // namespace orchestra::testing
