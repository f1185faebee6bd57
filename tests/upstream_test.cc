// Integration tests on the upstream workstream files Orchestra was written to
// run: the 37 valid ones, the array-shaped variant and the 12 that were never
// valid JSON. The fixtures are read in place from the shared folder; without
// it every test here skips (workstream_files_test.cc covers the same on files
// of our own).
#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_harness.h"
#include "project_builder.h"
#include "shared_fixture.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

constexpr size_t kValidCount = 37;

/// The shared upstream set, or "" after marking the test skipped when absent.
std::string Upstream() { return SharedFixture("upstream-workstreams"); }

/// A folder of the upstream set, absolute and normalised the way the loader prints it.
std::string FixtureDir(const std::string& upstream, const std::string& name) {
  return fs::absolute(fs::path(upstream) / name).lexically_normal().string();
}

std::vector<std::string> JsonFileNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string RegexEscape(const std::string& text) {
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  return std::regex_replace(text, special, R"(\$&)");
}

std::vector<std::string> LinesContaining(const std::string& text, const std::string& needle) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (line.find(needle) != std::string::npos) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

/// The seed's three tracks, written with the short ids its track_assignments use.
const Tracks& SeedTracks() {
  static const Tracks tracks = {
      {"pipeline_plus", {"ws-22", "ws-23", "ws-24", "ws-25", "ws-26", "ws-27", "ws-28", "ws-29", "ws-30"}},
      {"core_refactor", {"ws-15", "ws-16", "ws-17"}},
      {"error_engine", {"ws-12", "ws-13", "ws-14"}},
  };
  return tracks;
}

/// orchestra.toml for the 37 valid files: one sim agent per seed track.
std::string SeedTrackConfig(const std::string& upstream, const std::string& extra = "") {
  return SimTrackConfig(FixtureDir(upstream, "valid"), SeedTracks(), extra);
}

TEST(UpstreamTest, AllValidFilesValidateWithDuplicateDependencyWarnings) {
  const std::string upstream = Upstream();
  if (upstream.empty()) return;  // skipped
  TempDir empty;
  CommandResult result =
      RunOrchestra(empty.path(), {"--workstreams", FixtureDir(upstream, "valid"), "--agents", "2", "validate"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("37 workstreams"), std::string::npos) << result.out;
  EXPECT_EQ(result.err.find("error:"), std::string::npos) << result.err;
  for (const char* file : {"ws-18-update-infrastructure-scripts.json", "ws-19-test-suite-updates.json",
                           "ws-20-final-documentation-mapping.json", "ws-21-ci-gate-path-standards.json"}) {
    bool warned = false;
    for (const std::string& line : LinesContaining(result.err, file)) {
      warned = warned || (line.find(": warning: ") != std::string::npos &&
                          line.find("listed twice in depends_on") != std::string::npos);
    }
    EXPECT_TRUE(warned) << file << " has no duplicate-dependency warning in:\n" << result.err;
  }
}

TEST(UpstreamTest, SeedTracksWithShortIdsPlanEveryWorkstreamOnItsTrackAgent) {
  const std::string upstream = Upstream();
  if (upstream.empty()) return;  // skipped
  TempDir project;
  WriteFile(project / "orchestra.toml", SeedTrackConfig(upstream));
  CommandResult result = RunOrchestra(project.path(), {"plan", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const nlohmann::json plan = nlohmann::json::parse(result.out);

  // The short names resolved to the long ids.
  std::map<std::string, std::string> track_of;
  for (const auto& [track, names] : SeedTracks()) {
    ASSERT_TRUE(plan["tracks"].contains(track)) << plan["tracks"].dump();
    EXPECT_EQ(plan["tracks"][track].size(), names.size()) << track;
    for (const nlohmann::json& id : plan["tracks"][track]) track_of[id.get<std::string>()] = track;
  }
  EXPECT_EQ(track_of.count("ws-22-pipeline-plus-phase0-schema"), 1u);
  EXPECT_EQ(track_of["ws-15-refactor-core-state"], "core_refactor");
  EXPECT_EQ(track_of["ws-14-refactor-error-engine"], "error_engine");

  std::map<std::string, int> times_planned;
  for (const nlohmann::json& agent : plan["agents"]) {
    const std::string agent_track = agent["track"].get<std::string>();
    for (const nlohmann::json& slot : agent["timeline"]) {
      const std::string id = slot["workstream"].get<std::string>();
      ++times_planned[id];
      if (track_of.count(id)) {
        EXPECT_EQ(agent_track, track_of[id]) << id << " planned on " << agent["id"];
      }
    }
  }
  EXPECT_EQ(times_planned.size(), kValidCount);
  for (const auto& [id, times] : times_planned) EXPECT_EQ(times, 1) << id;
  EXPECT_GT(plan["makespan_hours"].get<double>(), 0);
  EXPECT_GE(plan["makespan_hours"].get<double>(), plan["critical_path_hours"].get<double>());

  CommandResult text = RunOrchestra(project.path(), {"plan"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(text.out, match, std::regex(R"((\d+) workstream\(s\) have no estimate)")))
      << text.out;
  EXPECT_EQ(std::stoul(match[1]), plan["default_estimates"].size());
  EXPECT_GT(std::stoul(match[1]), 0u);
}

TEST(UpstreamTest, RunningAllValidFilesTerminatesWithEveryWorkstreamDecided) {
  const std::string upstream = Upstream();
  if (upstream.empty()) return;  // skipped
  TempDir project;
  WriteFile(project / "orchestra.toml",
            SeedTrackConfig(upstream, "[defaults]\nmax_attempts = 1\nbackoff = \"0.1s\"\n\n"
                            "[agent_types.sim]\ntime_scale = 0.002\n"));
  // The upstream acceptance tests are real commands (`ls gui/`, `pytest ...`)
  // that mostly fail in an empty folder: what matters is that the run ends.
  CommandResult result = RunOrchestra(project.path(), {"run"}, 60);
  EXPECT_TRUE(result.exit_code == 0 || result.exit_code == 1) << result.exit_code << "\n" << result.out << result.err;
  const std::string state = project / ".state/orchestration.db";
  EXPECT_EQ(Sqlite3(state, "SELECT COUNT(*) FROM workstream_status").out, "37\n");
  EXPECT_EQ(Sqlite3(state,
                    "SELECT COUNT(*) FROM workstream_status WHERE status NOT IN ('completed', 'failed', 'blocked')")
                .out,
            "0\n");
  EXPECT_EQ(Sqlite3(state,
                    "SELECT COUNT(*) FROM workstream_status "
                    "WHERE status = 'failed' AND error_message NOT LIKE '%acceptance test%'")
                .out,
            "0\n");
  // No acceptance tests: completes. `ls gui/` in an empty folder: fails.
  EXPECT_EQ(Sqlite3(state, "SELECT status FROM workstream_status WHERE workstream_id = 'ws-01-hardcoded-path-index'").out,
            "completed\n");
  EXPECT_EQ(Sqlite3(state, "SELECT status FROM workstream_status WHERE workstream_id = 'ws-04-refactor-gui-section'").out,
            "failed\n");
}

TEST(UpstreamTest, ArrayFileOfThreeWorkstreamsLoads) {
  const std::string upstream = Upstream();
  if (upstream.empty()) return;  // skipped
  TempDir project;
  fs::create_directories(project / "workstreams");
  fs::copy_file(FixtureDir(upstream, "variant-shapes") + "/example_multi.json",
                project / "workstreams/example_multi.json");
  CommandResult result = RunOrchestra(project.path(), {"--agents", "2", "plan", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const nlohmann::json plan = nlohmann::json::parse(result.out);
  EXPECT_EQ(plan["workstreams"], 3);
  ASSERT_EQ(plan["waves"].size(), 3u) << plan["waves"].dump();
  for (const nlohmann::json& wave : plan["waves"]) EXPECT_EQ(wave.size(), 1u) << plan["waves"].dump();
}

TEST(UpstreamTest, EveryInvalidFileGetsAnErrorWithLineAndColumn) {
  const std::string upstream = Upstream();
  if (upstream.empty()) return;  // skipped
  TempDir empty;
  const std::string dir = FixtureDir(upstream, "invalid-json");
  CommandResult result = RunOrchestra(empty.path(), {"--workstreams", dir, "--agents", "1", "validate"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  const std::vector<std::string> names = JsonFileNames(dir);
  ASSERT_EQ(names.size(), 12u);
  for (const std::string& name : names) {
    const std::regex located("(^|\n)" + RegexEscape(dir + "/" + name) + R"(:(\d+):(\d+): error: )");
    std::smatch match;
    ASSERT_TRUE(std::regex_search(result.err, match, located)) << name << " not located in:\n" << result.err;
    EXPECT_GE(std::stoi(match[2]), 1) << name;
    EXPECT_GE(std::stoi(match[3]), 1) << name;
  }
  std::smatch summary;
  ASSERT_TRUE(std::regex_search(result.err, summary, std::regex(R"((\d+) error\(s\).*nothing was run)")))
      << result.err;
  EXPECT_EQ(std::stoul(summary[1]), LinesContaining(result.err, ": error: ").size());
  EXPECT_GE(std::stoul(summary[1]), names.size());
}

}  // namespace
}  // namespace orchestra::testing
