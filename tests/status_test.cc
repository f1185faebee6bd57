// Integration tests of `orchestra status`: why a workstream failed or is
// blocked, in the table, in JSON and for one workstream in detail.
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_harness.h"

namespace orchestra::testing {
namespace {

/// ws-1-api fails its acceptance test (its error holds the test's complaint,
/// then the log tail with Orchestra's own `orchestra: argv:` lines);
/// ws-2-ui after it is blocked; ws-3-docs is independent and completes.
void WriteFailingProject(const std::string& dir) {
  WriteFile(dir + "/workstreams/api.json",
            R"({"id": "ws-1-api", "tasks": ["do"], "estimate_hours": 1,
                "acceptance_tests": ["echo first line of output; echo the real complaint; false"]})");
  WriteFile(dir + "/workstreams/ui.json", R"({"id": "ws-2-ui", "tasks": ["do"], "depends_on": ["ws-1-api"]})");
  WriteFile(dir + "/workstreams/docs.json", R"({"id": "ws-3-docs", "tasks": ["do"], "estimate_hours": 1})");
  WriteFile(dir + "/orchestra.toml",
            "[defaults]\nbackoff = \"0s\"\nmax_attempts = 1\n\n[agent_types.sim]\ntime_scale = 0.0001\n\n"
            "[[agents]]\nid = \"agent-1\"\ntype = \"sim\"\n");
}

/// `text` with durations (and the spaces that align them) and timestamps,
/// which vary from run to run, as " Ts" and "T".
std::string WithoutTimes(const std::string& text) {
  const std::string durations = std::regex_replace(text, std::regex(R"( +\d+(\.\d+)?s\b)"), " Ts");
  return std::regex_replace(durations, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"), "T");
}

const char kComplaint[] =
    "acceptance test `echo first line of output; echo the real complaint; false` failed (exit code 1): "
    "the real complaint";

TEST(StatusTest, TheTableGivesTheReasonOfFailedAndBlockedRows) {
  TempDir project;
  WriteFailingProject(project.path());
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 1);
  const CommandResult status = RunOrchestra(project.path(), {"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(WithoutTimes(status.out),
            "WORKSTREAM  STATUS     AGENT       ATTEMPT  DURATION  TRACK  REASON\n"
            "ws-1-api    failed     agent-1           1 Ts  -      acceptance test `echo first line of "
            "output; echo the real...\n"
            "ws-2-ui     blocked    -                 -         -  -      dependency ws-1-api failed\n"
            "ws-3-docs   completed  agent-1           1 Ts  -\n"
            "\n"
            "3 workstreams: 1 completed, 1 failed, 1 blocked\n"
            "run 1 failed (started T, ended T)\n");
}

TEST(StatusTest, JsonGivesABoundedReasonNotTheLogTail) {
  TempDir project;
  WriteFailingProject(project.path());
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 1);
  const CommandResult status = RunOrchestra(project.path(), {"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.out.find("orchestra: argv:"), std::string::npos) << status.out;
  const nlohmann::json json = nlohmann::json::parse(status.out);
  ASSERT_EQ(json["workstreams"].size(), 3u);
  EXPECT_EQ(json["workstreams"][0]["reason"], kComplaint);
  EXPECT_EQ(json["workstreams"][1]["reason"], "dependency ws-1-api failed");
  EXPECT_EQ(json["workstreams"][2]["reason"], "");
  EXPECT_FALSE(json["workstreams"][0].contains("error"));
}

TEST(StatusTest, OneWorkstreamByItsShortIdSaysWhyWithAttemptsFilesAndNeighbours) {
  TempDir project;
  WriteFailingProject(project.path());
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 1);
  const CommandResult status = RunOrchestra(project.path(), {"status", "ws-1", "ws-2"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.err, "");
  EXPECT_EQ(WithoutTimes(status.out), std::string("ws-1-api: failed\n"
                                                  "  reason:     ") +
                                          kComplaint +
                                          "\n"
                                          "  depends on: -\n"
                                          "  blocks:     ws-2-ui (blocked)\n"
                                          "  attempts:   1\n"
                                          "    #1 on agent-1: failed, exit 1, Ts\n"
                                          "       reason: " +
                                          kComplaint +
                                          "\n"
                                          "       log:    logs/workstreams/ws-1-api/attempt-1.log\n"
                                          "       prompt: logs/workstreams/ws-1-api/attempt-1.prompt.md\n"
                                          "\n"
                                          "ws-2-ui: blocked\n"
                                          "  reason:     dependency ws-1-api failed\n"
                                          "  depends on: ws-1-api (failed)\n"
                                          "  blocks:     -\n"
                                          "  attempts:   none yet\n");
  // The files it names are there.
  EXPECT_TRUE(std::filesystem::exists(project / "logs/workstreams/ws-1-api/attempt-1.log"));
  EXPECT_TRUE(std::filesystem::exists(project / "logs/workstreams/ws-1-api/attempt-1.prompt.md"));

  // The same as JSON: a list, one object per workstream named.
  const CommandResult json_status = RunOrchestra(project.path(), {"status", "ws-1", "ws-2", "--json"});
  ASSERT_EQ(json_status.exit_code, 0) << json_status.err;
  nlohmann::json json = nlohmann::json::parse(json_status.out);
  ASSERT_EQ(json.size(), 2u);
  ASSERT_EQ(json[0]["attempts"].size(), 1u);
  json[0]["attempts"][0].erase("duration_seconds");
  EXPECT_EQ(json[0], nlohmann::json::parse(std::string(R"({
      "id": "ws-1-api", "status": "failed", "track": "", "reason": ")") + kComplaint + R"(",
      "depends_on": [], "blocks": [{"id": "ws-2-ui", "status": "blocked"}],
      "attempts": [{"attempt": 1, "agent": "agent-1", "outcome": "failed", "exit_code": 1, "signal": null,
                    "reason": ")" + kComplaint + R"(",
                    "log": ")" + (project / "logs/workstreams/ws-1-api/attempt-1.log") + R"(",
                    "prompt": ")" + (project / "logs/workstreams/ws-1-api/attempt-1.prompt.md") + R"(",
                    "agent_type": "sim", "tokens": {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0},
                    "cost_usd": null, "model": "", "turns": 0, "session_id": ""}]})"));
  EXPECT_EQ(json[1], nlohmann::json::parse(R"({
      "id": "ws-2-ui", "status": "blocked", "track": "", "reason": "dependency ws-1-api failed",
      "depends_on": [{"id": "ws-1-api", "status": "failed"}], "blocks": [], "attempts": []})"));

  const CommandResult unknown = RunOrchestra(project.path(), {"status", "ws-9"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.out, "");
  EXPECT_EQ(unknown.err, "orchestra: unknown workstream 'ws-9'\n");
}

}  // namespace
}  // namespace orchestra::testing
