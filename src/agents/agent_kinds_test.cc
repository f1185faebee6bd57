#include "agent_kind.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "agent_fixtures_test.h"
#include "argv_template.h"
#include "sim_agent.h"
#include "test_paths.h"

namespace orchestra {
namespace {

TEST(AgentKindsTest, RegistryFindsEachKindByName) {
  EXPECT_EQ(AgentKindNames(), "command, sim, claude, codex, gemini, aider");
  for (const AgentKind* kind : AgentKinds()) EXPECT_EQ(FindAgentKind(kind->name()), kind);
  EXPECT_EQ(FindAgentKind("robot"), nullptr);
  EXPECT_TRUE(FindAgentKind("sim")->simulated());
  EXPECT_FALSE(FindAgentKind("command")->simulated());
  EXPECT_FALSE(FindAgentKind("sim")->takes_argv());
  EXPECT_TRUE(FindAgentKind("sim")->OwnsKey("time_scale"));
  EXPECT_FALSE(FindAgentKind("command")->OwnsKey("time_scale"));
}

TEST(AgentKindsTest, BuiltinTypesOnePerKind) {
  const std::map<std::string, AgentType> types = BuiltinAgentTypes();
  ASSERT_EQ(types.size(), AgentKinds().size());
  EXPECT_EQ(types.at("aider").argv,
            (std::vector<std::string>{"aider", "--message-file", "{prompt_file}", "--yes-always", "--no-auto-commits",
                                      "--no-stream", "--no-pretty", "--", "{files}"}));
  for (const char* coding : {"claude", "codex", "gemini", "aider"}) {
    EXPECT_TRUE(FindAgentKind(coding)->takes_argv()) << coding;
    EXPECT_TRUE(FindAgentKind(coding)->OwnsKey("model")) << coding;
  }
  EXPECT_TRUE(types.at("command").argv.empty());
  for (const auto& [name, type] : types) EXPECT_EQ(type.kind, name);
}

/// An attempt of workstream `ws-1` (files a.py, b.py) on agent-7.
class AgentProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    workstream_.id = "ws-1";
    workstream_.files_scope = {"a.py", "b.py"};
    context_.workstream = &workstream_;
    context_.agent_id = "agent-7";
    context_.attempt = 2;
    context_.prompt = "Do it";
    context_.prompt_file = "/p/prompt.md";
    context_.workdir = "/w";
    context_.workstream_file = "/p/ws-1.json";
    context_.log_path = "/l/attempt.log";
    context_.estimate_hours = 2;
    context_.timeout_seconds = 60;
    context_.kill_grace_seconds = 3;
  }
  Workstream workstream_;
  AttemptContext context_;
};

TEST_F(AgentProcessTest, CommandExpandsEveryPlaceholderWithoutAShell) {
  AgentType type{.name = "t", .kind = "command",
                 .argv = {"tool", "--id={id}", "{files}", "{prompt}", "{prompt_file}", "{workdir}",
                          "#{attempt}", "{agent}"},
                 .env = {{"API_MODE", "test"}}};
  ProcessSpec spec;
  std::string error;
  ASSERT_TRUE(BuildAgentProcess(type, context_, &spec, &error)) << error;
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"tool", "--id=ws-1", "a.py", "b.py", "Do it", "/p/prompt.md",
                                                 "/w", "#2", "agent-7"}));
  EXPECT_EQ(spec.env, (std::vector<std::string>{
                          "ORCHESTRA_WORKSTREAM_ID=ws-1", "ORCHESTRA_ATTEMPT=2", "ORCHESTRA_AGENT_ID=agent-7",
                          "ORCHESTRA_PROMPT_FILE=/p/prompt.md", "ORCHESTRA_WORKSTREAM_FILE=/p/ws-1.json",
                          "ORCHESTRA_WORKDIR=/w", "API_MODE=test"}));
  EXPECT_EQ(spec.cwd, "/w");
  EXPECT_EQ(spec.log_path, "/l/attempt.log");
  EXPECT_EQ(spec.timeout_seconds, 60);
  EXPECT_EQ(spec.kill_grace_seconds, 3);
}

TEST_F(AgentProcessTest, CodingAgentsGetTheirKindsArgv) {
  AgentType type = BuiltinAgentTypes().at("claude");
  type.model = "opus";
  ProcessSpec spec;
  std::string error;
  ASSERT_TRUE(BuildAgentProcess(type, context_, &spec, &error)) << error;
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"claude", "-p", "--output-format", "stream-json", "--verbose",
                                                 "--permission-mode", "acceptEdits", "--model", "opus", "--",
                                                 "Do it"}));
  EXPECT_EQ(spec.cwd, "/w");
}

TEST_F(AgentProcessTest, SimRunsThisBinaryForTheScaledEstimate) {
  AgentType type = BuiltinAgentTypes().at("sim");
  type.time_scale = 0.5;
  ProcessSpec spec;
  std::string error;
  ASSERT_TRUE(BuildAgentProcess(type, context_, &spec, &error)) << error;
  EXPECT_EQ(spec.argv, (std::vector<std::string>{SelfExecutable(), "sim-agent", "--id", "ws-1", "--seconds",
                                                 "1.000", "--exit-code", "0"}));
  type.fail_ids = {"ws-1"};
  ASSERT_TRUE(BuildAgentProcess(type, context_, &spec, &error)) << error;
  EXPECT_EQ(spec.argv.back(), "1");
  // In a worktree of its own it writes its work, as a real agent would.
  type.fail_ids.clear();
  context_.in_worktree = true;
  ASSERT_TRUE(BuildAgentProcess(type, context_, &spec, &error)) << error;
  EXPECT_EQ(spec.argv, (std::vector<std::string>{SelfExecutable(), "sim-agent", "--id", "ws-1", "--seconds",
                                                 "1.000", "--exit-code", "0", "--write", ".orchestra-sim/ws-1.md"}));
}

TEST_F(AgentProcessTest, UnknownKindAndBadPlaceholderAreErrors) {
  ProcessSpec spec;
  std::string error;
  EXPECT_FALSE(BuildAgentProcess(AgentType{.name = "t", .kind = "robot"}, context_, &spec, &error));
  EXPECT_EQ(error, "agent 'agent-7' has type 't' of unknown kind 'robot'");
  EXPECT_FALSE(BuildAgentProcess(AgentType{.name = "t", .kind = "command", .argv = {"x", "{nope}"}}, context_,
                                 &spec, &error));
  EXPECT_EQ(error, "bad placeholder in agent argument '{nope}'");
}

TEST(ArgvTemplateTest, CheckNamesEachBadElement) {
  std::vector<AgentTypeProblem> problems;
  CheckArgvTemplate(AgentType{.name = "t", .argv = {"tool", "ok {id}", "x{files}", "{open", "{bad}"}}, &problems);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].message, "agent type 't' argv element 'x{files}' has an unknown or unterminated placeholder");
  EXPECT_EQ(problems[1].message, "agent type 't' argv element '{open' has an unknown or unterminated placeholder");
  EXPECT_EQ(problems[2].message, "agent type 't' argv element '{bad}' has an unknown or unterminated placeholder");
}

TEST_F(AgentProcessTest, DoubledBracesAreLiteralBraces) {
  ProcessSpec spec;
  std::string error;
  const AgentType type{.name = "t",
                       .kind = "command",
                       .argv = {"sh", "-c", "echo '{{\"id\": \"{id}\"}}' }} {{x}}", "a}b"}};
  std::vector<AgentTypeProblem> problems;
  CheckArgvTemplate(type, &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_TRUE(BuildAgentProcess(type, context_, &spec, &error)) << error;
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"sh", "-c", "echo '{\"id\": \"ws-1\"}' } {x}", "a}b"}));
}

TEST(ArgvTemplateTest, TheProgramHoldsNoPlaceholder) {
  std::vector<AgentTypeProblem> problems;
  CheckArgvTemplate(AgentType{.name = "p", .argv = {"{prompt}"}}, &problems);
  CheckArgvTemplate(AgentType{.name = "f", .argv = {"{files}", "--yes"}}, &problems);
  CheckArgvTemplate(AgentType{.name = "ok", .argv = {"./agent.sh", "{prompt}", "--", "{files}"}}, &problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].message, "agent type 'p' has a placeholder in its program: argv[0] is '{prompt}'");
  EXPECT_EQ(problems[0].hint,
            "write the program itself first, e.g. argv = [\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"]: "
            "workstream data must not choose what runs");
  EXPECT_EQ(problems[1].message, "agent type 'f' has a placeholder in its program: argv[0] is '{files}'");
  EXPECT_EQ(problems[1].hint,
            "write the program itself first, e.g. argv = [\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"]: "
            "workstream data must not choose what runs, and with an empty files_scope {files} leaves no program");
}

TEST(AgentKindsTest, DefaultInterpretationIsTheExitCode) {
  ProcessResult result;
  result.exit_code = 0;
  EXPECT_TRUE(FindAgentKind("command")->Interpret(result, "").succeeded());
  result.exit_code = 4;
  const AgentVerdict verdict = FindAgentKind("command")->Interpret(result, "");
  EXPECT_FALSE(verdict.succeeded());
  EXPECT_EQ(verdict.reason, "agent exit code 4");
}

// Agents get killed mid-line and interleave stdout with stderr: every prefix
// of every recorded output (also those recorded later) must read without
// throwing, and a truncated result must never read as a success the
// process's exit code denies.
TEST(AgentKindsTest, EveryPrefixOfEveryRecordedOutputReads) {
  const std::filesystem::path root = std::filesystem::path(ORCHESTRA_TEST_FIXTURES_DIR) / "agents";
  int fixtures = 0;
  for (const auto& folder : std::filesystem::directory_iterator(root)) {
    if (!folder.is_directory()) continue;  // README.md
    const AgentKind* kind = FindAgentKind(folder.path().filename().string());
    ASSERT_NE(kind, nullptr) << folder.path() << " is not named after a kind";
    for (const auto& file : std::filesystem::directory_iterator(folder.path())) {
      ++fixtures;
      const std::string output = AgentFixture(kind->name(), file.path().stem().string());
      for (size_t length = 0; length <= output.size(); length += 3) {
        const std::string_view prefix = std::string_view(output).substr(0, length);
        EXPECT_NO_THROW(kind->Interpret(ExitedWith(0), prefix));
        AgentVerdict killed;
        ProcessResult result;
        result.term_signal = 9;
        EXPECT_NO_THROW(killed = kind->Interpret(result, prefix));
        if (killed.succeeded()) {
          EXPECT_EQ(kind->Interpret(result, output).outcome, AgentOutcome::kSucceeded) << file.path() << " at " << length;
        }
      }
    }
  }
  EXPECT_GE(fixtures, 30);
}


// The real CLIs' output, recorded against the test model server
// (tests/fixtures/agents/README.md): each case is classified as it must be.
TEST(AgentKindsTest, RecordedOutputOfTheRealClisIsClassified) {
  ExpectVerdicts("claude", {
                            {"recorded_write", 0,
                             "succeeded | - | in 2200 out 70 cache_read 400 cache_write 0 cost 0.01295 model claude-opus-4-8[1m] turns 2 | retry - | session 07fc2985-87ad-43b2-9828-41e2c74a50d0"},
                            {"recorded_rate_limit", 1,
                             "rate_limited | claude was rate limited: API Error: Request rejected (429) · Rate limit reached: retry later. (HTTP 429) | in 0 out 0 cache_read 0 cache_write 0 cost 0 model - turns 1 | retry - | session 2e766af3-d4f7-4f86-aed6-ff65d6d8da16"},
                            {"recorded_unauthorized", 1,
                             "fatal | claude could not authenticate (Invalid API key · Fix external API key): check ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in the agent's environment and the account's credit | in 0 out 0 cache_read 0 cache_write 0 cost 0 model - turns 1 | retry - | session db512b39-7fcb-491f-8588-07d37ca03ef9"},
                            {"recorded_server_error", 1,
                             "failed | claude reported an error: API Error: 500 Internal server error. This is a server-side issue, usually temporary — try again in a moment. If it persists, check your inference gateway (127.0.0.1:32995). (HTTP 500) | in 0 out 0 cache_read 0 cache_write 0 cost 0 model - turns 1 | retry - | session a094f4c7-a396-49c1-9863-97a119dce036"},
                        });
  ExpectVerdicts("codex", {
                            {"recorded_write", 0,
                             "succeeded | - | in 1800 out 70 cache_read 400 cache_write 0 cost - model - turns 1 | retry - | session 01a2329b-693e-73d3-afce-6626cc440a2a"},
                            {"recorded_rate_limit", 1,
                             "rate_limited | codex was rate limited: exceeded retry limit, last status: 429 Too Many Requests | in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0 | retry - | session 01a2329b-6d74-7d70-a5ea-200cd07eb945"},
                            {"recorded_unauthorized", 1,
                             "fatal | codex could not authenticate (unexpected status 401 Unauthorized: invalid x-api-key, url: http://127.0.0.1:38861/v1/responses): check OPENAI_API_KEY (or the provider's env_key) in the agent's environment | in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0 | retry - | session 01a2329b-70c2-7be1-9dba-9170c0a4922e"},
                            {"recorded_server_error", 1,
                             "failed | codex turn failed: We’re currently experiencing high demand, which may cause temporary errors. | in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0 | retry - | session 01a2329b-7440-7442-824b-32361a30c2e7"},
                        });
  ExpectVerdicts("gemini", {
                            {"recorded_write", 0,
                             "succeeded | - | in 1800 out 70 cache_read 400 cache_write 0 cost - model gemini-test turns 0 | retry - | session 229f6142-effe-44ee-bb9c-0c2dcb222874"},
                            {"recorded_rate_limit", 173,
                             "rate_limited | gemini was rate limited: Rate limit reached: retry later. Suggested retry after 7s. | in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0 | retry 7 | session 2861eed4-59ef-49a7-8581-7a1281a1eb23"},
                            {"recorded_unauthorized", 145,
                             "fatal | gemini could not authenticate ({\"error\":{\"code\":401,\"message\":\"invalid x-api-key\",\"status\":\"UNAUTHENTICATED\"}}): check GEMINI_API_KEY in the agent's environment and that ~/.gemini/settings.json selects {\"security\": {\"auth\": {\"selectedType\": \"gemini-api-key\"}}} | in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0 | retry - | session 9b4e1615-5f08-4cd5-912a-95dff06aa109"},
                            {"recorded_server_error", 244,
                             "failed | gemini reported an error: {\"error\":{\"code\":500,\"message\":\"Internal server error\",\"status\":\"INTERNAL\"}} (HTTP 500) | in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0 | retry - | session 6a8ca4d4-d964-4699-ae19-f98539c9cd6e"},
                        });
}

}  // namespace
}  // namespace orchestra
