#include "clean_workstreams.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "diagnostic.h"
#include "loader.h"
#include "property_rounds.h"
#include "shared_fixture.h"
#include "test_paths.h"

namespace orchestra {
namespace {

// Every field of a loaded workstream, as text: what both paths must agree on.
std::string Describe(const Workstream& workstream) {
  std::ostringstream out;
  auto list = [&](const char* name, const std::vector<std::string>& values) {
    out << name << "=[";
    for (const std::string& value : values) out << nlohmann::json(value).dump() << ",";
    out << "] ";
  };
  out << "id=" << nlohmann::json(workstream.id).dump() << " file=" << workstream.file << " at "
      << workstream.line << ":" << workstream.column << " title=" << nlohmann::json(workstream.title).dump()
      << " prompt=" << nlohmann::json(workstream.prompt).dump() << " track=" << workstream.track
      << " agent=" << workstream.agent_type << " tool=" << workstream.tool << " ";
  list("tasks", workstream.tasks);
  list("files_scope", workstream.files_scope);
  list("files_create", workstream.files_create);
  list("acceptance_tests", workstream.acceptance_tests);
  list("depends_on", workstream.depends_on);
  out << "estimate=" << (workstream.estimate_hours ? std::to_string(*workstream.estimate_hours) : "-")
      << " source=" << static_cast<int>(workstream.estimate_source)
      << " timeout=" << (workstream.timeout_seconds ? std::to_string(*workstream.timeout_seconds) : "-")
      << " max_attempts=" << (workstream.max_attempts ? std::to_string(*workstream.max_attempts) : "-")
      << " max_cost=" << (workstream.max_cost_usd ? std::to_string(*workstream.max_cost_usd) : "-")
      << " priority=" << workstream.priority << " allow_empty=" << workstream.allow_empty
      << " raw=" << workstream.Raw().dump();
  return out.str();
}

std::string DescribeAll(const std::vector<Workstream>& workstreams) {
  std::string text;
  for (const Workstream& workstream : workstreams) text += Describe(workstream) + "\n";
  return text;
}

// The fast path's promise: when it takes a file, the reporting path reports
// nothing about it and loads the same workstreams. Returns whether it took it.
bool CheckAgainstReportingPath(const std::string& text) {
  std::vector<Workstream> fast;
  const bool clean = ParseCleanWorkstreams("ws.json", text, &fast);
  std::vector<Workstream> reported;
  Diagnostics diagnostics;
  std::vector<std::string> warned_fields;
  const bool loaded = ParseWorkstreamFileReporting("ws.json", text, &reported, &diagnostics, &warned_fields);
  if (!clean) {
    EXPECT_TRUE(fast.empty());
    return false;
  }
  EXPECT_TRUE(loaded) << text;
  EXPECT_TRUE(diagnostics.items().empty()) << text << "\n" << diagnostics.Render();
  EXPECT_EQ(DescribeAll(fast), DescribeAll(reported)) << text;
  return true;
}

TEST(CleanWorkstreamsTest, TakesCleanFilesAndLoadsWhatTheReportingPathLoads) {
  const std::vector<std::string> clean = {
      R"({"id": "a"})",
      "\n\n  {\"id\": \"a\", \"depends_on\": [\"b\", \"c\"], \"estimate_hours\": 1.5}\n",
      R"([{"id": "a"}, {"id": "b", "depends_on": ["a"]},
   {"id": "c", "title": "Ünïcödé \u00e9 \ud83d\ude00 \"quoted\" \\ \/ \b\f\n\r\t \u0000 end"}])",
      R"({"id": "all", "title": "t", "prompt": "p", "track": "k", "agent": "claude", "tool": "codex",
          "tasks": ["one", "two"], "files_scope": ["src/a.cc", "./-odd"], "files_create": [],
          "acceptance_tests": ["make test"], "depends_on": [], "allow_empty": true,
          "estimate_hours": 2, "timeout": "1h30m", "max_attempts": 3, "max_cost_usd": 2.5,
          "priority": "high", "openspec_change": {"x": [1, 2, {"y": null}]}, "ccpm_issue": 12,
          "gate": false, "capability": "c", "capability_payload": [], "parallel_ok": true,
          "conflict_group": "g", "kind": "k", "estimated_context_tokens": 1e4,
          "compensation_actions": [[]], "test_gates": {},
          "circuit_breaker": {"max_attempts": 9, "other": [1]},
          "metadata": {"estimated_hours": "3", "priority": "low", "risk": {"a": -0.5e-3}}})",
      R"({"id": "m", "metadata": {"estimated_hours": "10-14", "priority": "P0-CRITICAL"}})",
      R"({"id": "m", "metadata": {"estimated_hours": "soon", "estimated_effort_hours": 6}})",
      R"({"id": "m", "metadata": {"estimated_hours": [1], "priority": {"p": 1}}, "priority": -4})",
      R"({"id": "m", "metadata": {"priority": 7.5}, "circuit_breaker": {"max_attempts": 4}})",
      R"({"id": "m", "max_attempts": 2, "circuit_breaker": {"max_attempts": 4}, "timeout": 90})",
      R"({"id": "m", "timeout": 0.5, "priority": -0, "estimate_hours": 1E2})",
      "{\"id\": \"tab\",\t\"title\": \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
  };
  for (const std::string& text : clean) EXPECT_TRUE(CheckAgainstReportingPath(text)) << text;
}

TEST(CleanWorkstreamsTest, LeavesEveryFileWithSomethingToReportToTheReportingPath) {
  const std::vector<std::string> reported = {
      "",
      "[]",
      "42",
      R"([1])",
      R"({})",
      R"({"title": "no id"})",
      R"({"id": ""})",
      R"({"id": "a b"})",
      R"({"id": 7})",
      R"({"id": "a", "id": "b"})",
      R"({"id": "a", "doc_id": "unknown field"})",
      R"({"i\u0064": "a"})",
      R"({"id": "a", "depends_on": ["b", "b"]})",
      R"({"id": "a", "depends_on": "b"})",
      R"({"id": "a", "files_scope": ["-rf"]})",
      R"({"id": "a", "tasks": [1]})",
      R"({"id": "a", "metadata": []})",
      R"({"id": "a", "metadata": {"priority": 1, "priority": 2}})",
      R"({"id": "a", "circuit_breaker": {"max_attempts": 0}})",
      R"({"id": "a", "max_attempts": 1.0})",
      R"({"id": "a", "estimate_hours": 0})",
      R"({"id": "a", "estimate_hours": "2"})",
      R"({"id": "a", "timeout": "soon"})",
      R"({"id": "a", "priority": "urgent"})",
      R"({"id": "a", "priority": 3000000000})",
      R"({"id": "a", "allow_empty": 1})",
      R"({"id": "a", "max_cost_usd": -1})",
      R"({"id": "a", "gate": 1e999})",
      R"({"id": "a", "gate": 123456789012345678901234567890})",
      R"({"id": "a", "gate": 01})",
      R"({"id": "a", "gate": "\ud800"})",
      R"({"id": "a", "gate": "\x"})",
      "{\"id\": \"a\", \"gate\": \"\xc0\xaf\"}",
      "{\"id\": \"a\", \"gate\": \"line\nbreak\"}",
      "\xEF\xBB\xBF{\"id\": \"bom\"}",
      R"({"id": "a",})",
      R"({"id": "a"} // comment)",
      R"({"id": "a"} {"id": "b"})",
      R"([{"id": "a"},])",
      std::string("{\"id\": \"a\"}\0", 12),
      std::string(600, '[') + std::string(600, ']'),
  };
  for (const std::string& text : reported) EXPECT_FALSE(CheckAgainstReportingPath(text)) << text;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> FixtureTexts() {
  std::vector<std::string> texts;
  std::vector<std::string> dirs = {std::string(ORCHESTRA_TEST_FIXTURES_DIR) + "/workstreams"};
  const std::string upstream = testing::SharedFixture("upstream-workstreams");
  if (!upstream.empty()) dirs.push_back(upstream);
  for (const std::string& dir : dirs) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") texts.push_back(ReadText(entry.path()));
    }
  }
  return texts;
}

TEST(CleanWorkstreamsTest, AgreesWithTheReportingPathOnEveryFixture) {
  int taken = 0;
  for (const std::string& text : FixtureTexts()) taken += CheckAgainstReportingPath(text);
  EXPECT_GT(taken, 0);
}

// Random damage to valid files (bytes changed, dropped, repeated): whatever
// the fast path takes must be what the reporting path loads without a word.
TEST(CleanWorkstreamsTest, AgreesWithTheReportingPathOnDamagedFiles) {
  std::vector<std::string> seeds = FixtureTexts();
  seeds.push_back(R"([{"id": "a", "depends_on": [], "estimate_hours": 1, "metadata": {"priority": "low"}},
    {"id": "b", "depends_on": ["a"], "timeout": "45m", "circuit_breaker": {"max_attempts": 2}}])");
  const std::string alphabet = "{}[]\",:\\/ \n\t0123456789.eE+-truefalsnidu\x80\xc3\xa9\xed\xa0\xf4";
  std::mt19937 random(11);
  int taken = 0;
  for (int round = 0; round < testing::PropertyRounds(20000); ++round) {
    std::string text = seeds[random() % seeds.size()];
    if (text.empty()) continue;
    for (int edits = 1 + static_cast<int>(random() % 3); edits > 0; --edits) {
      const size_t at = random() % text.size();
      switch (random() % 3) {
        case 0: text[at] = alphabet[random() % alphabet.size()]; break;
        case 1: text.erase(at, 1 + random() % 3); break;
        default: text.insert(at, 1, alphabet[random() % alphabet.size()]); break;
      }
      if (text.empty()) break;
    }
    taken += CheckAgainstReportingPath(text);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(taken, 0);
}

// An array of `count` objects of varied shape: objects over several lines,
// strings holding brackets, commas and multibyte characters (columns count
// code points), CRLF line ends in places.
std::string LargeArray(int count) {
  std::string text = "[\n";
  for (int index = 0; index < count; ++index) {
    const std::string id = "n" + std::to_string(index);
    switch (index % 4) {
      case 0: text += "  {\"id\": \"" + id + "\"}"; break;
      case 1:
        text += "  {\r\n    \"id\": \"" + id + "\",\r\n    \"title\": \"{[,]} caf\xc3\xa9 \\\"x\\\" \xf0\x9f\x98\x80\"\r\n  }";
        break;
      case 2:
        text += "{\"id\": \"" + id + "\", \"depends_on\": [\"n" + std::to_string(index - 1) +
                "\"], \"metadata\": {\"note\": \"}{\", \"estimated_hours\": \"2-3\"}}";
        break;
      default: text += "\t{ \"title\" : \"\xc3\xa9\xc3\xa9\" , \"id\":\"" + id + "\", \"tasks\": [\"a\", \"]\"] }"; break;
    }
    text += index + 1 < count ? ",\n" : "\n";
  }
  return text + "]\n";
}

// A large array is read in two parts at once (the second on a thread): the
// parts together load what the reporting path loads, positions included.
TEST(CleanWorkstreamsTest, ALargeArrayReadInTwoPartsLoadsWhatTheReportingPathLoads) {
  for (int count : {2047, 2048, 5001}) {
    const std::string text = LargeArray(count);
    EXPECT_TRUE(CheckAgainstReportingPath(text)) << count;
    std::vector<Workstream> fast;
    ASSERT_TRUE(ParseCleanWorkstreams("ws.json", text, &fast));
    ASSERT_EQ(fast.size(), static_cast<size_t>(count));
    EXPECT_EQ(fast.back().id, "n" + std::to_string(count - 1));
  }
}

// Damage anywhere in a large array, the place where it is split included:
// whatever the two parts take must be what the reporting path loads.
TEST(CleanWorkstreamsTest, ALargeArrayDamagedAnywhereAgreesWithTheReportingPath) {
  const std::string seed = LargeArray(2500);
  const size_t middle = seed.size() / 2;
  const std::string alphabet = "{}[]\",:\\ \n0123456789xid";
  std::mt19937 random(5);
  int taken = 0;
  const int rounds = testing::PropertyRounds(120);
  for (int round = 0; round < rounds; ++round) {
    std::string text = seed;
    // Half of the damage lands within 200 bytes of the middle, where the
    // scan puts the split.
    const size_t at = round % 2 == 0 ? middle - 100 + random() % 200 : random() % text.size();
    switch (random() % 3) {
      case 0: text[at] = alphabet[random() % alphabet.size()]; break;
      case 1: text.erase(at, 1 + random() % 3); break;
      default: text.insert(at, 1, alphabet[random() % alphabet.size()]); break;
    }
    taken += CheckAgainstReportingPath(text);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(taken, 0);
  EXPECT_LT(taken, rounds);
}

}  // namespace
}  // namespace orchestra
