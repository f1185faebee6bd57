#include "codex_agent.h"

#include <gtest/gtest.h>

#include "agent_fixtures_test.h"

namespace orchestra {
namespace {

const std::string kThread = "0199a213-81c0-7800-8aa1-bbab2a035a53";
const std::string kNoUsage = "in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0";

TEST(CodexAgentTest, TheTurnEventsDecideNotTheExitCode) {
  ExpectVerdicts(
      "codex",
      {
          // An item of type "error" is a warning; input_tokens include the cached ones.
          {"success", 0,
           "succeeded | - | in 315 out 122 cache_read 24448 cache_write 0 cost - model - turns 1 | retry - | "
           "session " + kThread},
          // A finished turn counts even when codex exits non-zero...
          {"success", 1,
           "succeeded | - | in 315 out 122 cache_read 24448 cache_write 0 cost - model - turns 1 | retry - | "
           "session " + kThread},
          // ...and a failed one even when it exits 0.
          {"server_error", 0,
           "failed | codex turn failed: exceeded retry limit, last status: 500 Internal Server Error, request id: "
           "req_456 | " + kNoUsage + " | retry - | session " + kThread},
          {"reconnected", 0,
           "succeeded | - | in 1000 out 50 cache_read 0 cache_write 0 cost - model - turns 1 | retry - | session " +
               kThread},
          {"rate_limited", 1,
           "rate_limited | codex was rate limited: exceeded retry limit, last status: 429 Too Many Requests, request "
           "id: req_123; retry after 20s | " + kNoUsage + " | retry 20 | session " + kThread},
          {"unauthorized", 1,
           "fatal | codex could not authenticate (unexpected status 401 Unauthorized: {\"error\":{\"message\":"
           "\"Incorrect API key provided: sk-test. You can find your API key at "
           "https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\",\"code\":"
           "\"invalid_api_key\"}}): check OPENAI_API_KEY (or the provider's env_key) in the agent's environment | " +
               kNoUsage + " | retry - | session " + kThread},
          {"quota", 1,
           "fatal | codex: the provider's quota is used up (Quota exceeded. Check your plan and billing details.): "
           "check the account's plan and billing | " + kNoUsage + " | retry - | session " + kThread},
          {"error_only", 1,
           "fatal | codex could not authenticate (unexpected status 403 Forbidden: model access denied): check "
           "OPENAI_API_KEY (or the provider's env_key) in the agent's environment | " + kNoUsage +
               " | retry - | session " + kThread},
          {"usage_error", 2,
           "failed | agent exit code 2 (codex printed no turn.completed or turn.failed event) | " + kNoUsage +
               " | retry - | session -"},
      });
}

TEST(CodexAgentTest, ArgvAddsTheModelBeforeThePrompt) {
  Workstream workstream;
  workstream.id = "ws-1";
  AttemptContext context;
  context.workstream = &workstream;
  context.prompt = "--help me";
  AgentType type = BuiltinAgentTypes().at("codex");
  std::vector<std::string> argv;
  std::string error;
  ASSERT_TRUE(FindAgentKind("codex")->BuildArgv(type, context, &argv, &error)) << error;
  EXPECT_EQ(argv, (std::vector<std::string>{"codex", "exec", "--json", "--sandbox", "workspace-write",
                                            "--skip-git-repo-check", "--", "--help me"}));
  type.model = "gpt-5-codex";
  argv.clear();
  ASSERT_TRUE(FindAgentKind("codex")->BuildArgv(type, context, &argv, &error)) << error;
  EXPECT_EQ(argv, (std::vector<std::string>{"codex", "exec", "--json", "--sandbox", "workspace-write",
                                            "--skip-git-repo-check", "--model", "gpt-5-codex", "--", "--help me"}));
}

TEST(CodexAgentTest, OwnsOnlyTheModel) {
  const AgentKind* kind = FindAgentKind("codex");
  EXPECT_TRUE(kind->OwnsKey("model"));
  EXPECT_FALSE(kind->OwnsKey("max_turns"));
  EXPECT_FALSE(kind->OwnsKey("allowed_tools"));
  EXPECT_FALSE(kind->resumes());
  EXPECT_EQ(kind->DefaultStallTimeout(), 600);
}

// Found by fuzz/agent_output_fuzz: a cached count of INT64_MIN made
// `input - cached` overflow (undefined behaviour). Counts outside
// [0, a trillion] read as none.
TEST(CodexAgentTest, ACountThatIsNoCountReadsAsNone) {
  ProcessResult exited;
  exited.exit_code = 0;
  const AgentVerdict verdict = FindAgentKind("codex")->Interpret(
      exited,
      "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":0,"
      "\"cached_input_tokens\":-9223372036854775808,\"output_tokens\":1e300}}\n");
  EXPECT_TRUE(verdict.succeeded());
  EXPECT_EQ(verdict.usage.input_tokens, 0);
  EXPECT_EQ(verdict.usage.cache_read_tokens, 0);
  EXPECT_EQ(verdict.usage.output_tokens, 0);
  EXPECT_EQ(verdict.usage.turns, 1);
}

}  // namespace
}  // namespace orchestra
