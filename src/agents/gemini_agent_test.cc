#include "gemini_agent.h"

#include <gtest/gtest.h>

#include "agent_fixtures_test.h"

namespace orchestra {
namespace {

const std::string kSession = "c1a0f3d2-6b5e-4f7a-8c9d-0e1f2a3b4c5d";
const std::string kNoUsage = "in 0 out 0 cache_read 0 cache_write 0 cost - model - turns 0";
const std::string kAuthHint =
    "check GEMINI_API_KEY in the agent's environment and that ~/.gemini/settings.json selects "
    "{\"security\": {\"auth\": {\"selectedType\": \"gemini-api-key\"}}}";

TEST(GeminiAgentTest, ReadsTheResultOrTheErrorObject) {
  ExpectVerdicts(
      "gemini",
      {
          // Tokens summed over the models; the model is the one that used the most.
          {"success", 0,
           "succeeded | - | in 1200 out 310 cache_read 4200 cache_write 0 cost - model gemini-2.5-pro turns 0 | "
           "retry - | session " + kSession},
          // The error JSON comes last, after a stack trace holding another error object.
          {"unauthorized", 145,
           "fatal | gemini could not authenticate ([API Error: API key not valid. Please pass a valid API key.]): " +
               kAuthHint + " | " + kNoUsage + " | retry - | session " + kSession},
          {"rate_limited", 173,
           "rate_limited | gemini was rate limited: [API Error: You exceeded your current quota, please check your "
           "plan and billing details. Please retry in 41.2s.] | " + kNoUsage + " | retry 41.2 | session " + kSession},
          {"server_error", 244,
           "failed | gemini reported an error: [API Error: Internal error encountered.] (HTTP 500) | " + kNoUsage +
               " | retry - | session " + kSession},
          {"turn_limit", 53,
           "failed | gemini stopped at its turn limit (Reached max session turns for this session. Increase the "
           "number of turns by specifying maxSessionTurns in settings.json.) | " + kNoUsage + " | retry - | session " +
               kSession},
          {"auth_method", 41,
           "fatal | gemini could not authenticate (agent exit code 41, no JSON result printed): " + kAuthHint + " | " +
               kNoUsage + " | retry - | session -"},
          {"untrusted_folder", 55,
           "fatal | gemini does not trust the working folder (agent exit code 55, no JSON result printed): set "
           "GEMINI_CLI_TRUST_WORKSPACE=true in the type's env or trust the folder | " + kNoUsage +
               " | retry - | session -"},
          {"truncated", 1, "failed | agent exit code 1, no JSON result printed | " + kNoUsage + " | retry - | session -"},
          {"truncated", 42,
           "fatal | gemini refused its input or configuration (agent exit code 42, no JSON result printed): check the "
           "type's argv and ~/.gemini/settings.json | " + kNoUsage + " | retry - | session -"},
      });
}

TEST(GeminiAgentTest, ArgvKeepsThePromptTheOptionsValue) {
  Workstream workstream;
  workstream.id = "ws-1";
  AttemptContext context;
  context.workstream = &workstream;
  context.prompt = "-y: yes";
  AgentType type = BuiltinAgentTypes().at("gemini");
  type.model = "gemini-2.5-pro";
  std::vector<std::string> argv;
  std::string error;
  ASSERT_TRUE(FindAgentKind("gemini")->BuildArgv(type, context, &argv, &error)) << error;
  EXPECT_EQ(argv, (std::vector<std::string>{"gemini", "--prompt=-y: yes", "--output-format", "json",
                                            "--approval-mode", "yolo", "--model", "gemini-2.5-pro"}));
  EXPECT_EQ(FindAgentKind("gemini")->DefaultStallTimeout(), 0);
  EXPECT_FALSE(FindAgentKind("gemini")->OwnsKey("max_turns"));
}

}  // namespace
}  // namespace orchestra
