// Integration test of the bundled example, run from a copy so the source tree
// stays clean: it validates, plans and runs to the end on its three sim agents.
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "test_paths.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

/// Copies examples/seed-plan into `dir`.
void CopyExample(const TempDir& dir) {
  fs::copy(std::string(ORCHESTRA_SOURCE_DIR) + "/examples/seed-plan", dir.path(), fs::copy_options::recursive);
}

/// Each agent's started/ended events from execution_log, in the order recorded.
std::map<std::string, std::vector<std::string>> AgentEventSequences(const std::string& state) {
  CommandResult log = Sqlite3(state,
                              "SELECT agent_id, event_type FROM execution_log "
                              "WHERE agent_id IS NOT NULL AND agent_id != '' ORDER BY id");
  std::map<std::string, std::vector<std::string>> sequences;
  std::istringstream in(log.out);
  for (std::string line; std::getline(in, line);) {
    const size_t bar = line.find('|');
    if (bar != std::string::npos) sequences[line.substr(0, bar)].push_back(line.substr(bar + 1));
  }
  return sequences;
}

TEST(ExampleTest, SeedPlanValidatesPlansAndRunsToCompletion) {
  TempDir project;
  CopyExample(project);

  CommandResult validate = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
  EXPECT_EQ(validate.err.find("error:"), std::string::npos) << validate.err;

  CommandResult plan = RunOrchestra(project.path(), {"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("Plan: 39 workstreams, 3 agents, 8 waves"), std::string::npos) << plan.out;

  CommandResult run = RunOrchestra(project.path(), {"run"}, 60);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string state = project / ".state/orchestration.db";
  EXPECT_EQ(Sqlite3(state, "SELECT COUNT(*) FROM workstream_status WHERE status = 'completed'").out, "39\n");
  EXPECT_EQ(Sqlite3(state, "SELECT COUNT(*) FROM attempts").out, "39\n");
  EXPECT_TRUE(fs::exists(project / "reports/execution_report.md"));
  // Tracked work ran on its track's agent (orchestra.toml binds agent-1..3).
  EXPECT_EQ(Sqlite3(state,
                    "SELECT COUNT(*) FROM workstream_status WHERE "
                    "(track = 'pipeline_plus' AND agent_id != 'agent-1') OR "
                    "(track = 'core_refactor' AND agent_id != 'agent-2') OR "
                    "(track = 'error_engine' AND agent_id != 'agent-3')")
                .out,
            "0\n");
  EXPECT_EQ(Sqlite3(state, "SELECT COUNT(*) FROM workstream_status WHERE track != ''").out, "22\n");

  // An agent runs one workstream at a time: its starts and completions alternate.
  const std::map<std::string, std::vector<std::string>> sequences = AgentEventSequences(state);
  EXPECT_EQ(sequences.size(), 3u);
  for (const auto& [agent, events] : sequences) {
    ASSERT_EQ(events.size() % 2, 0u) << agent;
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i], i % 2 == 0 ? "started" : "completed") << agent << " event " << i;
    }
  }
}

}  // namespace
}  // namespace orchestra::testing
