// `orchestra init` on real folders, with a PATH holding only fake agent CLIs:
// the config it writes for what it finds, the example workstream, that
// `validate` and `plan` then succeed, and that it never overwrites a file.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_harness.h"
#include "fake_clis.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

class InitTest : public ::testing::Test {
 protected:
  /// `validate` and `plan` succeed in the project as init left it.
  void ExpectUsable() {
    const CommandResult validate = path_.Run(project_.path(), {"validate"});
    EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
    EXPECT_EQ(validate.err, "");
    const CommandResult plan = path_.Run(project_.path(), {"plan"});
    EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
    EXPECT_EQ(plan.err, "");
  }

  FakeCliPath path_;
  TempDir project_;
};

TEST_F(InitTest, WritesAgentsForTheClisFound) {
  path_.AddCli("claude", "1.0.99 (Claude Code)");
  path_.AddCli("codex", "codex-cli 0.9.0");
  const CommandResult result = path_.Run(project_.path(), {"init"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out,
            "Wrote orchestra.toml (agents: claude, codex)\n"
            "Wrote workstreams/example-hello.json (an example workstream)\n"
            "Next: `orchestra doctor`, `orchestra validate`, `orchestra plan`, then `orchestra run`\n");
  const std::string config = ReadFile(project_ / "orchestra.toml");
  EXPECT_NE(config.find("[agent_types.claude]\nkind = \"claude\""), std::string::npos) << config;
  EXPECT_NE(config.find("[agent_types.codex]\nkind = \"codex\""), std::string::npos) << config;
  EXPECT_NE(config.find("[[agents]]\nid = \"codex-1\"\ntype = \"codex\"\n"), std::string::npos) << config;
  EXPECT_EQ(config.find("\ntype = \"sim\""), std::string::npos) << config;
  ExpectUsable();
  const CommandResult doctor = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(doctor.exit_code, 0) << doctor.out << doctor.err;
}

TEST_F(InitTest, UsesTheOwnKindOfACliOrchestraKnows) {
  path_.AddCli("aider", "aider 0.80.0");
  ASSERT_EQ(path_.Run(project_.path(), {"init"}).exit_code, 0);
  const std::string config = ReadFile(project_ / "orchestra.toml");
  EXPECT_NE(config.find("[agent_types.aider]\nkind = \"aider\""), std::string::npos) << config;
  ExpectUsable();
}

TEST_F(InitTest, WithoutAnyCliUsesTheSimAgentAndRuns) {
  const CommandResult result = path_.Run(project_.path(), {"init"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out.substr(0, result.out.find('\n')),
            "Wrote orchestra.toml (no agent CLI found on PATH: simulated agents)");
  const std::string config = ReadFile(project_ / "orchestra.toml");
  EXPECT_NE(config.find("# No agent CLI (claude, codex, gemini, aider) was found on PATH"), std::string::npos);
  EXPECT_NE(config.find("[[agents]]\nid = \"agent-1\"\ntype = \"sim\"\n"), std::string::npos) << config;
  ExpectUsable();
  const CommandResult run = path_.Run(project_.path(), {"run"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST_F(InitTest, NeverOverwritesAConfigWithoutForce) {
  project_.Write("orchestra.toml", "# mine\n");
  const CommandResult result = path_.Run(project_.path(), {"init"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "orchestra: orchestra.toml exists already; init writes nothing over it (--force rewrites the config, "
            "and only the config)\n");
  EXPECT_EQ(ReadFile(project_ / "orchestra.toml"), "# mine\n");
  EXPECT_FALSE(fs::exists(project_ / "workstreams"));
}

TEST_F(InitTest, ForceRewritesTheConfigOnlyAndKeepsTheWorkstreams) {
  project_.Write("orchestra.toml", "# mine\n");
  project_.Write("workstreams/mine.json", R"({"id": "mine"})");
  const CommandResult result = path_.Run(project_.path(), {"init", "--force"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out,
            "Wrote orchestra.toml (no agent CLI found on PATH: simulated agents)\n"
            "Next: `orchestra doctor`, `orchestra validate`, `orchestra plan`, then `orchestra run`\n");
  EXPECT_NE(ReadFile(project_ / "orchestra.toml"), "# mine\n");
  EXPECT_EQ(ReadFile(project_ / "workstreams/mine.json"), R"({"id": "mine"})");
  EXPECT_FALSE(fs::exists(project_ / "workstreams/example-hello.json"));
  ExpectUsable();
}

}  // namespace
}  // namespace orchestra::testing
