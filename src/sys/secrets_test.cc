#include "secrets.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace orchestra {
namespace {

TEST(SecretsTest, NamesThatHoldSecrets) {
  for (const char* name : {"ANTHROPIC_API_KEY", "openai_api_key", "GITHUB_TOKEN", "Client_Secret",
                           "DB_PASSWORD", "PASSWORD", "mypassword_file", "AWS_SECRET_ACCESS_PASSWORD"}) {
    EXPECT_TRUE(IsSecretName(name)) << name;
  }
  for (const char* name : {"PATH", "HOME", "KEY", "_KEY", "KEYBOARD", "TOKENS", "SECRETARY", "MONKEY",
                           "SSH_AUTH_SOCK"}) {
    EXPECT_FALSE(IsSecretName(name)) << name;
  }
}

TEST(SecretsTest, CollectsLongEnoughValuesOfSecretOrListedNamesLongestFirst) {
  const std::vector<std::string> environment = {
      "PATH=/usr/local/bin:/usr/bin",  // not secret by name
      "ANTHROPIC_API_KEY=sk-ant-0123456789",
      "GITHUB_TOKEN=ghp_abcdefgh",
      "SHORT_TOKEN=1234567",  // 7 characters: ignored
      "EMPTY_KEY=",
      "MY_VAR=listed-value",
      "OTHER_KEY=sk-ant-0123456789",  // the same value once
      "NO_EQUALS_KEY",
  };
  // Equal lengths go by value.
  EXPECT_EQ(CollectSecrets(environment, {"MY_VAR"}),
            (std::vector<std::string>{"sk-ant-0123456789", "ghp_abcdefgh", "listed-value"}));
  EXPECT_EQ(CollectSecrets(environment, {}), (std::vector<std::string>{"sk-ant-0123456789", "ghp_abcdefgh"}));
}

TEST(SecretsTest, SecretsOfReadsOurEnvironmentAndTheAgentsTable) {
  setenv("ORCHESTRA_SECRETS_TEST_TOKEN", "from-our-environment", 1);
  const std::vector<std::string> secrets =
      SecretsOf({{"AGENT_API_KEY", "from-the-agent-table"}, {"PLAIN", "not-a-secret-value"}}, {});
  unsetenv("ORCHESTRA_SECRETS_TEST_TOKEN");
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "from-our-environment"), secrets.end());
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "from-the-agent-table"), secrets.end());
  EXPECT_EQ(std::find(secrets.begin(), secrets.end(), "not-a-secret-value"), secrets.end());
}

TEST(SecretsTest, RedactReplacesEveryOccurrence) {
  const std::vector<std::string> secrets = {"sk-secret-1", "hunter2hunter2"};
  EXPECT_EQ(Redact("key=sk-secret-1 pw=hunter2hunter2 again sk-secret-1sk-secret-1.", secrets),
            "key=[redacted] pw=[redacted] again [redacted][redacted].");
  EXPECT_EQ(Redact("nothing to hide", secrets), "nothing to hide");
  EXPECT_EQ(Redact("sk-secret-", secrets), "sk-secret-");  // a prefix alone stays
  EXPECT_EQ(Redact("anything", {}), "anything");
}

TEST(SecretsTest, RedactPrefersTheLongerOfTwoSecretsStartingTogether) {
  EXPECT_EQ(Redact("x abcdefgh-longer y", {"abcdefgh", "abcdefgh-longer"}), "x [redacted] y");
}

TEST(SecretsTest, RedactorFindsASecretSplitAcrossPieces) {
  Redactor redactor({"sk-0123456789"});
  std::string out;
  redactor.Feed("token: sk-01", &out);
  EXPECT_EQ(out, "token: ");  // "sk-01" may be the start of the secret
  EXPECT_EQ(redactor.held(), 5u);
  redactor.Feed("2345", &out);
  redactor.Feed("6789 done, sk-", &out);
  EXPECT_EQ(out, "token: [redacted] done, ");
  redactor.Feed("not it", &out);
  EXPECT_EQ(out, "token: [redacted] done, sk-not it");
  redactor.Feed(" and s", &out);
  redactor.Flush(&out);
  EXPECT_EQ(out, "token: [redacted] done, sk-not it and s");
  EXPECT_EQ(redactor.held(), 0u);
}

TEST(SecretsTest, RedactorMatchesByteByBytePiecesLikeOneString) {
  const std::vector<std::string> secrets = {"aab-secret", "ab-secret-2", "secret-3x"};
  const std::string text = "aaab-secret ab-secret-2 aab-secret-3x secret-3 secret-3xx aab-secre";
  Redactor redactor(secrets);
  std::string out;
  for (char letter : text) redactor.Feed(std::string_view(&letter, 1), &out);
  redactor.Flush(&out);
  EXPECT_EQ(out, Redact(text, secrets));
  EXPECT_EQ(out, "a[redacted] [redacted] [redacted]-3x secret-3 [redacted]x aab-secre");
}

}  // namespace
}  // namespace orchestra
