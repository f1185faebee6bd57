#include "claude_agent.h"

#include <gtest/gtest.h>

#include "agent_fixtures_test.h"

namespace orchestra {
namespace {

const std::string kSession = "5f1c2e9a-3b7d-4c1e-9a8f-2d6b0c4e7a11";

TEST(ClaudeAgentTest, ReadsTheResultObjectBeforeTheExitCode) {
  const std::string no_usage = "in 0 out 0 cache_read 0 cache_write 0 cost 0 model - turns 1";
  ExpectVerdicts(
      "claude",
      {
          {"success", 0,
           "succeeded | - | in 120 out 85 cache_read 15000 cache_write 2000 cost 0.0123 "
           "model claude-sonnet-4-5-20250929 turns 2 | retry - | session " + kSession},
          {"json_success", 0,
           "succeeded | - | in 10 out 20 cache_read 0 cache_write 0 cost 0.5 model - turns 3 | retry - | session " +
               kSession},
          {"rate_limited", 1,
           "rate_limited | claude was rate limited: API Error: Request rejected (429) · Rate limited. Please retry "
           "after 30 seconds. (HTTP 429) | " + no_usage + " | retry 30 | session " + kSession},
          {"overloaded", 1,
           "rate_limited | claude was rate limited: API Error: Repeated 529 Overloaded errors (HTTP 529) | " +
               no_usage + " | retry - | session " + kSession},
          {"unauthorized", 1,
           "fatal | claude could not authenticate (Invalid API key · Fix external API key): check ANTHROPIC_API_KEY "
           "(or ANTHROPIC_AUTH_TOKEN) in the agent's environment and the account's credit | " + no_usage +
               " | retry - | session " + kSession},
          {"server_error", 1,
           "failed | claude reported an error: API Error: 500 "
           "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}} (HTTP 500) | " +
               no_usage + " | retry - | session " + kSession},
          {"max_turns", 1,
           "failed | claude stopped: max_turns was reached before the work was done | in 400 out 700 cache_read 9000 "
           "cache_write 100 cost 0.31 model - turns 4 | retry - | session " + kSession},
          // A denied tool ends is_error false with exit 0: the denial is the only sign.
          {"permission_denied", 0,
           "failed | claude was denied permission to use Bash: allow it with allowed_tools or a --permission-mode in "
           "the type's argv | in 50 out 30 cache_read 0 cache_write 0 cost 0.02 model - turns 2 | retry - | "
           "session " + kSession},
          {"truncated", 1,
           "failed | agent exit code 1 (claude printed no result object) | in 0 out 0 cache_read 0 cache_write 0 "
           "cost - model - turns 0 | retry - | session -"},
          {"resume_not_found", 1,
           "failed | claude could not resume the conversation (No conversation found with session ID: " + kSession +
               "): a fresh start is needed | in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0 | retry - | "
               "session -"},
          {"no_prompt", 1,
           "failed | agent exit code 1 (claude printed no result object) | in 0 out 0 cache_read 0 cache_write 0 "
           "cost - model - turns 0 | retry - | session -"},
      });
}

TEST(ClaudeAgentTest, ATimeoutWithoutResultSaysSo) {
  ProcessResult result;
  result.term_signal = 15;
  result.timed_out = true;
  result.timeout_seconds = 60;
  const AgentVerdict verdict = FindAgentKind("claude")->Interpret(result, AgentFixture("claude", "truncated"));
  EXPECT_EQ(verdict.outcome, AgentOutcome::kFailed);
  EXPECT_EQ(verdict.reason, "agent " + result.Describe() + " (claude printed no result object)");
}

TEST(ClaudeAgentTest, ResumesAndStreams) {
  const AgentKind* kind = FindAgentKind("claude");
  EXPECT_TRUE(kind->resumes());
  EXPECT_EQ(kind->DefaultStallTimeout(), 600);
  for (const char* key : {"model", "max_turns", "allowed_tools"}) EXPECT_TRUE(kind->OwnsKey(key)) << key;
  EXPECT_FALSE(kind->OwnsKey("time_scale"));
}

/// An attempt of workstream ws-1 whose prompt starts with '-'.
class ClaudeArgvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    workstream_.id = "ws-1";
    context_.workstream = &workstream_;
    context_.prompt = "-v: do it";
    context_.prompt_file = "/p/prompt.md";
  }
  std::vector<std::string> Argv(const AgentType& type) {
    std::vector<std::string> argv;
    std::string error;
    EXPECT_TRUE(FindAgentKind("claude")->BuildArgv(type, context_, &argv, &error)) << error;
    return argv;
  }
  Workstream workstream_;
  AttemptContext context_;
};

TEST_F(ClaudeArgvTest, DefaultArgvKeepsThePromptOneValueAfterTheOptions) {
  EXPECT_EQ(Argv(BuiltinAgentTypes().at("claude")),
            (std::vector<std::string>{"claude", "-p", "--output-format", "stream-json", "--verbose",
                                      "--permission-mode", "acceptEdits", "--", "-v: do it"}));
}

TEST_F(ClaudeArgvTest, TypeSettingsAndResumeGoBeforeThePrompt) {
  AgentType type = BuiltinAgentTypes().at("claude");
  type.model = "opus";
  type.max_turns = 7;
  type.allowed_tools = {"Read", "Bash(git diff:*)"};
  context_.resume_session = kSession;
  EXPECT_EQ(Argv(type), (std::vector<std::string>{"claude", "-p", "--output-format", "stream-json", "--verbose",
                                                  "--permission-mode", "acceptEdits", "--model", "opus",
                                                  "--max-turns", "7", "--allowedTools", "Read,Bash(git diff:*)",
                                                  "--resume", kSession, "--", "-v: do it"}));
}

TEST_F(ClaudeArgvTest, AnArgvWithoutDoubleDashGetsTheOptionsAppended) {
  AgentType type{.name = "mine", .kind = "claude", .argv = {"claude", "-p", "{prompt}"}};
  type.max_turns = 3;
  EXPECT_EQ(Argv(type), (std::vector<std::string>{"claude", "-p", "-v: do it", "--max-turns", "3"}));
}

}  // namespace
}  // namespace orchestra

namespace orchestra {
namespace {

TEST(ClaudeEnvironmentTest, RetriesAreLeftToOrchestraUnlessTheTypeSaysOtherwise) {
  Workstream workstream;
  workstream.id = "ws-1";
  AttemptContext context;
  context.workstream = &workstream;
  context.prompt = "do it";
  context.workdir = "/w";
  AgentType type = BuiltinAgentTypes().at("claude");
  ProcessSpec spec;
  std::string error;
  ASSERT_TRUE(BuildAgentProcess(type, context, &spec, &error)) << error;
  auto has = [&](const std::string& entry) {
    return std::find(spec.env.begin(), spec.env.end(), entry) != spec.env.end();
  };
  EXPECT_TRUE(has("CLAUDE_CODE_MAX_RETRIES=2"));
  EXPECT_TRUE(has("DISABLE_AUTOUPDATER=1"));
  type.env["CLAUDE_CODE_MAX_RETRIES"] = "9";
  ASSERT_TRUE(BuildAgentProcess(type, context, &spec, &error)) << error;
  EXPECT_TRUE(has("CLAUDE_CODE_MAX_RETRIES=9"));
  EXPECT_FALSE(has("CLAUDE_CODE_MAX_RETRIES=2"));
}

}  // namespace
}  // namespace orchestra
