// [[routes]] through the real orchestra binary: a route with a glob and one
// with its own argv decide which program runs each workstream on a pool of
// `command` agents, and plan and status say which type runs what.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "cli_harness.h"

namespace orchestra::testing {
namespace {

/// A project whose programs each append "PROGRAM ARGS..." to ran.log.
class RoutesRunTest : public ::testing::Test {
 protected:
  RoutesRunTest() {
    for (const char* program : {"default.sh", "reviewer.sh", "execute-pattern"}) {
      WriteFile(project_ / (std::string("tools/") + program),
                std::string("#!/bin/sh\necho \"") + program + " $*\" >> '" + (project_ / "ran.log") + "'\n", true);
    }
    for (const char* id : {"ws-01-parse", "ws-02-check", "auth-api", "docs"}) {
      project_.Write(std::string("workstreams/") + id + ".json",
                     std::string("{\"id\": \"") + id + "\", \"estimate_hours\": 1}");
    }
    project_.Write("orchestra.toml", R"([defaults]
isolation = "none"
backoff = "0s"

[agent_types.default]
kind = "command"
argv = ["./tools/default.sh", "{id}"]

[agent_types.reviewer]
kind = "command"
argv = ["./tools/reviewer.sh", "{id}"]

[[agents]]
id = "agent-1"
type = "default"

[[agents]]
id = "agent-2"
type = "default"

[[routes]]
workstreams = ["ws-0*"]
agent_type = "reviewer"

[[routes]]
workstreams = ["auth-api"]
argv = ["./tools/execute-pattern", "PAT-X", "--workstream", "{id}"]
)");
  }

  /// The lines of `text` that name a workstream of the plan's agent order,
  /// without their times: "ws-01-parse  (type reviewer)".
  static std::vector<std::string> PlannedRows(const std::string& text) {
    std::vector<std::string> rows;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      const size_t dash = line.find(" - ");
      if (!line.starts_with("    ") || dash == std::string::npos) continue;
      const size_t id = line.find_first_not_of(" 0123456789.", dash + 3);
      rows.push_back(line.substr(id));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  TempDir project_;
};

TEST_F(RoutesRunTest, EachWorkstreamRunsTheProgramItsRouteSays) {
  const CommandResult run = RunOrchestra(project_.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::vector<std::string> ran = ReadLines(project_ / "ran.log");
  std::sort(ran.begin(), ran.end());
  EXPECT_EQ(ran, (std::vector<std::string>{"default.sh docs", "execute-pattern PAT-X --workstream auth-api",
                                           "reviewer.sh ws-01-parse", "reviewer.sh ws-02-check"}));
  const CommandResult types = Sqlite3(project_ / ".state/orchestration.db",
                                      "SELECT workstream_id, agent_type FROM attempts ORDER BY workstream_id");
  EXPECT_EQ(types.out, "auth-api|argv:execute-pattern\ndocs|default\nws-01-parse|reviewer\nws-02-check|reviewer\n");

  const CommandResult status = RunOrchestra(project_.path(), {"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  std::map<std::string, std::string> by_id;
  const nlohmann::json rows = nlohmann::json::parse(status.out)["workstreams"];
  for (const nlohmann::json& row : rows) by_id[row["id"]] = row["type"];
  EXPECT_EQ(by_id, (std::map<std::string, std::string>{{"auth-api", "argv:execute-pattern"},
                                                       {"docs", "default"},
                                                       {"ws-01-parse", "reviewer"},
                                                       {"ws-02-check", "reviewer"}}));
  const CommandResult table = RunOrchestra(project_.path(), {"status"});
  EXPECT_EQ(table.out.substr(0, table.out.find('\n')),
            "WORKSTREAM   STATUS     AGENT       TYPE                  ATTEMPT  DURATION  TRACK");
}

TEST_F(RoutesRunTest, PlanNamesTheTypeOfEachWorkstream) {
  const CommandResult plan = RunOrchestra(project_.path(), {"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_EQ(plan.err, "");
  EXPECT_EQ(PlannedRows(plan.out),
            (std::vector<std::string>{"auth-api  (type argv:execute-pattern)", "docs  (type default)",
                                      "ws-01-parse  (type reviewer)", "ws-02-check  (type reviewer)"}));
  const CommandResult json = RunOrchestra(project_.path(), {"plan", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  std::map<std::string, std::string> by_id;
  const nlohmann::json agents = nlohmann::json::parse(json.out)["agents"];
  for (const nlohmann::json& agent : agents) {
    for (const nlohmann::json& slot : agent["timeline"]) by_id[slot["workstream"]] = slot["type"];
  }
  EXPECT_EQ(by_id["auth-api"], "argv:execute-pattern");
  EXPECT_EQ(by_id["docs"], "default");
}

TEST_F(RoutesRunTest, WithoutRoutesPlanRowsHaveNoType) {
  const std::string config = ReadFile(project_ / "orchestra.toml");
  project_.Write("orchestra.toml", config.substr(0, config.find("[[routes]]")));
  const CommandResult plan = RunOrchestra(project_.path(), {"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_EQ(PlannedRows(plan.out), (std::vector<std::string>{"auth-api", "docs", "ws-01-parse", "ws-02-check"}));
}

TEST_F(RoutesRunTest, ARouteMatchingNoWorkstreamStopsValidate) {
  project_.Write("orchestra.toml",
                 ReadFile(project_ / "orchestra.toml") +
                     "\n[[routes]]\nworkstreams = [\"billing-*\", \"ws-9\"]\nagent_type = \"reviewer\"\n");
  const CommandResult validate = RunOrchestra(project_.path(), {"validate"});
  EXPECT_EQ(validate.exit_code, 2);
  EXPECT_EQ(validate.err,
            "orchestra.toml:29:1: error: route [\"billing-*\", \"ws-9\"] matches no workstream (hint: check the ids "
            "against the workstreams folder (short ids and globs with * and ? work))\n"
            "orchestra: 1 error(s), 0 warning(s); nothing was run\n");
}

TEST_F(RoutesRunTest, AMissingArgvProgramIsReportedBeforeRunning) {
  project_.Write("orchestra.toml", ReadFile(project_ / "orchestra.toml") +
                                       "\n[[routes]]\nworkstreams = [\"docs\"]\nargv = [\"./tools/absent.sh\"]\n");
  const CommandResult run = RunOrchestra(project_.path(), {"run"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "orchestra.toml:29:1: error: route [\"docs\"] runs '" + (project_ / "tools/absent.sh") +
                "', which does not exist (hint: fix argv[0] in the route's argv (a relative path is relative to "
                "the config file's folder), or `chmod +x` it)\n"
                "orchestra: 1 error(s), 0 warning(s); nothing was run\n");
}

}  // namespace
}  // namespace orchestra::testing
