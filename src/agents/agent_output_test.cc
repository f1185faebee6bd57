#include "agent_output.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(AgentOutputTest, AgentTextDropsOrchestrasLines) {
  EXPECT_EQ(AgentText("orchestra: started\nhello\n  orchestra: not ours\norchestra: done"),
            "hello\n  orchestra: not ours\n");
}

TEST(AgentOutputTest, FindsObjectsAmongGarbage) {
  const std::vector<nlohmann::json> objects = JsonObjectsIn(
      "Error: \"unbalanced quote\n"
      "{\"a\": 1, \"s\": \"} { \\\" }\"} trailing {not json}\n"
      "{\n  \"b\": {\n    \"c\": [1, 2]\n  }\n}\n"
      "{\"truncated\": {\"x\": \"y\n"
      "{\"d\": true}");
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0], nlohmann::json::parse(R"({"a": 1, "s": "} { \" }"})"));
  EXPECT_EQ(objects[1], nlohmann::json::parse(R"({"b": {"c": [1, 2]}})"));
  EXPECT_EQ(objects[2], nlohmann::json::parse(R"({"d": true})"));
  EXPECT_TRUE(JsonObjectsIn("").empty());
  EXPECT_TRUE(JsonObjectsIn("}}{{\"\\").empty());
}

TEST(AgentOutputTest, JsonFieldsOfTheWrongTypeReadAsEmpty) {
  const nlohmann::json object = nlohmann::json::parse(R"({"n": 3, "f": 2.6, "s": "42", "t": "x", "o": {}})");
  EXPECT_EQ(JsonInteger(object, "n"), 3);
  EXPECT_EQ(JsonInteger(object, "f"), 3);
  EXPECT_EQ(JsonInteger(object, "s"), 42);
  EXPECT_EQ(JsonInteger(object, "t"), 0);
  EXPECT_EQ(JsonInteger(object, "missing"), 0);
  EXPECT_EQ(JsonString(object, "t"), "x");
  EXPECT_EQ(JsonString(object, "n"), "");
  EXPECT_EQ(JsonString(nlohmann::json::array(), "t"), "");
}

TEST(AgentOutputTest, StatusCodesStandAlone) {
  EXPECT_TRUE(MentionsStatus("last status: 429 Too Many Requests", 429));
  EXPECT_TRUE(MentionsStatus("429", 429));
  EXPECT_FALSE(MentionsStatus("request 14290", 429));
  EXPECT_FALSE(MentionsStatus("4291", 429));
  EXPECT_TRUE(ContainsNoCase("Rate LIMIT reached", "rate limit"));
  EXPECT_FALSE(ContainsNoCase("rate", "rate limit"));
}

TEST(AgentOutputTest, RetryAfterInTheWaysProvidersWriteIt) {
  EXPECT_EQ(RetryAfterSeconds("Please retry after 30 seconds."), 30);
  EXPECT_EQ(RetryAfterSeconds("Retry-After: 12"), 12);
  EXPECT_EQ(RetryAfterSeconds("Please try again in 2.5s."), 2.5);
  EXPECT_EQ(RetryAfterSeconds("Please retry in 41.2s."), 41.2);
  EXPECT_EQ(RetryAfterSeconds("\"retryDelay\": \"41s\""), 41);
  EXPECT_EQ(RetryAfterSeconds("try again in 1m30s"), 90);
  EXPECT_EQ(RetryAfterSeconds("try again in 1.5 minutes"), 90);
  EXPECT_EQ(RetryAfterSeconds("retry after 500ms"), 0.5);
  EXPECT_EQ(RetryAfterSeconds("rate limited, retry later"), std::nullopt);
  EXPECT_EQ(RetryAfterSeconds(""), std::nullopt);
}

TEST(AgentOutputTest, TokenCounts) {
  EXPECT_EQ(ParseTokenCount("345"), 345);
  EXPECT_EQ(ParseTokenCount("1.2k"), 1200);
  EXPECT_EQ(ParseTokenCount("15k"), 15000);
  EXPECT_EQ(ParseTokenCount("1.5M"), 1500000);
  EXPECT_EQ(ParseTokenCount("12,345"), 12345);
  EXPECT_EQ(ParseTokenCount("k"), std::nullopt);
  EXPECT_EQ(ParseTokenCount(""), std::nullopt);
  EXPECT_EQ(ParseTokenCount("1000000000000"), 1000000000000);
  EXPECT_EQ(ParseTokenCount("1000000000001"), std::nullopt);
  EXPECT_EQ(ParseTokenCount("44444444444444444444444"), std::nullopt);
  EXPECT_EQ(ParseTokenCount("9" + std::string(400, '9')), std::nullopt);  // strtod: inf
}

TEST(AgentOutputTest, ExcerptIsOneShortLine) {
  EXPECT_EQ(Excerpt("  a\n\tb  c \n"), "a b c");
  EXPECT_EQ(Excerpt("abcdef", 3), "abc...");
  EXPECT_EQ(Excerpt("a\xC2\xB7" "b", 2), "a...");  // "a·b": the cut does not split the '·'
  EXPECT_EQ(Excerpt("a\xC2\xB7" "b"), "a\xC2\xB7" "b");
  EXPECT_EQ(Excerpt("a\xFF\xC2 b"), "a?? b");
}

}  // namespace
}  // namespace orchestra
