#include "aider_agent.h"

#include <gtest/gtest.h>

#include "agent_fixtures_test.h"

namespace orchestra {
namespace {

const std::string kNoUsage = "in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0";

// aider exits 0 after fatal API errors: its output decides.
TEST(AiderAgentTest, ErrorsAfterTheLastAnswerDecide) {
  ExpectVerdicts(
      "aider",
      {
          // Tokens summed over the two answers, "sent" without its cache writes; the cost is the session's.
          {"success", 0,
           "succeeded | - | in 4000 out 465 cache_read 18200 cache_write 1500 cost 0.03 model - turns 2 | retry - | "
           "session -"},
          {"unauthorized", 0,
           "fatal | aider could not authenticate (litellm.AuthenticationError: AnthropicException - "
           "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}): "
           "check the provider's API key (ANTHROPIC_API_KEY, OPENAI_API_KEY...) in the type's environment | " +
               kNoUsage + " | retry - | session -"},
          {"rate_limited", 0,
           "rate_limited | aider was rate limited: litellm.RateLimitError: RateLimitError: OpenAIException - Rate "
           "limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29500, Requested 3000. Please try "
           "again in 6s. | " + kNoUsage + " | retry 6 | session -"},
          // aider retried and the answer came: the error before it is history.
          {"rate_limit_recovered", 0,
           "succeeded | - | in 1000 out 50 cache_read 0 cache_write 0 cost 0.0035 model - turns 1 | retry - | "
           "session -"},
          {"insufficient_quota", 0,
           "fatal | aider: the provider's quota is used up (litellm.RateLimitError: RateLimitError: OpenAIException - "
           "You exceeded your current quota, please check your plan and billing details. For more information on "
           "this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors. {'error': "
           "{'code': 'insufficient_quota'}}): check the account's plan and billing | " + kNoUsage +
               " | retry - | session -"},
          {"server_error", 0,
           "failed | aider failed: litellm.InternalServerError: AnthropicException - Internal server error | " +
               kNoUsage + " | retry - | session -"},
          {"model_not_found", 0,
           "fatal | aider's model was not found (litellm.NotFoundError: AnthropicException - "
           "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: claude-nope\"}}): check "
           "the type's model | " + kNoUsage + " | retry - | session -"},
          // k and M suffixes and thousands separators; the last session cost stays when a line has none.
          {"big_session", 0,
           "succeeded | - | in 1515000 out 13545 cache_read 0 cache_write 0 cost 1.25 model - turns 2 | retry - | "
           "session -"},
          {"bad_argument", 2, "failed | agent exit code 2 | " + kNoUsage + " | retry - | session -"},
      });
}

// Found by fuzz/agent_output_fuzz: a count of 23 digits overflowed int64
// (llround, then `sent - cache_write`): undefined behaviour. It reads as none.
TEST(AiderAgentTest, ACountTooLargeForAnyModelIsIgnored) {
  const Usage usage = AiderUsage("Tokens: 44444444444444444444444 cache write\n"
                                 "Tokens: 2.5k sent, 1,000 cache write, 99999999999999999999 received.\n");
  EXPECT_EQ(usage.input_tokens, 1500);
  EXPECT_EQ(usage.cache_write_tokens, 1000);
  EXPECT_EQ(usage.output_tokens, 0);
  EXPECT_EQ(usage.turns, 2);
  ProcessResult exited;
  exited.exit_code = 2;
  const AgentVerdict verdict =
      FindAgentKind("aider")->Interpret(exited, "Tokens: 44444444444444444444444 cache write");
  EXPECT_EQ(verdict.reason, "agent exit code 2");
  EXPECT_EQ(verdict.usage.cache_write_tokens, 0);
}

/// An attempt of workstream ws-1 whose files could read as options.
class AiderArgvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    workstream_.id = "ws-1";
    workstream_.files_scope = {"a.py", "./-x", "--"};
    context_.workstream = &workstream_;
    context_.prompt = "-v: verbose";
    context_.prompt_file = "/p/prompt.md";
  }
  std::vector<std::string> Argv(const AgentType& type) {
    std::vector<std::string> argv;
    std::string error;
    EXPECT_TRUE(FindAgentKind("aider")->BuildArgv(type, context_, &argv, &error)) << error;
    return argv;
  }
  Workstream workstream_;
  AttemptContext context_;
};

TEST_F(AiderArgvTest, TheFilesComeAfterTheOptionsEnd) {
  EXPECT_EQ(Argv(BuiltinAgentTypes().at("aider")),
            (std::vector<std::string>{"aider", "--message-file", "/p/prompt.md", "--yes-always", "--no-auto-commits",
                                      "--no-stream", "--no-pretty", "--", "a.py", "./-x", "--"}));
}

TEST_F(AiderArgvTest, TheModelGoesBeforeTheOptionsEnd) {
  AgentType type = BuiltinAgentTypes().at("aider");
  type.model = "sonnet";
  EXPECT_EQ(Argv(type), (std::vector<std::string>{"aider", "--message-file", "/p/prompt.md", "--yes-always",
                                                  "--no-auto-commits", "--no-stream", "--no-pretty", "--model",
                                                  "sonnet", "--", "a.py", "./-x", "--"}));
  EXPECT_EQ(FindAgentKind("aider")->DefaultStallTimeout(), 0);
  EXPECT_FALSE(FindAgentKind("aider")->OwnsKey("allowed_tools"));
}

}  // namespace
}  // namespace orchestra
