// `orchestra doctor` on real folders, with a PATH holding only fake agent CLIs
// written by the test and git: what it finds, what it never prints (key
// values), and its exit code.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

#include "cli_harness.h"
#include "fake_clis.h"
#include "state_lock.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

/// The line of `out` about check `name` ("" when none): the checks are
/// printed `STATUS   NAME   DETAIL`, the name from column 10.
std::string LineOf(const std::string& out, const std::string& name) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > 9 && line.compare(9, name.size() + 1, name + " ") == 0) return line;
  }
  return "";
}

class DoctorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_.AddCli("claude", "1.0.99 (Claude Code)");
    path_.AddCli("codex", "codex-cli 0.9.0");
  }

  FakeCliPath path_;
  TempDir project_;
};

TEST_F(DoctorTest, FindsTheFakeClisAndKeysWithoutPrintingTheirValues) {
  const std::string secret = "sk-ant-test-Do-Not-Print-42";
  const CommandResult result = path_.Run(project_.path(), {"doctor"}, {"ANTHROPIC_API_KEY=" + secret});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, "claude"), "ok       claude             1.0.99 (Claude Code)");
  EXPECT_EQ(LineOf(result.out, "codex"), "ok       codex              codex-cli 0.9.0");
  EXPECT_EQ(LineOf(result.out, "gemini"),
            "missing  gemini             not on PATH; fix: install it: `npm install -g @google/gemini-cli`");
  EXPECT_EQ(LineOf(result.out, "ANTHROPIC_API_KEY"), "ok       ANTHROPIC_API_KEY  set (27 characters)");
  EXPECT_EQ(LineOf(result.out, "OPENAI_API_KEY"),
            "missing  OPENAI_API_KEY     not set; fix: export OPENAI_API_KEY=... for codex, or sign in with "
            "`codex login`");
  EXPECT_EQ(result.out.find(secret), std::string::npos);
  EXPECT_EQ(result.err.find(secret), std::string::npos);
  EXPECT_EQ(result.err, "");
}

TEST_F(DoctorTest, KeysUnsetAreMissingButNeverRequired) {
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, "ANTHROPIC_API_KEY"),
            "missing  ANTHROPIC_API_KEY  not set; fix: export ANTHROPIC_API_KEY=... for claude, or sign in with "
            "`claude`");
}

TEST_F(DoctorTest, NonGitFolderRunsInPlace) {
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, "repository"),
            "missing  repository         not a git repository: workstreams run in place, without worktree "
            "isolation; fix: `git init && git add -A && git commit -m start` for worktree isolation");
  EXPECT_EQ(LineOf(result.out, "state database"),
            "ok       state database     .state/orchestration.db not created yet (the first run creates it)");
  EXPECT_EQ(LineOf(result.out, "state lock"), "ok       state lock         free (no run in progress)");
}

TEST_F(DoctorTest, AConfiguredCliThatIsMissingFailsWithExitOne) {
  project_.Write("orchestra.toml", R"([agent_types.gemini]
kind = "command"
argv = ["gemini", "-p", "{prompt}"]

[[agents]]
id = "agent-1"
type = "gemini"
)");
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, "gemini"),
            "missing  gemini             not on PATH, and orchestra.toml runs it; fix: install it: "
            "`npm install -g @google/gemini-cli`");
  EXPECT_NE(result.out.find("\n1 problem(s) stop the configured agents: gemini\n"), std::string::npos) << result.out;

  path_.AddCli("gemini", "0.1.5");
  const CommandResult fixed = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_EQ(LineOf(fixed.out, "gemini"), "ok       gemini             0.1.5");
}

TEST_F(DoctorTest, ACliWhoseVersionFailsIsAProblem) {
  WriteFile(path_.bin() + "/aider", "#!/bin/sh\necho 'aider: broken install' >&2\nexit 3\n", true);
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;  // no agent runs aider
  EXPECT_EQ(LineOf(result.out, "aider"),
            "problem  aider              `aider --version` failed: exit code 3 (aider: broken install); fix: "
            "reinstall it: `python3 -m pip install aider-install && aider-install`");
}

TEST_F(DoctorTest, UnwritableStateFolderFails) {
  fs::create_directories(project_ / ".state");
  chmod((project_ / ".state").c_str(), 0555);
  if (access((project_ / ".state").c_str(), W_OK) == 0) {
    chmod((project_ / ".state").c_str(), 0755);
    GTEST_SKIP() << "running as root: a folder without write permission is writable anyway";
  }
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  chmod((project_ / ".state").c_str(), 0755);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, "state folder"),
            "problem  state folder       .state is not writable; fix: make it writable (`chmod u+w`), or point "
            "[paths] state or --state elsewhere");
}

TEST_F(DoctorTest, ADamagedDatabaseFails) {
  project_.Write(".state/orchestration.db", std::string(4096, 'x'));
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, "state database"),
            "problem  state database     .state/orchestration.db: file is not a database; fix: move it aside "
            "(its progress is lost) so the next run starts a new one");
}

TEST_F(DoctorTest, AGoodDatabasePassesQuickCheck) {
  project_.Write("workstreams/a.json", R"({"id": "a"})");
  const CommandResult run = path_.Run(project_.path(), {"--agents", "1", "run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, "state database"),
            "ok       state database     .state/orchestration.db opens and passes PRAGMA quick_check");
}

TEST_F(DoctorTest, JsonSaysTheSameWithoutKeyValues) {
  const std::string secret = "gemini-secret-value";
  project_.Write("orchestra.toml", "[[agents]]\nid = \"a\"\ntype = \"aider\"\n");
  const CommandResult result = path_.Run(project_.path(), {"doctor", "--json"}, {"GEMINI_API_KEY=" + secret});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(result.out.find(secret), std::string::npos);
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["ok"], false);
  std::map<std::string, nlohmann::json> by_name;
  for (const nlohmann::json& check : json["checks"]) by_name[check["name"]] = check;
  EXPECT_EQ(by_name["aider"]["status"], "missing");
  EXPECT_EQ(by_name["aider"]["required"], true);
  EXPECT_EQ(by_name["claude"]["status"], "ok");
  EXPECT_EQ(by_name["claude"]["detail"], "1.0.99 (Claude Code)");
  EXPECT_EQ(by_name["claude"]["required"], false);
  EXPECT_EQ(by_name["GEMINI_API_KEY"]["detail"], "set (19 characters)");
}

TEST_F(DoctorTest, ARepositoryWithACommitAllowsWorktrees) {
  ASSERT_EQ(RunCommand(project_.path(), {"git", "init", "-q"}).exit_code, 0);
  project_.Write("README", "x\n");
  ASSERT_EQ(RunCommand(project_.path(), {"git", "add", "README"}).exit_code, 0);
  ASSERT_EQ(RunCommand(project_.path(), {"git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"})
                .exit_code,
            0);
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, "repository"),
            "ok       repository         top level of a git repository: worktree isolation");
}

TEST_F(DoctorTest, SaysWhoHoldsTheStateLock) {
  fs::create_directories(project_ / ".state");
  StateLock lock;
  long holder = 0;
  std::string error;
  ASSERT_TRUE(lock.Acquire(project_ / ".state/orchestration.db", &holder, &error)) << error;
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, "state lock"),
            "ok       state lock         held by a running orchestrator (pid " + std::to_string(getpid()) + ")");
}

TEST_F(DoctorTest, AConfiguredCommandProgramMustBeExecutable) {
  project_.Write("tools/agent.sh", "#!/bin/sh\n");  // not executable
  project_.Write("orchestra.toml", R"([agent_types.script]
kind = "command"
argv = ["./tools/agent.sh", "{id}"]

[[agents]]
id = "agent-1"
type = "script"
)");
  const std::string program = project_ / "tools/agent.sh";
  const CommandResult result = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(LineOf(result.out, program),
            "problem  " + program +
                " not executable; fix: fix argv[0] of the agent type or route in orchestra.toml, or `chmod +x` it");
  fs::permissions(program, fs::perms::owner_exec, fs::perm_options::add);
  const CommandResult fixed = path_.Run(project_.path(), {"doctor"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_EQ(LineOf(fixed.out, program), "ok       " + program + " executable (an agent type's argv[0])");
}

}  // namespace
}  // namespace orchestra::testing
