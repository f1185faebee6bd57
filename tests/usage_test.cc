// Integration tests of what agents cost: a real `orchestra run` whose command
// agents report usage through result lines, then `status` (table, JSON, one
// workstream), the execution report and `plan`'s cost estimate.
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_harness.h"

namespace orchestra::testing {
namespace {

/// A chain ws-a -> ws-b -> ws-c -> ws-d, so attempts run in that order. On the
/// `priced` type, ws-a (1h) and ws-b (2h, max_cost_usd 1.0) report usage with
/// a cost and ws-c (1h) reports nothing; ws-d (1h, max_cost_usd 1.5) runs on
/// the `doomed` type, whose agent reports a fatal error. budget_usd is 5.
void WritePricedProject(const std::string& dir) {
  WriteFile(dir + "/workstreams/a.json", R"({"id": "ws-a", "tasks": ["do"], "estimate_hours": 1, "agent": "priced"})");
  WriteFile(dir + "/workstreams/b.json",
            R"({"id": "ws-b", "tasks": ["do"], "estimate_hours": 2, "depends_on": ["ws-a"], "agent": "priced",
                "max_cost_usd": 1.0})");
  WriteFile(dir + "/workstreams/c.json",
            R"({"id": "ws-c", "tasks": ["do"], "estimate_hours": 1, "depends_on": ["ws-b"], "agent": "priced"})");
  WriteFile(dir + "/workstreams/d.json",
            R"({"id": "ws-d", "tasks": ["do"], "estimate_hours": 1, "depends_on": ["ws-c"], "agent": "doomed",
                "max_cost_usd": 1.5})");
  WriteFile(
      dir + "/agent.sh",
      "#!/bin/sh\n"
      "case \"$1\" in\n"
      "  ws-a) echo 'orchestra-result: {\"outcome\": \"succeeded\", \"session_id\": \"s-a\", \"usage\": "
      "{\"input_tokens\": 1200, \"output_tokens\": 300, \"cost_usd\": 0.42, \"model\": \"m\"}}' ;;\n"
      "  ws-b) echo 'orchestra-result: {\"outcome\": \"succeeded\", \"usage\": {\"input_tokens\": 2400, "
      "\"output_tokens\": 600, \"cache_read_tokens\": 100, \"cost_usd\": 0.84, \"model\": \"m\", \"turns\": 2}}' ;;\n"
      "  ws-d) echo 'orchestra-result: {\"outcome\": \"fatal\", \"reason\": \"invalid API key\"}' ;;\n"
      "esac\n",
      true);
  WriteFile(dir + "/orchestra.toml",
            "[defaults]\nbackoff = \"0s\"\nmax_attempts = 2\nbudget_usd = 5\n\n"
            "[agent_types.priced]\nkind = \"command\"\nargv = [\"./agent.sh\", \"{id}\"]\n\n"
            "[agent_types.doomed]\nkind = \"command\"\nargv = [\"./agent.sh\", \"{id}\"]\n\n"
            "[[agents]]\nid = \"agent-1\"\ntype = \"priced\"\n\n"
            "[[agents]]\nid = \"agent-2\"\ntype = \"doomed\"\n");
}

/// `text` with durations (and the spaces that align them) and timestamps,
/// which vary from run to run, as " Ts" and "T".
std::string WithoutTimes(const std::string& text) {
  const std::string durations = std::regex_replace(text, std::regex(R"( +\d+(\.\d+)?s\b)"), " Ts");
  return std::regex_replace(durations, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"), "T");
}

/// The Markdown section of `report` that starts with `heading`, up to the next "## ".
std::string Section(const std::string& report, const std::string& heading) {
  const size_t start = report.find(heading);
  if (start == std::string::npos) return "";
  const size_t end = report.find("\n## ", start + heading.size());
  return report.substr(start, end == std::string::npos ? std::string::npos : end + 1 - start);
}

/// The last line of `text` (without its newline).
std::string LastLine(const std::string& text) {
  const size_t end = text.size() && text.back() == '\n' ? text.size() - 1 : text.size();
  const size_t start = text.rfind('\n', end == 0 ? 0 : end - 1);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1));
}

class AgentCostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WritePricedProject(project_.path());
    const CommandResult run = RunOrchestra(project_.path(), {"run"});
    ASSERT_EQ(run.exit_code, 1) << run.out << run.err;  // ws-d failed
  }
  TempDir project_;
};

TEST_F(AgentCostTest, StatusShowsCostColumnTotalsAndBudget) {
  const CommandResult status = RunOrchestra(project_.path(), {"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(WithoutTimes(status.out),
            "WORKSTREAM  STATUS     AGENT       ATTEMPT  DURATION   COST  TRACK  REASON\n"
            "ws-a        completed  agent-1           1 Ts  $0.42  -\n"
            "ws-b        completed  agent-1           1 Ts  $0.84  -\n"
            "ws-c        completed  agent-1           1 Ts      -  -\n"
            "ws-d        failed     agent-2           1 Ts      -  -      invalid API key\n"
            "\n"
            "4 workstreams: 3 completed, 1 failed\n"
            "cost $1.26; tokens 3600 in, 900 out, 100 cache read, 0 cache write; budget $1.26 of $5.00\n"
            "run 1 failed (started T, ended T)\n");
}

TEST_F(AgentCostTest, StatusJsonHasCostAndTokensPerWorkstreamAndInAll) {
  const CommandResult status = RunOrchestra(project_.path(), {"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const nlohmann::json json = nlohmann::json::parse(status.out);
  EXPECT_EQ(json["usage"], nlohmann::json::parse(R"({"cost_usd": 1.26,
      "tokens": {"input": 3600, "output": 900, "cache_read": 100, "cache_write": 0}})"));
  EXPECT_EQ(json["budget_usd"], 5.0);
  ASSERT_EQ(json["workstreams"].size(), 4u);
  auto cost_and_tokens = [&](size_t row) {
    return nlohmann::json{{"id", json["workstreams"][row]["id"]},
                          {"cost_usd", json["workstreams"][row]["cost_usd"]},
                          {"tokens", json["workstreams"][row]["tokens"]}};
  };
  EXPECT_EQ(cost_and_tokens(0), nlohmann::json::parse(R"({"id": "ws-a", "cost_usd": 0.42,
      "tokens": {"input": 1200, "output": 300, "cache_read": 0, "cache_write": 0}})"));
  EXPECT_EQ(cost_and_tokens(1), nlohmann::json::parse(R"({"id": "ws-b", "cost_usd": 0.84,
      "tokens": {"input": 2400, "output": 600, "cache_read": 100, "cache_write": 0}})"));
  EXPECT_EQ(cost_and_tokens(2), nlohmann::json::parse(R"({"id": "ws-c", "cost_usd": null,
      "tokens": {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}})"));
}

TEST_F(AgentCostTest, StatusOfOneWorkstreamGivesEachAttemptsUsage) {
  const CommandResult status = RunOrchestra(project_.path(), {"status", "ws-a", "ws-b", "ws-d"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(WithoutTimes(status.out),
            "ws-a: completed\n"
            "  depends on: -\n"
            "  blocks:     ws-b (completed)\n"
            "  attempts:   1\n"
            "    #1 on agent-1: succeeded, exit 0, Ts\n"
            "       usage:  $0.42, 1200 in, 300 out, 0 cache read, 0 cache write (type priced, model m, session s-a)\n"
            "       log:    logs/workstreams/ws-a/attempt-1.log\n"
            "       prompt: logs/workstreams/ws-a/attempt-1.prompt.md\n"
            "\n"
            "ws-b: completed\n"
            "  depends on: ws-a (completed)\n"
            "  blocks:     ws-c (completed)\n"
            "  attempts:   1\n"
            "    #1 on agent-1: succeeded, exit 0, Ts\n"
            "       usage:  $0.84, 2400 in, 600 out, 100 cache read, 0 cache write (type priced, model m, 2 turns)\n"
            "       log:    logs/workstreams/ws-b/attempt-1.log\n"
            "       prompt: logs/workstreams/ws-b/attempt-1.prompt.md\n"
            "\n"
            "ws-d: failed\n"
            "  reason:     invalid API key\n"
            "  depends on: ws-c (completed)\n"
            "  blocks:     -\n"
            "  attempts:   1\n"
            "    #1 on agent-2: fatal, exit 0, Ts\n"
            "       reason: invalid API key\n"
            "       log:    logs/workstreams/ws-d/attempt-1.log\n"
            "       prompt: logs/workstreams/ws-d/attempt-1.prompt.md\n");

  const CommandResult json_status = RunOrchestra(project_.path(), {"status", "ws-a", "--json"});
  ASSERT_EQ(json_status.exit_code, 0) << json_status.err;
  nlohmann::json json = nlohmann::json::parse(json_status.out);
  ASSERT_EQ(json.size(), 1u);
  ASSERT_EQ(json[0]["attempts"].size(), 1u);
  nlohmann::json attempt = json[0]["attempts"][0];
  for (const char* varying : {"duration_seconds", "log", "prompt"}) attempt.erase(varying);
  EXPECT_EQ(attempt, nlohmann::json::parse(R"({"attempt": 1, "agent": "agent-1", "outcome": "succeeded",
      "exit_code": 0, "signal": null, "reason": "", "agent_type": "priced",
      "tokens": {"input": 1200, "output": 300, "cache_read": 0, "cache_write": 0}, "cost_usd": 0.42,
      "model": "m", "turns": 0, "session_id": "s-a"})"));
}

TEST_F(AgentCostTest, TheReportHasEveryAttemptAndACostSection) {
  const std::string report = ReadFile(project_ / "reports/execution_report.md");
  EXPECT_EQ(WithoutTimes(Section(report, "## Attempts")),
            "## Attempts\n\n"
            "| Workstream | Attempt | Agent | Type | Outcome | Duration | Tokens | Cost |\n"
            "|---|---|---|---|---|---|---|---|\n"
            "| ws-a | 1 | agent-1 | priced | succeeded | Ts | 1200 in, 300 out, 0 cache read, 0 cache write | $0.42 |\n"
            "| ws-b | 1 | agent-1 | priced | succeeded | Ts | 2400 in, 600 out, 100 cache read, 0 cache write | "
            "$0.84 |\n"
            "| ws-c | 1 | agent-1 | priced | succeeded | Ts | - | - |\n"
            "| ws-d | 1 | agent-2 | doomed | fatal | Ts | - | - |\n"
            "\n");
  EXPECT_EQ(Section(report, "## Cost"),
            "## Cost\n\n"
            "- Total: $1.26; tokens 3600 in, 900 out, 100 cache read, 0 cache write\n"
            "- Budget: $5.00 (budget_usd)\n"
            "\n"
            "| Agent type | Attempts | Tokens | Cost |\n|---|---|---|---|\n"
            "| priced | 3 | 3600 in, 900 out, 100 cache read, 0 cache write | $1.26 |\n"
            "\n"
            "Costliest workstreams (at most 10):\n\n"
            "| Workstream | Tokens | Cost |\n|---|---|---|\n"
            "| ws-b | 2400 in, 600 out, 100 cache read, 0 cache write | $0.84 |\n"
            "| ws-a | 1200 in, 300 out, 0 cache read, 0 cache write | $0.42 |\n"
            "\n");
}

TEST_F(AgentCostTest, PlanEstimatesTheCostFromHistoryAndMaxCost) {
  // priced: ($0.42 + $0.84) / (1h + 2h) = $0.42 per estimated hour. ws-a 1h: $0.42 once, $0.84 with both
  // attempts; ws-b 2h: $0.84..$1.68, bounded by its max_cost_usd $1.00; ws-c 1h as ws-a; ws-d: doomed has
  // no history, so at most its max_cost_usd $1.50.
  const CommandResult plan = RunOrchestra(project_.path(), {"plan", "--all"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(LastLine(plan.out),
            "Estimated cost: $1.68–$4.18 (first attempt to every attempt used, at the cost per estimated hour of "
            "earlier succeeded attempts of the same agent type; bounded by max_cost_usd)");

  const CommandResult json_plan = RunOrchestra(project_.path(), {"plan", "--all", "--json"});
  ASSERT_EQ(json_plan.exit_code, 0) << json_plan.err;
  const nlohmann::json cost = nlohmann::json::parse(json_plan.out)["cost"];
  EXPECT_NEAR(cost["low_usd"].get<double>(), 1.68, 1e-9);
  EXPECT_NEAR(cost["high_usd"].get<double>(), 4.18, 1e-9);
  EXPECT_NEAR(cost["rates"]["priced"]["usd_per_estimated_hour"].get<double>(), 0.42, 1e-9);
  nlohmann::json rest = cost;
  rest.erase("low_usd");
  rest.erase("high_usd");
  rest["rates"]["priced"].erase("usd_per_estimated_hour");
  EXPECT_EQ(rest, nlohmann::json::parse(R"({"workstreams_from_history": 3, "workstreams_capped": 1,
      "workstreams_max_cost_only": 1, "workstreams_unknown": 0,
      "rates": {"priced": {"succeeded_attempts": 2}}})"));
}

TEST(AgentCostPlanTest, BeforeAnyRunOnlyMaxCostIsKnownAndWithoutItNothingIsSaid) {
  TempDir project;
  WritePricedProject(project.path());
  const CommandResult plan = RunOrchestra(project.path(), {"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(LastLine(plan.out),
            "Estimated cost: at most $2.50 (max_cost_usd); 2 workstream(s) with neither history nor max_cost_usd "
            "left out");
  const nlohmann::json json = nlohmann::json::parse(RunOrchestra(project.path(), {"plan", "--json"}).out);
  EXPECT_EQ(json["cost"], nlohmann::json::parse(R"({"low_usd": 0.0, "high_usd": 2.5,
      "workstreams_from_history": 0, "workstreams_capped": 0, "workstreams_max_cost_only": 2,
      "workstreams_unknown": 2, "rates": {}})"));

  // Without max_cost_usd nor history the plan says nothing about cost.
  WriteFile(project / "workstreams/b.json", R"({"id": "ws-b", "tasks": ["do"], "depends_on": ["ws-a"]})");
  WriteFile(project / "workstreams/d.json", R"({"id": "ws-d", "tasks": ["do"], "depends_on": ["ws-c"]})");
  const CommandResult silent = RunOrchestra(project.path(), {"plan"});
  ASSERT_EQ(silent.exit_code, 0) << silent.err;
  EXPECT_EQ(silent.out.find("cost"), std::string::npos) << silent.out;
  EXPECT_TRUE(nlohmann::json::parse(RunOrchestra(project.path(), {"plan", "--json"}).out)["cost"].is_null());
}

TEST(AgentCostPlanTest, ABadMaxCostIsAnErrorNamingTheFileAndField) {
  TempDir project;
  WritePricedProject(project.path());
  WriteFile(project / "workstreams/d.json", R"({"id": "ws-d", "max_cost_usd": "$1", "depends_on": ["ws-c"]})");
  const CommandResult plan = RunOrchestra(project.path(), {"plan"});
  EXPECT_EQ(plan.exit_code, 2);
  EXPECT_EQ(plan.err,
            "workstreams/d.json:1:16: error: 'max_cost_usd' must be a positive number of US dollars, not \"$1\" "
            "(hint: write e.g. 2.5 for at most $2.50 over all its attempts)\n"
            "orchestra: 1 error(s), 0 warning(s); nothing was run\n");
}

}  // namespace
}  // namespace orchestra::testing
