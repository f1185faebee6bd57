// Integration tests of planning: `orchestra plan` output and JSON, and a
// simulated run following the plan ("one scheduler, two clocks").
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_harness.h"

namespace orchestra::testing {
namespace {

void AddWorkstream(const std::string& dir, const std::string& id, double hours,
                   const std::vector<std::string>& depends_on) {
  std::string deps;
  for (const std::string& dependency : depends_on) deps += (deps.empty() ? "\"" : ", \"") + dependency + "\"";
  WriteFile(dir + "/workstreams/" + id + ".json",
            "{\"id\": \"" + id + "\", \"tasks\": [\"do " + id + "\"], \"depends_on\": [" + deps +
                "], \"estimate_hours\": " + std::to_string(hours) + "}\n");
}

/// a(4) -> c(3); b(2) -> d(1) -> f(2); b -> e(2). On two agents every finish
/// falls on its own hour (2, 3, 4, 5, then 7), so a live run's decisions
/// cannot race, and 7 hours meets the lower bound (14 hours of work / 2).
void WriteTwoAgentProject(const std::string& dir, double time_scale) {
  AddWorkstream(dir, "a", 4, {});
  AddWorkstream(dir, "b", 2, {});
  AddWorkstream(dir, "c", 3, {"a"});
  AddWorkstream(dir, "d", 1, {"b"});
  AddWorkstream(dir, "e", 2, {"b"});
  AddWorkstream(dir, "f", 2, {"d"});
  WriteFile(dir + "/orchestra.toml", "[agent_types.sim]\ntime_scale = " + std::to_string(time_scale) +
                                         "\n\n[[agents]]\nid = \"agent-1\"\ntype = \"sim\"\n\n"
                                         "[[agents]]\nid = \"agent-2\"\ntype = \"sim\"\n");
}

TEST(PlanningTest, PlanJsonHasEveryKeyOfTheIssue) {
  TempDir project;
  WriteTwoAgentProject(project.path(), 0.01);
  CommandResult result = RunOrchestra(project.path(), {"plan", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json plan = nlohmann::json::parse(result.out);
  for (const char* key : {"makespan_hours", "lower_bound_hours", "critical_path", "critical_path_hours", "agents",
                          "scaling", "default_estimates", "waves", "proven_optimal"}) {
    EXPECT_TRUE(plan.contains(key)) << key;
  }
  EXPECT_EQ(plan["makespan_hours"], 7.0);
  EXPECT_EQ(plan["lower_bound_hours"], 7.0);
  EXPECT_EQ(plan["proven_optimal"], true);
  EXPECT_EQ(plan["critical_path"], nlohmann::json({"a", "c"}));
  EXPECT_EQ(plan["critical_path_hours"], 7.0);
  ASSERT_EQ(plan["agents"].size(), 2u);
  size_t slots = 0;
  for (const nlohmann::json& agent : plan["agents"]) {
    EXPECT_TRUE(agent.contains("id"));
    for (const nlohmann::json& slot : agent["timeline"]) {
      EXPECT_TRUE(slot.contains("workstream"));
      EXPECT_LE(slot["start_hours"].get<double>(), slot["end_hours"].get<double>());
      ++slots;
    }
  }
  EXPECT_EQ(slots, 6u);
  ASSERT_EQ(plan["scaling"].size(), 6u);  // 1..max(6, 2)
  for (size_t row = 0; row < 6; ++row) {
    EXPECT_EQ(plan["scaling"][row]["agents"], row + 1);
    EXPECT_GE(plan["scaling"][row]["makespan_hours"].get<double>() + 1e-9,
              plan["scaling"][row]["lower_bound_hours"].get<double>());
  }
  EXPECT_EQ(plan["scaling"][0]["makespan_hours"], 14.0);
  EXPECT_EQ(plan["default_estimates"], nlohmann::json::array());
}

TEST(PlanningTest, AgentsWhatIfExtendsTheScalingTable) {
  TempDir project;
  WriteTwoAgentProject(project.path(), 0.01);
  CommandResult result = RunOrchestra(project.path(), {"--agents", "8", "plan", "--json", "--budget", "20ms"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json plan = nlohmann::json::parse(result.out);
  ASSERT_EQ(plan["scaling"].size(), 8u);
  EXPECT_EQ(plan["scaling"][7]["makespan_hours"], 7.0);  // the critical path
  EXPECT_EQ(plan["agents"].size(), 8u);
}

TEST(PlanningTest, PlanTextShowsIdleTimeBoundAndScalingTable) {
  TempDir project;
  WriteTwoAgentProject(project.path(), 0.01);
  CommandResult result = RunOrchestra(project.path(), {"plan"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("agent-1 (sim): 2 workstreams, 7.0h busy, 0.0h idle"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Lower bound 7.0h: this order is optimal"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("    2*  7.0h        2.00x  7.0h         0.0%   optimal"), std::string::npos)
      << result.out;
}

TEST(PlanningTest, BadBudgetIsAUsageError) {
  TempDir project;
  WriteTwoAgentProject(project.path(), 0.01);
  CommandResult result = RunOrchestra(project.path(), {"plan", "--budget", "soon"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--budget soon is not a duration"), std::string::npos) << result.err;
}

// One scheduler, two clocks: a simulated run starts the same workstreams on
// the same agents in the same order as the plan predicted, and ends about
// when it said.
// The real binary runs what it planned, each planned workstream once. Which
// agent runs what, and when, is checked in virtual time instead
// (ExecutorPlanTest.ARunFollowsThePlanHourForHourInVirtualTime): a real
// run's wall time and its near-ties drift with the machine's load.
TEST(PlanningTest, ASimulatedRunDoesThePlanAndTheNextPlanLearnsFromIt) {
  TempDir project;
  WriteTwoAgentProject(project.path(), 0.01);
  CommandResult planned = RunOrchestra(project.path(), {"plan", "--json"});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  const nlohmann::json plan = nlohmann::json::parse(planned.out);
  std::vector<std::string> planned_ids;
  for (const nlohmann::json& agent : plan["agents"]) {
    for (const nlohmann::json& slot : agent["timeline"]) planned_ids.push_back(slot["workstream"]);
  }
  std::sort(planned_ids.begin(), planned_ids.end());

  CommandResult run = RunOrchestra(project.path(), {"run"}, 60);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string state = project / ".state/orchestration.db";
  CommandResult rows = Sqlite3(state, "SELECT workstream_id FROM attempts ORDER BY workstream_id");
  std::vector<std::string> ran;
  std::istringstream lines(rows.out);
  for (std::string line; std::getline(lines, line);) ran.push_back(line);
  EXPECT_EQ(ran, planned_ids);

  // The next plan of the whole project (--all: everything has completed, so a
  // plain `plan` has nothing left) learns from the six attempts (all at the
  // same pace, so any correction is small).
  CommandResult replanned = RunOrchestra(project.path(), {"plan", "--all", "--json"});
  ASSERT_EQ(replanned.exit_code, 0) << replanned.err;
  const nlohmann::json learned = nlohmann::json::parse(replanned.out);
  EXPECT_EQ(learned["observed_attempts"], 6);
  EXPECT_EQ(learned["observed_attempts_this_run"], 0);
  EXPECT_GT(learned["total_hours"].get<double>(), 0.0);
  EXPECT_EQ(learned["completed"].size(), 0u);
  const nlohmann::json left = nlohmann::json::parse(RunOrchestra(project.path(), {"plan", "--json"}).out);
  EXPECT_EQ(left["total_hours"], 0.0);
  EXPECT_EQ(left["completed"].size(), 6u);
}

}  // namespace
}  // namespace orchestra::testing
