// Integration tests on workstream files of our own (tests/fixtures/workstreams):
// what upstream_test.cc checks on the shared upstream files, in every checkout.
// A folder with one file per kind of malformed JSON, an array file, and a
// numbered set matched by short ids in [tracks].
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_harness.h"
#include "loader.h"
#include "project_builder.h"
#include "test_paths.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

const std::string kWorkstreams = std::string(ORCHESTRA_TEST_FIXTURES_DIR) + "/workstreams";

/// The tracked fixtures' two tracks, written with short ids.
const Tracks& ShortTracks() {
  static const Tracks tracks = {
      {"backend", {"ws-01", "ws-02", "ws-03"}},
      {"frontend", {"ws-10", "ws-11", "ws-12"}},
  };
  return tracks;
}

/// The long ids those short ids stand for, by track.
const Tracks& LongTracks() {
  static const Tracks tracks = {
      {"backend", {"ws-01-schema", "ws-02-storage", "ws-03-api"}},
      {"frontend", {"ws-10-cli", "ws-11-docs", "ws-12-release"}},
  };
  return tracks;
}

/// orchestra.toml for the tracked fixtures: one sim agent per track.
std::string TrackConfig(const Tracks& tracks, const std::string& extra = "") {
  return SimTrackConfig(kWorkstreams + "/tracked", tracks, extra);
}

TEST(WorkstreamFilesTest, EveryMalformedFileIsReportedWithLineAndColumn) {
  TempDir empty;
  const std::string dir = kWorkstreams + "/malformed";
  CommandResult result = RunOrchestra(empty.path(), {"--workstreams", dir, "--agents", "1", "validate"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_EQ(result.out, "");
  // Exactly the loader's diagnostics (loader_test.cc pins each one), then the summary.
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadWorkstreams(dir, &workstreams, &diagnostics));
  ASSERT_EQ(diagnostics.ErrorCount(), 23) << diagnostics.Render();
  EXPECT_EQ(result.err, diagnostics.Render() + "orchestra: 23 error(s), 0 warning(s); nothing was run\n");
  // Among them, each file is named with a line and column of its own.
  int files = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    ++files;
    const std::string file = dir + "/" + entry.path().filename().string();
    const bool located = std::any_of(diagnostics.items().begin(), diagnostics.items().end(), [&](const Diagnostic& d) {
      return d.file == file && d.severity == Severity::kError && d.line > 0 && d.column > 0;
    });
    EXPECT_TRUE(located) << file << " not located in:\n" << result.err;
  }
  EXPECT_EQ(files, 17);
}

TEST(WorkstreamFilesTest, AnArrayFileOfThreeWorkstreamsPlansInThreeWaves) {
  TempDir project;
  fs::create_directories(project / "workstreams");
  fs::copy_file(kWorkstreams + "/array/pipeline.json", project / "workstreams/pipeline.json");
  CommandResult result = RunOrchestra(project.path(), {"--agents", "2", "plan", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const nlohmann::json plan = nlohmann::json::parse(result.out);
  EXPECT_EQ(plan["workstreams"], 3);
  EXPECT_EQ(plan["waves"], nlohmann::json::parse(R"([["ws-parse"], ["ws-check"], ["ws-report"]])"));
}

TEST(WorkstreamFilesTest, ShortIdsInTracksPlanEachWorkstreamOnItsTrackAgent) {
  TempDir project;
  WriteFile(project / "orchestra.toml", TrackConfig(ShortTracks()));
  CommandResult result = RunOrchestra(project.path(), {"plan", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const nlohmann::json plan = nlohmann::json::parse(result.out);
  EXPECT_EQ(plan["tracks"], nlohmann::json(LongTracks()));

  std::map<std::string, std::string> track_of;
  for (const auto& [track, ids] : LongTracks()) {
    for (const std::string& id : ids) track_of[id] = track;
  }
  std::map<std::string, int> times_planned;
  for (const nlohmann::json& agent : plan["agents"]) {
    for (const nlohmann::json& slot : agent["timeline"]) {
      const std::string id = slot["workstream"].get<std::string>();
      ++times_planned[id];
      if (track_of.count(id)) {
        EXPECT_EQ(agent["track"], track_of[id]) << id << " planned on " << agent["id"];
      }
    }
  }
  EXPECT_EQ(times_planned.size(), 8u);
  for (const auto& [id, times] : times_planned) EXPECT_EQ(times, 1) << id;
}

TEST(WorkstreamFilesTest, RunningTheTrackedFilesRunsEachOnItsTrackAgent) {
  TempDir project;
  WriteFile(project / "orchestra.toml", TrackConfig(ShortTracks(), "[agent_types.sim]\ntime_scale = 0.002\n"));
  CommandResult result = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const std::string state = project / ".state/orchestration.db";
  EXPECT_EQ(Sqlite3(state, "SELECT status, COUNT(*) FROM workstream_status GROUP BY status").out, "completed|8\n");
  EXPECT_EQ(Sqlite3(state,
                    "SELECT workstream_id, agent_id FROM attempts "
                    "WHERE workstream_id NOT LIKE 'ws-test-%' ORDER BY workstream_id")
                .out,
            "ws-01-schema|agent-backend\nws-02-storage|agent-backend\nws-03-api|agent-backend\n"
            "ws-10-cli|agent-frontend\nws-11-docs|agent-frontend\nws-12-release|agent-frontend\n");
}

TEST(WorkstreamFilesTest, AShortIdThatMatchesNoneOrSeveralIsAnError) {
  TempDir project;
  // Numbers are zero-padded, so "ws-1" names nothing; "ws-test" names two.
  const std::string config = TrackConfig({{"backend", {"ws-1", "ws-02", "ws-test"}}});
  WriteFile(project / "orchestra.toml", config);
  const size_t backend_at = config.find("backend = [");
  ASSERT_NE(backend_at, std::string::npos) << config;
  const std::string at = "orchestra.toml:" +
                         std::to_string(std::count(config.begin(), config.begin() + backend_at, '\n') + 1) + ":1: ";
  CommandResult result = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  const std::string tracked = kWorkstreams + "/tracked";
  EXPECT_EQ(result.err,
            tracked + "/ws-03-api.json:9:5: warning: 'ws-02-storage' is listed twice in depends_on "
                      "(hint: the repeat is ignored)\n" +
                tracked + "/ws-11-docs.json:6:44: warning: 'ws-10-cli' is listed twice in depends_on "
                          "(hint: the repeat is ignored)\n" +
                at + "error: track 'backend': 'ws-1' matches no workstream (hint: nearest ids: "
                     "ws-01-schema, ws-10-cli, ws-11-docs, ws-12-release, ws-02-storage)\n" +
                at + "error: track 'backend': 'ws-test' matches several workstreams: ws-test-001, "
                     "ws-test-pipeline (hint: write the full id)\n"
                     "orchestra: 2 error(s), 2 warning(s); nothing was run\n");
}

}  // namespace
}  // namespace orchestra::testing
