#include "loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "shared_fixture.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace orchestra {
namespace {

using testing::SharedFixture;
using testing::TempDir;

// Workstream files written for these tests (tests/fixtures/workstreams).
const std::string kOwnFixtures = std::string(ORCHESTRA_TEST_FIXTURES_DIR) + "/workstreams";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const Workstream* FindById(const std::vector<Workstream>& workstreams, const std::string& id) {
  auto found = std::find_if(workstreams.begin(), workstreams.end(),
                            [&id](const Workstream& workstream) { return workstream.id == id; });
  return found == workstreams.end() ? nullptr : &*found;
}

// Parses `text` as the file "ws.json" of a fresh load.
bool Parse(const std::string& text, std::vector<Workstream>* workstreams,
           Diagnostics* diagnostics) {
  std::vector<std::string> warned_fields;
  return ParseWorkstreamFile("ws.json", text, workstreams, diagnostics, &warned_fields);
}

TEST(LoaderTest, LoadsEveryUpstreamWorkstream) {
  const std::string upstream = SharedFixture("upstream-workstreams");
  if (upstream.empty()) return;  // skipped
  const std::string dir = upstream + "/valid";
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_TRUE(LoadWorkstreams(dir, &workstreams, &diagnostics)) << diagnostics.Render();
  EXPECT_EQ(diagnostics.ErrorCount(), 0) << diagnostics.Render();
  ASSERT_EQ(workstreams.size(), 37u);
  EXPECT_EQ(workstreams.front().id, "ws-01-hardcoded-path-index");  // sorted by file name
  EXPECT_EQ(workstreams.front().file, dir + "/ws-01-hardcoded-path-index.json");
  EXPECT_EQ(workstreams.front().line, 1);
  EXPECT_EQ(workstreams.front().column, 1);
  EXPECT_EQ(workstreams.front().tool, "codex");
  EXPECT_FALSE(workstreams.front().estimate_hours.has_value());
  EXPECT_EQ(workstreams.front().estimate_source, EstimateSource::kDefault);

  // ws-18, ws-19, ws-20 and ws-21 repeat dependencies: 6 repeats in all.
  EXPECT_EQ(diagnostics.WarningCount(), 6) << diagnostics.Render();
  for (const Diagnostic& warning : diagnostics.items()) {
    EXPECT_NE(warning.message.find("is listed twice in depends_on"), std::string::npos);
  }
  EXPECT_EQ(diagnostics.items()[0].Render(),
            dir +
                "/ws-18-update-infrastructure-scripts.json:74:5: warning: "
                "'ws-10-openspec-integration' is listed twice in depends_on "
                "(hint: the repeat is ignored)");
}

TEST(LoaderTest, ReadsUpstreamEstimatesPrioritiesAndRetries) {
  const std::string upstream = SharedFixture("upstream-workstreams");
  if (upstream.empty()) return;  // skipped
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  LoadWorkstreams(upstream + "/valid", &workstreams, &diagnostics);

  const Workstream* ws18 = FindById(workstreams, "ws-18-update-infrastructure-scripts");
  ASSERT_NE(ws18, nullptr);
  EXPECT_EQ(ws18->estimate_hours, 12);  // metadata.estimated_effort_hours "10-14"
  EXPECT_EQ(ws18->estimate_source, EstimateSource::kMetadataRange);
  EXPECT_EQ(ws18->max_attempts, 5);         // circuit_breaker.max_attempts
  EXPECT_EQ(ws18->depends_on.size(), 17u);  // 19 listed, 2 repeats
  EXPECT_EQ(ws18->depends_on[4], "ws-10-openspec-integration");
  EXPECT_EQ(ws18->tool, "aider");
  EXPECT_EQ(ws18->Raw()["metadata"]["risk_level"], "HIGH");

  const Workstream* ws21 = FindById(workstreams, "ws-21-ci-gate-path-standards");
  ASSERT_NE(ws21, nullptr);
  EXPECT_EQ(ws21->estimate_hours, 3.5);  // "3-4"

  const Workstream* phase_a = FindById(workstreams, "ws-uet-phase-a-quick-wins");
  ASSERT_NE(phase_a, nullptr);
  EXPECT_EQ(phase_a->estimate_hours, 18);
  EXPECT_EQ(phase_a->estimate_source, EstimateSource::kMetadataHours);
  EXPECT_EQ(phase_a->priority, 2);  // metadata.priority "HIGH"
  EXPECT_EQ(phase_a->acceptance_tests.size(), 4u);
  EXPECT_EQ(phase_a->files_create.size(), 4u);

  const Workstream* ws22 = FindById(workstreams, "ws-22-pipeline-plus-phase0-schema");
  ASSERT_NE(ws22, nullptr);
  EXPECT_EQ(ws22->priority, 3);  // metadata.priority "critical"
}

TEST(LoaderTest, LoadsAnArrayOfWorkstreams) {
  const std::string upstream = SharedFixture("upstream-workstreams");
  if (upstream.empty()) return;  // skipped
  const std::string file = upstream + "/variant-shapes/example_multi.json";
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  std::vector<std::string> warned_fields;
  EXPECT_TRUE(
      ParseWorkstreamFile(file, ReadText(file), &workstreams, &diagnostics, &warned_fields));
  EXPECT_EQ(diagnostics.items().size(), 0u) << diagnostics.Render();
  ASSERT_EQ(workstreams.size(), 3u);
  EXPECT_EQ(workstreams[0].id, "ws-core-lib");
  EXPECT_EQ(workstreams[1].id, "ws-api-layer");
  EXPECT_EQ(workstreams[2].id, "ws-cli");
  EXPECT_EQ(workstreams[2].depends_on, std::vector<std::string>{"ws-api-layer"});
  EXPECT_EQ(workstreams[1].file, file);
  EXPECT_EQ(workstreams[1].line, 11);  // each object's opening brace
  EXPECT_EQ(workstreams[1].column, 3);
}

TEST(LoaderTest, ReportsEveryMalformedUpstreamFileWithAPosition) {
  const std::string upstream = SharedFixture("upstream-workstreams");
  if (upstream.empty()) return;  // skipped
  const std::string dir = upstream + "/invalid-json";
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadWorkstreams(dir, &workstreams, &diagnostics));
  EXPECT_TRUE(workstreams.empty());
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
    const std::string file = dir + "/" + entry.path().filename().string();
    const bool reported = std::any_of(
        diagnostics.items().begin(), diagnostics.items().end(), [&file](const Diagnostic& d) {
          return d.file == file && d.severity == Severity::kError && d.line > 0 && d.column > 0;
        });
    EXPECT_TRUE(reported) << file << "\n" << diagnostics.Render();
  }
  EXPECT_EQ(files, 12);
}

TEST(LoaderTest, PointsAtCommentsThenAtTemplateBraces) {
  const std::string upstream = SharedFixture("upstream-workstreams");
  if (upstream.empty()) return;  // skipped
  // Line 1 opens with "/* DOC_ID ... */"; line 8 is `  "duration_days": {3},`.
  const std::string file = upstream + "/invalid-json/ws-abs-001-tool-adapter.json";
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  std::vector<std::string> warned_fields;
  EXPECT_FALSE(
      ParseWorkstreamFile(file, ReadText(file), &workstreams, &diagnostics, &warned_fields));
  ASSERT_EQ(diagnostics.items().size(), 2u) << diagnostics.Render();
  EXPECT_EQ(diagnostics.items()[0].Render(),
            file +
                ":1:1: error: invalid JSON: syntax error while parsing value - invalid "
                "literal; last read: '/' (hint: JSON does not allow comments; remove the "
                "/* ... */ lines)");
  const Diagnostic& braces = diagnostics.items()[1];
  EXPECT_EQ(braces.line, 8);
  EXPECT_EQ(braces.column, 21);
  EXPECT_EQ(braces.hint,
            "a value is wrapped in { } like a template placeholder; write the plain value");

  const std::string file7 = upstream + "/invalid-json/ws-abs-007-file-store.json";
  Diagnostics diagnostics7;
  ParseWorkstreamFile(file7, ReadText(file7), &workstreams, &diagnostics7, &warned_fields);
  ASSERT_EQ(diagnostics7.items().size(), 2u) << diagnostics7.Render();
  EXPECT_EQ(diagnostics7.items()[1].line, 8);
  EXPECT_EQ(diagnostics7.items()[1].column, 21);
}

// The same checks as the upstream tests above, on files of our own.

TEST(LoaderTest, LoadsOurTrackedFixturesWithTheirRepeatedDependencies) {
  const std::string dir = kOwnFixtures + "/tracked";
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_TRUE(LoadWorkstreams(dir, &workstreams, &diagnostics)) << diagnostics.Render();
  EXPECT_EQ(diagnostics.Render(),
            dir + "/ws-03-api.json:9:5: warning: 'ws-02-storage' is listed twice in depends_on "
                  "(hint: the repeat is ignored)\n" +
                dir + "/ws-11-docs.json:6:44: warning: 'ws-10-cli' is listed twice in depends_on "
                      "(hint: the repeat is ignored)\n");
  std::vector<std::string> ids;
  for (const Workstream& workstream : workstreams) ids.push_back(workstream.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"ws-01-schema", "ws-02-storage", "ws-03-api", "ws-10-cli",
                                           "ws-11-docs", "ws-12-release", "ws-test-001",
                                           "ws-test-pipeline"}));  // sorted by file name
  ASSERT_EQ(workstreams.size(), 8u);
  EXPECT_EQ(workstreams[0].file, dir + "/ws-01-schema.json");
  EXPECT_EQ(workstreams[0].line, 1);
  EXPECT_EQ(workstreams[0].column, 1);
  EXPECT_EQ(workstreams[0].estimate_hours, 2);
  EXPECT_EQ(workstreams[0].estimate_source, EstimateSource::kField);

  const Workstream* storage = FindById(workstreams, "ws-02-storage");
  ASSERT_NE(storage, nullptr);
  EXPECT_EQ(storage->estimate_hours, 4);  // metadata.estimated_effort_hours "3-5"
  EXPECT_EQ(storage->estimate_source, EstimateSource::kMetadataRange);

  const Workstream* api = FindById(workstreams, "ws-03-api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->depends_on, (std::vector<std::string>{"ws-02-storage", "ws-01-schema"}));
  EXPECT_EQ(api->priority, 2);  // "high"
  EXPECT_FALSE(api->estimate_hours.has_value());
  EXPECT_EQ(api->estimate_source, EstimateSource::kDefault);

  const Workstream* cli = FindById(workstreams, "ws-10-cli");
  ASSERT_NE(cli, nullptr);
  EXPECT_EQ(cli->max_attempts, 5);  // circuit_breaker.max_attempts
  EXPECT_EQ(cli->tool, "codex");

  const Workstream* docs = FindById(workstreams, "ws-11-docs");
  ASSERT_NE(docs, nullptr);
  EXPECT_EQ(docs->depends_on, (std::vector<std::string>{"ws-03-api", "ws-10-cli"}));
  EXPECT_EQ(docs->estimate_hours, 1.5);  // metadata.estimated_hours "1.5"
  EXPECT_EQ(docs->estimate_source, EstimateSource::kMetadataHours);
  EXPECT_EQ(docs->priority, -1);  // metadata.priority "LOW"
  EXPECT_EQ(docs->Raw()["metadata"]["priority"], "LOW");
}

TEST(LoaderTest, LoadsAnArrayFileOfOurs) {
  const std::string file = kOwnFixtures + "/array/pipeline.json";
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  std::vector<std::string> warned_fields;
  EXPECT_TRUE(
      ParseWorkstreamFile(file, ReadText(file), &workstreams, &diagnostics, &warned_fields));
  EXPECT_EQ(diagnostics.Render(), "");
  ASSERT_EQ(workstreams.size(), 3u);
  const struct {
    const char* id;
    std::vector<std::string> depends_on;
    int line;  // each object's opening brace
    int column;
  } expected[] = {
      {"ws-parse", {}, 2, 3},
      {"ws-check", {"ws-parse"}, 7, 3},
      {"ws-report", {"ws-check"}, 13, 3},
  };
  for (size_t index = 0; index < workstreams.size(); ++index) {
    EXPECT_EQ(workstreams[index].id, expected[index].id);
    EXPECT_EQ(workstreams[index].depends_on, expected[index].depends_on) << expected[index].id;
    EXPECT_EQ(workstreams[index].file, file);
    EXPECT_EQ(workstreams[index].line, expected[index].line) << expected[index].id;
    EXPECT_EQ(workstreams[index].column, expected[index].column) << expected[index].id;
  }
}

// One file per kind of mistake (tests/fixtures/workstreams/malformed), each
// reported at the line and column a reader would fix, in file-name order.
TEST(LoaderTest, ReportsEachKindOfMalformedFileAtItsPosition) {
  const std::string dir = kOwnFixtures + "/malformed";
  const std::string kValueExpected =
      "syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal "
      "(hint: check for a missing ',', quote or bracket just before this point)";
  const std::string kIdHint =
      "ids name git branches and files: use letters, digits, '.', '_' and '-', do not start with "
      "'.' or '-', and avoid '..' and a trailing '.' or '.lock'";
  const std::pair<const char*, std::string> expected[] = {
      {"array-with-a-number.json", "3:3: error: each workstream must be an object, not 42"},
      {"array-with-a-number.json",
       "4:3: error: workstream has no 'id' (hint: add \"id\": \"ws-name\"; the id names the "
       "workstream's branch, log and dependencies)"},
      {"block-comment.json",
       "1:1: error: invalid JSON: syntax error while parsing value - invalid literal; last read: "
       "'/' (hint: JSON does not allow comments; remove the /* ... */ lines)"},
      // Past the comment, the next mistake: `"estimate_hours": {2},`.
      {"block-comment.json",
       "5:22: error: invalid JSON: syntax error while parsing object key - unexpected number "
       "literal; expected string literal (hint: a value is wrapped in { } like a template "
       "placeholder; write the plain value)"},
      {"empty.json", "1:1: error: invalid JSON: " + kValueExpected},
      {"huge-number.json",
       "3:21: error: invalid JSON: number overflow parsing '1e999' (hint: write a smaller number)"},
      // The 'é' of Latin-1 is a lone UTF-8 lead byte: the decoder fails on the
      // space after it.
      {"latin-1.json",
       "3:17: error: invalid JSON: syntax error while parsing value - invalid string: ill-formed "
       "UTF-8 byte; last read: '\"Caf\xE9 ' (hint: save the file as UTF-8)"},
      {"line-break-in-string.json",
       "3:25: error: invalid JSON: syntax error while parsing value - invalid string: control "
       "character U+000A (LF) must be escaped to \\u000A or \\n; last read: '\"A title "
       "that<U+000A>' (hint: write line breaks and tabs inside strings as \\n and \\t)"},
      {"line-comment.json",
       "3:3: error: invalid JSON: syntax error while parsing object key - invalid literal; last "
       "read: '\"ws-line-comment\",<U+000A>  /'; expected string literal (hint: JSON does not "
       "allow comments; remove the // lines)"},
      {"missing-comma.json",
       "3:3: error: invalid JSON: syntax error while parsing object - unexpected string literal; "
       "expected '}' (hint: a ',' is missing before this value)"},
      {"not-a-workstream.json",
       "1:1: error: a workstream file must hold an object or an array of objects, not "
       "\"ws-just-a-string\""},
      {"python-literal.json",
       "3:18: error: invalid JSON: syntax error while parsing value - invalid literal; last read: "
       "'\"allow_empty\": T' (hint: check for a missing ',', quote or bracket just before this "
       "point)"},
      {"single-quotes.json",
       "3:18: error: invalid JSON: syntax error while parsing value - invalid literal; last read: "
       "'\"depends_on\": ['' (hint: JSON strings need double quotes)"},
      {"template-braces.json",
       "3:13: error: invalid JSON: syntax error while parsing object key - unexpected '['; "
       "expected string literal (hint: a value is wrapped in { } like a template placeholder; "
       "write the plain value)"},
      {"template-id.json",
       "2:3: error: 'id' must be a valid workstream id, not \"{ws-template-id}\" (hint: " +
           kIdHint + ")"},
      {"trailing-comma-array.json",
       "3:51: error: invalid JSON: syntax error while parsing value - unexpected ']'; expected "
       "'[', '{', or a literal (hint: remove the ',' before the closing bracket)"},
      {"trailing-comma-object.json",
       "4:1: error: invalid JSON: syntax error while parsing object key - unexpected '}'; "
       "expected string literal (hint: remove the ',' before the closing bracket)"},
      // The file ends after `"depends_on": ["ws-a",`: one past its last character.
      {"truncated.json", "4:25: error: invalid JSON: " + kValueExpected},
      {"wrong-types.json", "3:3: error: 'title' must be a string, not an array"},
      {"wrong-types.json", "4:26: error: 'depends_on[1]' must be a string, not 7"},
      {"wrong-types.json",
       "5:3: error: 'timeout' must be a duration or a positive number of seconds, not \"soon\" "
       "(hint: write e.g. \"45m\", \"1h30m\", \"90s\" or 600)"},
      {"wrong-types.json", "6:3: error: 'max_attempts' must be an integer >= 1, not 0"},
      {"wrong-types.json", "7:3: error: 'allow_empty' must be true or false, not \"yes\""},
  };
  std::string rendered;
  for (const auto& [file, rest] : expected) rendered += dir + "/" + file + ":" + rest + "\n";

  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadWorkstreams(dir, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(), rendered);
  // Every file of the folder is among them.
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files.push_back(entry.path().filename().string());
  }
  for (const std::string& file : files) {
    EXPECT_NE(rendered.find(dir + "/" + file + ":"), std::string::npos) << file << " has no case";
  }
  EXPECT_EQ(files.size(), 17u);
  // Only the good object of the bad array survives.
  ASSERT_EQ(workstreams.size(), 1u);
  EXPECT_EQ(workstreams[0].id, "ws-kept-from-array");
}

TEST(LoaderTest, HintsAtCommonSyntaxMistakes) {
  const struct {
    const char* text;
    int line;
    int column;
    const char* hint;
  } cases[] = {
      {"{\"depends_on\": ['a']}", 1, 17, "JSON strings need double quotes"},
      {"// a note\n{}", 1, 1, "JSON does not allow comments; remove the // lines"},
      {"{\"id\": \"a\",\n}", 2, 1, "remove the ',' before the closing bracket"},
      {"{\"tasks\": [\"a\",]}", 1, 16, "remove the ',' before the closing bracket"},
      {"{\"tasks\": {['a']}}", 1, 12,
       "a value is wrapped in { } like a template placeholder; write the plain value"},
      {"{\"id\": \"a\" \"title\": \"b\"}", 1, 12, "a ',' is missing before this value"},
      {"[1 22]", 1, 4, "a ',' is missing before this value"},
      {"{\"a\": \"x\" \"b\\\"c\"}", 1, 11, "a ',' is missing before this value"},
      {"{\"a\": 12345x}", 1, 7, "check for a missing ',', quote or bracket just before this point"},
      {"", 1, 1, "check for a missing ',', quote or bracket just before this point"},
      {"{\"id\": \"a\nb\"}", 1, 10, "write line breaks and tabs inside strings as \\n and \\t"},
      {"{\"id\": \"a\xFF\"}", 1, 10, "save the file as UTF-8"},
      {"{\"id\": \"a\",\n \"estimate_hours\": 1e999}", 2, 20, "write a smaller number"},
  };
  for (const auto& test : cases) {
    std::vector<Workstream> workstreams;
    Diagnostics diagnostics;
    EXPECT_FALSE(Parse(test.text, &workstreams, &diagnostics));
    ASSERT_EQ(diagnostics.ErrorCount(), 1) << test.text << "\n" << diagnostics.Render();
    const Diagnostic& error = diagnostics.items()[0];
    EXPECT_EQ(error.line, test.line) << test.text;
    EXPECT_EQ(error.column, test.column) << test.text;
    EXPECT_EQ(error.hint, test.hint) << test.text;
    EXPECT_EQ(error.message.rfind("invalid JSON: ", 0), 0u) << error.message;
  }
}

TEST(LoaderTest, ReportsWrongTypesAtTheirFields) {
  const std::string text =
      "{\n"
      "  \"id\": \"ws-a\",\n"
      "  \"title\": 42,\n"
      "  \"depends_on\": [\"ws-b\", 7],\n"
      "  \"timeout\": \"soon\",\n"
      "  \"max_attempts\": 0,\n"
      "  \"priority\": \"urgent\",\n"
      "  \"estimate_hours\": -1,\n"
      "  \"metadata\": [],\n"
      "  \"circuit_breaker\": {\"max_attempts\": 2.5},\n"
      "  \"allow_empty\": \"yes\"\n"
      "}\n";
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(Parse(text, &workstreams, &diagnostics));
  EXPECT_TRUE(workstreams.empty());  // so validation does not trip over it again
  EXPECT_EQ(
      diagnostics.Render(),
      "ws.json:3:3: error: 'title' must be a string, not 42\n"
      "ws.json:4:26: error: 'depends_on[1]' must be a string, not 7\n"
      "ws.json:5:3: error: 'timeout' must be a duration or a positive number of seconds, "
      "not \"soon\" (hint: write e.g. \"45m\", \"1h30m\", \"90s\" or 600)\n"
      "ws.json:6:3: error: 'max_attempts' must be an integer >= 1, not 0\n"
      "ws.json:7:3: error: 'priority' must be an integer or a priority word, not \"urgent\" "
      "(hint: words (any case): critical, high, medium, normal, low, foreground, "
      "background, or P0..P3)\n"
      "ws.json:8:3: error: 'estimate_hours' must be a positive number of hours, not -1\n"
      "ws.json:9:3: error: 'metadata' must be an object, not an array\n"
      "ws.json:10:23: error: 'circuit_breaker.max_attempts' must be an integer >= 1, not 2.5\n"
      "ws.json:11:3: error: 'allow_empty' must be true or false, not \"yes\"\n");
}

TEST(LoaderTest, ReadsMaxCostUsdAndRejectsAnythingButAPositiveNumber) {
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  ASSERT_TRUE(Parse("{\"id\": \"ws-a\", \"max_cost_usd\": 2.5}", &workstreams, &diagnostics))
      << diagnostics.Render();
  ASSERT_EQ(workstreams.size(), 1u);
  EXPECT_EQ(workstreams[0].max_cost_usd, 2.5);
  workstreams.clear();
  ASSERT_TRUE(Parse("{\"id\": \"ws-a\"}", &workstreams, &diagnostics));
  EXPECT_FALSE(workstreams[0].max_cost_usd.has_value());
  for (const std::string value : {"0", "-1", "\"$2\"", "null"}) {
    workstreams.clear();
    Diagnostics bad;
    EXPECT_FALSE(Parse("{\"id\": \"ws-a\",\n \"max_cost_usd\": " + value + "}", &workstreams, &bad));
    EXPECT_EQ(bad.Render(), "ws.json:2:2: error: 'max_cost_usd' must be a positive number of US dollars, not " +
                                value + " (hint: write e.g. 2.5 for at most $2.50 over all its attempts)\n");
  }
}

TEST(LoaderTest, ReportsMissingAndInvalidIds) {
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(Parse("[\n  {\"title\": \"x\"},\n  {\"id\": \"{ws-a}\"},\n  {\"id\": \"\"}\n]",
                     &workstreams, &diagnostics));
  EXPECT_TRUE(workstreams.empty());
  ASSERT_EQ(diagnostics.ErrorCount(), 3) << diagnostics.Render();
  const Diagnostic& missing = diagnostics.items()[0];
  EXPECT_EQ(missing.message, "workstream has no 'id'");
  EXPECT_EQ(missing.line, 2);
  EXPECT_EQ(missing.column, 3);
  const Diagnostic& invalid = diagnostics.items()[1];
  EXPECT_EQ(invalid.message, "'id' must be a valid workstream id, not \"{ws-a}\"");
  EXPECT_EQ(invalid.line, 3);
  EXPECT_EQ(invalid.column, 4);
  EXPECT_NE(invalid.hint.find("letters, digits, '.', '_' and '-'"), std::string::npos);
  EXPECT_EQ(diagnostics.items()[2].message, "'id' must be a non-empty string, not \"\"");
}

TEST(LoaderTest, KeepsTheGoodWorkstreamsOfABadFile) {
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(Parse("[{\"id\": \"good\"}, {\"id\": \"bad\", \"tasks\": \"one\"}, 3]", &workstreams,
                     &diagnostics));
  ASSERT_EQ(workstreams.size(), 1u);
  EXPECT_EQ(workstreams[0].id, "good");
  EXPECT_EQ(diagnostics.Render(),
            "ws.json:1:32: error: 'tasks' must be an array of strings, not \"one\"\n"
            "ws.json:1:49: error: each workstream must be an object, not 3\n");
}

TEST(LoaderTest, RejectsFilesThatHoldNoObjects) {
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(Parse("\n  \"ws-a\"", &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws.json:2:3: error: a workstream file must hold an object or an array of "
            "objects, not \"ws-a\"\n");

  Diagnostics empty_array;
  EXPECT_TRUE(Parse("[]", &workstreams, &empty_array));
  EXPECT_EQ(empty_array.Render(), "ws.json:1:1: warning: the array holds no workstreams\n");
}

TEST(LoaderTest, ReadsOrchestraFields) {
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_TRUE(Parse(R"({
    "id": "ws-a", "title": "Do A", "prompt": "Write a.txt", "track": "docs",
    "agent": "aider", "tool": "codex", "tasks": ["t1", "t2"], "files_scope": ["a/"],
    "acceptance_tests": ["test -f a.txt"], "estimate_hours": 1.5, "timeout": "1h30m",
    "max_attempts": 4, "circuit_breaker": {"max_attempts": 9}, "priority": -1,
    "allow_empty": true, "depends_on": ["ws-a", "ws-unknown"]
  })",
                    &workstreams, &diagnostics))
      << diagnostics.Render();
  EXPECT_EQ(diagnostics.items().size(), 0u) << diagnostics.Render();
  ASSERT_EQ(workstreams.size(), 1u);
  const Workstream& workstream = workstreams[0];
  EXPECT_EQ(workstream.title, "Do A");
  EXPECT_EQ(workstream.prompt, "Write a.txt");
  EXPECT_EQ(workstream.track, "docs");
  EXPECT_EQ(workstream.agent_type, "aider");
  EXPECT_EQ(workstream.tool, "codex");
  EXPECT_EQ(workstream.tasks, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(workstream.files_scope, std::vector<std::string>{"a/"});
  EXPECT_EQ(workstream.acceptance_tests, std::vector<std::string>{"test -f a.txt"});
  EXPECT_EQ(workstream.estimate_hours, 1.5);
  EXPECT_EQ(workstream.estimate_source, EstimateSource::kField);
  EXPECT_EQ(workstream.timeout_seconds, 5400);
  EXPECT_EQ(workstream.max_attempts, 4);  // wins over circuit_breaker
  EXPECT_EQ(workstream.priority, -1);
  // Self and unknown dependencies are validation's business.
  EXPECT_EQ(workstream.depends_on, (std::vector<std::string>{"ws-a", "ws-unknown"}));
}

TEST(LoaderTest, FallsBackToMetadataEstimatesAndPriorities) {
  const struct {
    const char* text;
    std::optional<double> hours;
    EstimateSource source;
    int priority;
  } cases[] = {
      {R"({"id": "a", "metadata": {"estimated_hours": "6"}})", 6, EstimateSource::kMetadataHours,
       0},
      {R"({"id": "a", "metadata": {"estimated_effort_hours": "10-14", "priority": "P1"}})", 12,
       EstimateSource::kMetadataRange, 2},
      {R"({"id": "a", "metadata": {"estimated_effort_hours": " 2 - 3 "}})", 2.5,
       EstimateSource::kMetadataRange, 0},
      {R"({"id": "a", "metadata": {"estimated_effort_hours": 6}})", 6,
       EstimateSource::kMetadataHours, 0},
      {R"({"id": "a", "metadata": {"estimated_hours": 18, "estimated_effort_hours": "1-2"}})", 18,
       EstimateSource::kMetadataHours, 0},
      {R"({"id": "a", "metadata": {"estimated_hours": "lots", "estimated_effort_hours": "4"}})", 4,
       EstimateSource::kMetadataHours, 0},
      {R"({"id": "a", "metadata": {"estimated_hours": "lots", "priority": "whenever"}})",
       std::nullopt, EstimateSource::kDefault, 0},
      {R"({"id": "a", "metadata": {"estimated_effort_hours": "14-10", "priority": 5}})",
       std::nullopt, EstimateSource::kDefault, 5},
      {R"({"id": "a", "estimate_hours": 2, "priority": "low",
           "metadata": {"estimated_hours": 9, "priority": "critical"}})",
       2, EstimateSource::kField, -1},
  };
  for (const auto& test : cases) {
    std::vector<Workstream> workstreams;
    Diagnostics diagnostics;
    EXPECT_TRUE(Parse(test.text, &workstreams, &diagnostics)) << test.text;
    EXPECT_EQ(diagnostics.items().size(), 0u) << test.text << "\n" << diagnostics.Render();
    ASSERT_EQ(workstreams.size(), 1u) << test.text;
    EXPECT_EQ(workstreams[0].estimate_hours, test.hours) << test.text;
    EXPECT_EQ(workstreams[0].estimate_source, test.source) << test.text;
    EXPECT_EQ(workstreams[0].priority, test.priority) << test.text;
  }
}

TEST(LoaderTest, AcceptsTimeoutsAsDurationsOrSeconds) {
  const struct {
    const char* text;
    double seconds;
  } cases[] = {
      {R"({"id": "a", "timeout": "45m"})", 2700},
      {R"({"id": "a", "timeout": "90"})", 90},
      {R"({"id": "a", "timeout": 600})", 600},
      {R"({"id": "a", "timeout": 0.5})", 0.5},
  };
  for (const auto& test : cases) {
    std::vector<Workstream> workstreams;
    Diagnostics diagnostics;
    EXPECT_TRUE(Parse(test.text, &workstreams, &diagnostics)) << diagnostics.Render();
    ASSERT_EQ(workstreams.size(), 1u);
    EXPECT_EQ(workstreams[0].timeout_seconds, test.seconds) << test.text;
  }
  for (const char* text : {R"({"id": "a", "timeout": 0})", R"({"id": "a", "timeout": "-5m"})",
                           R"({"id": "a", "timeout": "0s"})", R"({"id": "a", "timeout": true})"}) {
    std::vector<Workstream> workstreams;
    Diagnostics diagnostics;
    EXPECT_FALSE(Parse(text, &workstreams, &diagnostics)) << text;
    EXPECT_EQ(diagnostics.ErrorCount(), 1) << text;
  }
}

TEST(LoaderTest, WarnsAboutEachUnknownFieldOnce) {
  TempDir dir;
  dir.Write("b.json", "{\n  \"id\": \"b\",\n  \"doc_id\": \"DOC-2\",\n  \"owner\": \"me\"\n}\n");
  dir.Write("a.json", "{\"id\": \"a\", \"doc_id\": \"DOC-1\"}");
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_TRUE(LoadWorkstreams(dir.path(), &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            dir.path() +
                "/a.json:1:13: warning: unknown field 'doc_id' is kept but not used "
                "(hint: docs/workstream-format.md lists the fields Orchestra reads)\n" +
                dir.path() +
                "/b.json:4:3: warning: unknown field 'owner' is kept but not used "
                "(hint: docs/workstream-format.md lists the fields Orchestra "
                "reads)\n");
  ASSERT_EQ(workstreams.size(), 2u);
  EXPECT_EQ(workstreams[1].Raw()["doc_id"], "DOC-2");  // kept for whoever needs it
}

// A folder of many files is read in two halves at once: the workstreams and
// diagnostics must be those of one pass over the files in name order, with
// an unknown field warned about once across both halves and every file the
// second half could not take reported in its place.
TEST(LoaderTest, AFolderReadInTwoHalvesLoadsAndReportsAsOnePass) {
  TempDir dir;
  std::vector<std::string> names;
  for (int index = 0; index < 700; ++index) {
    char name[32];
    std::snprintf(name, sizeof name, "f%03d.json", index);
    names.push_back(name);
    const std::string id = "ws-" + std::to_string(index);
    std::string text = "{\"id\": \"" + id + "\", \"depends_on\": []}";
    if (index == 650) text = "{\"id\": \"" + id + "\",, }";                       // a syntax error
    if (index == 500) text = "{\"id\": \"ws-10\"}";                                // a repeated id
    if (index == 420 || index == 610) text = "{\"id\": \"" + id + "\", \"late\": 1}";  // unknown, twice
    if (index == 30 || index == 430) text = "{\"id\": \"" + id + "\", \"owner\": 1}";  // in both halves
    if (index == 440) text = "[{\"id\": \"" + id + "\"}, {\"id\": \"" + id + "b\", \"tasks\": [1]}]";
    if (index == 660) text = "{\"id\": \"" + id + "\", \"tasks\": [\"a\", \"b\"], \"title\": \"caf\xc3\xa9\"}";
    dir.Write(name, text);
  }
  std::vector<Workstream> loaded;
  Diagnostics diagnostics;
  std::vector<std::string> unloaded;
  EXPECT_FALSE(LoadWorkstreams(dir.path(), &loaded, &diagnostics, &unloaded));

  std::vector<Workstream> expected;
  Diagnostics expected_diagnostics;
  std::vector<std::string> expected_unloaded;
  std::vector<std::string> warned_fields;
  for (const std::string& name : names) {
    const std::string file = dir.path() + "/" + name;
    ParseWorkstreamFile(file, ReadText(file), &expected, &expected_diagnostics, &warned_fields,
                        &expected_unloaded);
  }
  EXPECT_EQ(diagnostics.Render(), expected_diagnostics.Render());
  EXPECT_EQ(unloaded, expected_unloaded);
  ASSERT_EQ(loaded.size(), expected.size());
  for (size_t at = 0; at < loaded.size(); ++at) {
    EXPECT_EQ(loaded[at].id, expected[at].id);
    EXPECT_EQ(loaded[at].file, expected[at].file);
    EXPECT_EQ(loaded[at].line, expected[at].line);
    EXPECT_EQ(loaded[at].column, expected[at].column);
    EXPECT_EQ(loaded[at].tasks, expected[at].tasks);
    EXPECT_EQ(loaded[at].raw_json, expected[at].raw_json);
  }
  // The oracle itself: one warning per unknown field, the error of f650.
  EXPECT_EQ(expected_diagnostics.WarningCount(), 2) << expected_diagnostics.Render();
  EXPECT_NE(expected_diagnostics.Render().find("f650.json:1:"), std::string::npos);
}

TEST(LoaderTest, KnowsEveryUpstreamSchemaField) {
  const std::string upstream = SharedFixture("upstream-workstreams");
  if (upstream.empty()) return;  // skipped
  // Every property of the upstream schema, so no warning may come out.
  const std::string schema = ReadText(upstream + "/schema/workstream.schema.json");
  const nlohmann::json properties = nlohmann::json::parse(schema)["properties"];
  nlohmann::json workstream = nlohmann::json::object();
  for (const auto& [name, value] : properties.items()) workstream[name] = nullptr;
  workstream["id"] = "ws-a";
  for (const char* name : {"title", "prompt", "track", "estimate_hours", "timeout", "max_attempts",
                           "agent", "allow_empty"}) {
    workstream[name] = nullptr;
  }
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  Parse(workstream.dump(), &workstreams, &diagnostics);
  EXPECT_EQ(diagnostics.WarningCount(), 0) << diagnostics.Render();
  EXPECT_GT(properties.size(), 20u);
}

TEST(LoaderTest, LoadsJsonFilesSortedByName) {
  TempDir dir;
  dir.Write("b.json", R"({"id": "b"})");
  dir.Write("a.json", R"([{"id": "a1"}, {"id": "a2"}])");
  dir.Write("README.md", "not a workstream");
  dir.Write(".hidden.json", "not even JSON");
  std::filesystem::create_directory(dir.path() + "/sub.json");
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_TRUE(LoadWorkstreams(dir.path() + "/", &workstreams, &diagnostics))
      << diagnostics.Render();
  ASSERT_EQ(workstreams.size(), 3u);
  EXPECT_EQ(workstreams[0].id, "a1");
  EXPECT_EQ(workstreams[2].id, "b");
  EXPECT_EQ(workstreams[2].file, dir.path() + "/b.json");
}

TEST(LoaderTest, ReportsMissingAndEmptyFolders) {
  TempDir dir;
  std::vector<Workstream> workstreams;
  Diagnostics missing;
  EXPECT_FALSE(LoadWorkstreams(dir.path() + "/nope", &workstreams, &missing));
  EXPECT_EQ(missing.Render(), dir.path() +
                                  "/nope: error: workstreams folder not found (hint: create it "
                                  "or pass --workstreams DIR)\n");

  dir.Write("notes.txt", "hello");
  Diagnostics empty;
  EXPECT_FALSE(LoadWorkstreams(dir.path(), &workstreams, &empty));
  ASSERT_EQ(empty.ErrorCount(), 1);
  EXPECT_EQ(empty.items()[0].message, "no *.json workstream files in " + dir.path());

  Diagnostics not_a_folder;
  EXPECT_FALSE(LoadWorkstreams(dir.path() + "/notes.txt", &workstreams, &not_a_folder));
  EXPECT_EQ(not_a_folder.items()[0].message, "workstreams path is not a folder");
  EXPECT_TRUE(workstreams.empty());
}

// {"id":"ws-d","metadata":{"x":[[[...]]]}} with `levels` levels in all.
std::string NestedWorkstream(int levels) {
  const size_t arrays = static_cast<size_t>(levels) - 2;  // the object and metadata are two
  return R"({"id":"ws-d","metadata":{"x":)" + std::string(arrays, '[') + std::string(arrays, ']') +
         "}}";
}

TEST(LoaderTest, RefusesJsonNestedTooDeepAtTheBracketThatGoesTooDeep) {
  TempDir dir;
  dir.Write("deep.json", NestedWorkstream(100000));
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadWorkstreams(dir.path(), &workstreams, &diagnostics));
  EXPECT_TRUE(workstreams.empty());
  // Column 30 holds the first '[' (level 3): the 511th, level 513, is at 540.
  EXPECT_EQ(diagnostics.Render(), dir.path() +
                                      "/deep.json:1:540: error: arrays and objects nested deeper "
                                      "than 512 levels (hint: a workstream needs a few levels; "
                                      "flatten this value)\n");
}

TEST(LoaderTest, LoadsJsonNestedToTheLimit) {
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_TRUE(Parse(NestedWorkstream(512), &workstreams, &diagnostics)) << diagnostics.Render();
  ASSERT_EQ(workstreams.size(), 1u);
  EXPECT_EQ(workstreams[0].Raw()["metadata"]["x"].size(), 1u);
}

TEST(LoaderTest, RefusesPathsThatWouldReadAsOptions) {
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(Parse("{\"id\": \"ws-a\",\n"
                     " \"files_scope\": [\"src/\", \"--help\"],\n"
                     " \"files_create\": [\"--read=/etc/passwd\", \"./-x\"]}",
                     &workstreams, &diagnostics));
  EXPECT_TRUE(workstreams.empty());
  EXPECT_EQ(diagnostics.Render(),
            "ws.json:2:26: error: 'files_scope[1]' must be a path that does not start with '-', "
            "not \"--help\" (hint: an agent's program would read it as an option; write "
            "\"./--help\" to name a file whose name starts with '-')\n"
            "ws.json:3:19: error: 'files_create[0]' must be a path that does not start with '-', "
            "not \"--read=/etc/passwd\" (hint: an agent's program would read it as an option; "
            "write \"./--read=/etc/passwd\" to name a file whose name starts with '-')\n");
}

TEST(LoaderTest, RefusesIdsTooLongForAFileName) {
  const std::string longest(250, 'a');
  const std::string too_long(251, 'b');
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(Parse("[{\"id\": \"" + longest + "\"},\n {\"id\": \"" + too_long + "\"}]",
                     &workstreams, &diagnostics));
  ASSERT_EQ(workstreams.size(), 1u);
  EXPECT_EQ(workstreams[0].id, longest);
  EXPECT_EQ(diagnostics.Render(),
            "ws.json:2:3: error: 'id' is 251 bytes long; at most 250 are allowed (hint: shorten "
            "it: the id names the branch orchestra/<id>, and git's lock file <id>.lock must fit "
            "in a file name of 255 bytes)\n");
}

TEST(LoaderTest, RefusesDependenciesTooLongToBeAnId) {
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(Parse("{\"id\": \"a\",\n \"depends_on\": [\"b\", \"" + std::string(251, 'y') + "\"]}",
                     &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws.json:2:22: error: 'depends_on[1]' must be a workstream id of at most 250 bytes, not "
            "\"" + std::string(40, 'y') + "...\" (hint: name the id of a workstream)\n");
}

// Found by fuzz/workstream_fuzz: a file of just "//" (a comment reaching the
// end) made the syntax-error hint read past the text, and `validate` abort.
TEST(LoaderTest, ACommentAtTheEndOfTheFileIsAnErrorNotACrash) {
  for (const std::string text : {"//", "/*", "{\"id\": \"a\"}//", "[/"}) {
    std::vector<Workstream> workstreams;
    Diagnostics diagnostics;
    EXPECT_FALSE(Parse(text, &workstreams, &diagnostics)) << text;
    EXPECT_TRUE(diagnostics.HasErrors()) << text;
  }
  // The comment, then what is wrong once comments are skipped: nothing is left.
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(Parse("//", &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws.json:1:1: error: invalid JSON: syntax error while parsing value - invalid literal; "
            "last read: '/' (hint: JSON does not allow comments; remove the // lines)\n"
            "ws.json:1:3: error: invalid JSON: syntax error while parsing value - unexpected end of "
            "input; expected '[', '{', or a literal (hint: check for a missing ',', quote or bracket "
            "just before this point)\n");
}

TEST(LoaderTest, WarnsAboutLinksThatCannotBeFollowed) {
  TempDir dir;
  dir.Write("a.json", R"({"id": "a"})");
  std::filesystem::create_symlink("gone.json", dir / "dangling.json");
  std::filesystem::create_symlink("loop.json", dir / "loop.json");
  std::filesystem::create_symlink("a.json", dir / "b.json");
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_TRUE(LoadWorkstreams(dir.path(), &workstreams, &diagnostics));
  EXPECT_EQ(workstreams.size(), 2u);  // a.json, and b.json through its link
  EXPECT_EQ(diagnostics.Render(),
            dir.path() +
                "/dangling.json: warning: not read: the file is a symbolic link to 'gone.json' "
                "that cannot be followed: No such file or directory (hint: point the link at a "
                "workstream file, or remove it)\n" +
                dir.path() +
                "/loop.json: warning: not read: the file is a symbolic link to 'loop.json' that "
                "cannot be followed: Too many levels of symbolic links (hint: point the link at a "
                "workstream file, or remove it)\n");
}

TEST(LoaderTest, RefusesLinksToFilesOutsideTheFolder) {
  TempDir outside;
  outside.Write("secret.json", R"({"id": "stolen"})");
  TempDir project;
  project.Write("workstreams/a.json", R"({"id": "a"})");
  project.Write("workstreams/sub/b.json", R"({"id": "b"})");
  std::filesystem::create_symlink(outside / "secret.json", project / "workstreams/evil.json");
  std::filesystem::create_symlink("../workstreams/sub/../../workstreams/sub/b.json",
                                  project / "workstreams/inside.json");
  // The folder itself may be a link: what counts is where the files are in it.
  std::filesystem::create_symlink("workstreams", project / "linked");
  for (const std::string folder : {"workstreams", "linked"}) {
    std::vector<Workstream> workstreams;
    Diagnostics diagnostics;
    EXPECT_FALSE(LoadWorkstreams(project / folder, &workstreams, &diagnostics));
    ASSERT_EQ(workstreams.size(), 2u);  // a.json, and inside.json through its link
    EXPECT_EQ(workstreams[0].id, "a");
    EXPECT_EQ(workstreams[1].id, "b");
    EXPECT_EQ(diagnostics.Render(),
              project / folder + "/evil.json: error: not read: the file is a symbolic link to '" +
                  std::filesystem::canonical(outside / "secret.json").string() +
                  "', outside the workstreams folder (hint: copy the file into the folder, or "
                  "link to a file inside it)\n");
  }
}

TEST(LoaderTest, AFolderOfOnlyOutsideLinksSaysSoOnce) {
  TempDir outside;
  outside.Write("x.json", R"({"id": "x"})");
  TempDir dir;
  std::filesystem::create_symlink(outside / "x.json", dir / "x.json");
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadWorkstreams(dir.path(), &workstreams, &diagnostics));
  EXPECT_TRUE(workstreams.empty());
  ASSERT_EQ(diagnostics.ErrorCount(), 1) << diagnostics.Render();
  EXPECT_EQ(diagnostics.items()[0].file, dir / "x.json");
}

TEST(LoaderTest, SaysWhenTheFolderIsALinkThatCannotBeFollowed) {
  TempDir dir;
  std::filesystem::create_symlink("workstreams", dir / "workstreams");
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadWorkstreams(dir / "workstreams", &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            dir.path() +
                "/workstreams: error: workstreams folder is a symbolic link to 'workstreams' that "
                "cannot be followed: Too many levels of symbolic links (hint: point the link at a "
                "folder, or pass --workstreams DIR)\n");
}

TEST(LoaderTest, SaysWhichFilesAreNotUtf8) {
  TempDir dir;
  dir.Write("bom.json", std::string("\xFF\xFE{\0\"\0}\0", 8));
  dir.Write("nul.json", std::string("{\0\0\0}\0\0\0", 8));
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadWorkstreams(dir.path(), &workstreams, &diagnostics));
  const std::string bom = dir / "bom.json";
  const std::string nul = dir / "nul.json";
  EXPECT_EQ(diagnostics.Render(),
            bom + ": error: the file is UTF-16, not UTF-8: it starts with a UTF-16 byte order mark "
                  "(hint: convert it: iconv -f UTF-16 -t UTF-8 " + bom + " > " + bom +
                ".utf8 && mv " + bom + ".utf8 " + bom + ")\n" +
                nul + ": error: the file is not UTF-8: it holds NUL bytes, as UTF-32LE text does "
                "(hint: convert it: iconv -f UTF-32LE -t UTF-8 " + nul + " > " + nul +
                ".utf8 && mv " + nul + ".utf8 " + nul + ")\n");
}

}  // namespace
}  // namespace orchestra
