// Bad and hostile input through the real `orchestra validate`, `plan` and
// `run` processes: deep nesting, very large files and strings, NUL and
// non-UTF-8 bytes, ids that look like paths or options, a workstream file
// linked from outside its folder, and shell metacharacters that must reach the
// agent as inert text. Each gives a clear error naming the file and the field,
// or runs correctly; nothing crashes. (The loader's unit tests,
// src/config/loader_test.cc, cover each case's message in detail.)
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "diagnostic.h"
#include "loader.h"
#include "prompt.h"
#include "temp_dir.h"
#include "workstream.h"

namespace orchestra::testing {
namespace {

const char kSimConfig[] = "[[agents]]\nid = \"agent-1\"\ntype = \"sim\"\n[agent_types.sim]\ntime_scale = 0.001\n";

TEST(BadInputTest, IdsThatLookLikePathsOrOptionsAreNamedWithTheirFileAndField) {
  TempDir project;
  project.Write("orchestra.toml", kSimConfig);
  project.Write("workstreams/ids.json",
                "[{\"id\": \"../escape\"},\n"
                " {\"id\": \"a/b\"},\n"
                " {\"id\": \"-rf\"},\n"
                " {\"id\": \"has space\"},\n"
                " {\"id\": \"nul\\u0000id\"},\n"
                " {\"id\": \"fine\", \"depends_on\": [\"../escape\"]}]\n");
  for (const char* command : {"validate", "plan"}) {
    const CommandResult result = RunOrchestra(project.path(), {command});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_EQ(result.out, "") << command;
    EXPECT_EQ(result.err,
              "workstreams/ids.json:1:3: error: 'id' must be a valid workstream id, not \"../escape\" "
              "(hint: ids name git branches and files: use letters, digits, '.', '_' and '-', do not "
              "start with '.' or '-', and avoid '..' and a trailing '.' or '.lock')\n"
              "workstreams/ids.json:2:3: error: 'id' must be a valid workstream id, not \"a/b\" "
              "(hint: ids name git branches and files: use letters, digits, '.', '_' and '-', do not "
              "start with '.' or '-', and avoid '..' and a trailing '.' or '.lock')\n"
              "workstreams/ids.json:3:3: error: 'id' must be a valid workstream id, not \"-rf\" "
              "(hint: ids name git branches and files: use letters, digits, '.', '_' and '-', do not "
              "start with '.' or '-', and avoid '..' and a trailing '.' or '.lock')\n"
              "workstreams/ids.json:4:3: error: 'id' must be a valid workstream id, not \"has space\" "
              "(hint: ids name git branches and files: use letters, digits, '.', '_' and '-', do not "
              "start with '.' or '-', and avoid '..' and a trailing '.' or '.lock')\n"
              "workstreams/ids.json:5:3: error: 'id' must be a valid workstream id, not \"nul\\u0000id\" "
              "(hint: ids name git branches and files: use letters, digits, '.', '_' and '-', do not "
              "start with '.' or '-', and avoid '..' and a trailing '.' or '.lock')\n"
              "workstreams/ids.json:6:2: error: fine depends on '../escape', which failed to load "
              "(hint: fix the errors reported for '../escape')\n"
              "orchestra: 6 error(s), 0 warning(s); nothing was run\n")
        << command;
  }
}

TEST(BadInputTest, DeepNestingIsRefusedNotOverflowingTheStack) {
  TempDir project;
  project.Write("orchestra.toml", kSimConfig);
  project.Write("workstreams/deep.json",
                "{\"id\": \"deep\", \"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  CommandResult result = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "workstreams/deep.json:1:532: error: arrays and objects nested deeper than 512 levels "
            "(hint: a workstream needs a few levels; flatten this value)\n"
            "orchestra: 1 error(s), 0 warning(s); nothing was run\n");

  project.Write("workstreams/deep.json", "{\"id\": \"deep\"}");
  project.Write("orchestra.toml", "a = " + std::string(100000, '[') + std::string(100000, ']') + "\n");
  result = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "orchestra.toml:1:261: error: Error while parsing value: exceeded maximum nested value "
            "depth of 256 (TOML_MAX_NESTED_VALUES)\n"
            "orchestra: 1 error(s), 0 warning(s); nothing was run\n");
}

TEST(BadInputTest, AHundredMegabyteWorkstreamFileLoadsAndPlans) {
  TempDir project;
  project.Write("orchestra.toml", kSimConfig);
  const std::string task(100 * 1000 * 1000, 't');
  project.Write("workstreams/big.json", "{\"id\": \"big\", \"tasks\": [\"" + task + "\"]}");
  CommandResult result = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "1 workstreams, 1 agents: valid\n");
  result = RunOrchestra(project.path(), {"plan"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("big"), std::string::npos) << result.out;
}

TEST(BadInputTest, HugeStringsAreShortenedInErrorsAndKeptWhereValid) {
  TempDir project;
  project.Write("orchestra.toml", kSimConfig);
  project.Write("workstreams/a.json", "{\"id\": \"a\", \"title\": \"" + std::string(10 * 1000 * 1000, 'T') +
                                          "\",\n \"depends_on\": [\"" + std::string(1000 * 1000, 'y') + "\"]}");
  const CommandResult result = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "workstreams/a.json:2:17: error: 'depends_on[0]' must be a workstream id of at most 250 "
            "bytes, not \"" + std::string(40, 'y') + "...\" (hint: name the id of a workstream)\n"
            "orchestra: 1 error(s), 0 warning(s); nothing was run\n");
}

TEST(BadInputTest, NulAndNonUtf8BytesNameTheFile) {
  TempDir project;
  project.Write("orchestra.toml", kSimConfig);
  project.Write("workstreams/latin1.json", "{\"id\": \"caf\xE9\"}");
  project.Write("workstreams/nul.json", std::string("{\"id\": \"a\0b\"}", 13));
  CommandResult result = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "workstreams/latin1.json:1:8: error: invalid JSON: syntax error while parsing value - "
            "invalid string: ill-formed UTF-8 byte; last read: '\"caf\xE9\"' (hint: save the file as "
            "UTF-8)\n"
            "workstreams/nul.json: error: the file is not UTF-8: it holds NUL bytes, as UTF-16 text "
            "does (hint: convert it: iconv -f UTF-16 -t UTF-8 workstreams/nul.json > "
            "workstreams/nul.json.utf8 && mv workstreams/nul.json.utf8 workstreams/nul.json)\n"
            "orchestra: 2 error(s), 0 warning(s); nothing was run\n");

  project.Write("workstreams/latin1.json", "{\"id\": \"cafe\"}");
  project.Write("workstreams/nul.json", "{\"id\": \"ab\"}");
  project.Write("orchestra.toml", std::string(kSimConfig) + "# caf\xE9\nx = \"a\0b\"\n");
  result = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "orchestra.toml:6:5: error: Encountered invalid utf-8 sequence\n"
            "orchestra: 1 error(s), 0 warning(s); nothing was run\n");
}

TEST(BadInputTest, AWorkstreamFileLinkedFromOutsideTheFolderIsRefused) {
  TempDir outside;
  outside.Write("secret.json", "{\"id\": \"stolen\"}");
  TempDir project;
  project.Write("orchestra.toml", kSimConfig);
  project.Write("workstreams/a.json", "{\"id\": \"a\"}");
  std::filesystem::create_symlink(outside / "secret.json", project / "workstreams/link.json");
  const std::string expected =
      "workstreams/link.json: error: not read: the file is a symbolic link to '" +
      std::filesystem::canonical(outside / "secret.json").string() +
      "', outside the workstreams folder (hint: copy the file into the folder, or link to a file "
      "inside it)\norchestra: 1 error(s), 0 warning(s); nothing was run\n";
  for (const char* command : {"validate", "run"}) {
    const CommandResult result = RunOrchestra(project.path(), {command});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_EQ(result.err, expected) << command;
  }
  EXPECT_FALSE(std::filesystem::exists(project / ".state/orchestration.db"));
}

// The payloads act on a canary file, not on anything that matters, should one
// ever be run by a shell: the test then fails without doing harm.
TEST(BadInputTest, ShellMetacharactersReachTheAgentAsInertText) {
  TempDir project;
  project.Write("canary", "alive\n");
  WriteFile(project / "record.sh",
            "#!/bin/sh\ncd \"$(dirname \"$0\")\"\nprintf '%s\\0' \"$@\" > argv.bin\n"
            "cp \"$ORCHESTRA_PROMPT_FILE\" prompt.bin\n",
            true);
  project.Write("orchestra.toml",
                "[agent_types.record]\nkind = \"command\"\n"
                "argv = [\"./record.sh\", \"--prompt={prompt}\", \"{files}\", \"--id={id}\"]\n"
                "[[agents]]\nid = \"agent-1\"\ntype = \"record\"\n");
  project.Write(
      "workstreams/meta.json",
      R"json({"id": "meta",
 "title": "$(rm -f canary) `rm -f canary`; rm -f canary | rm -f canary",
 "tasks": ["$(rm -rf canary)", "`rm -rf canary`", "; rm -rf canary", "| rm -rf canary", "&& rm canary",
           "'single' \"double\" \\backslash $HOME ${HOME} * ? ~ > out < in", "line\nbreak"],
 "files_scope": ["src/$(rm -f canary).cc", "a;b|c`rm -f canary`", "x && rm canary", "*"]})json");
  const CommandResult result = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(ReadFile(project / "canary"), "alive\n");

  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
  ASSERT_TRUE(LoadWorkstreams(project / "workstreams", &workstreams, &diagnostics)) << diagnostics.Render();
  ASSERT_EQ(workstreams.size(), 1u);
  const std::string prompt = BuildPrompt(workstreams[0], "");
  EXPECT_NE(prompt.find("$(rm -rf canary)"), std::string::npos) << prompt;
  EXPECT_EQ(ReadFile(project / "prompt.bin"), prompt);
  std::string argv;
  for (const std::string& argument :
       {"--prompt=" + prompt, std::string("src/$(rm -f canary).cc"), std::string("a;b|c`rm -f canary`"),
        std::string("x && rm canary"), std::string("*"), std::string("--id=meta")}) {
    argv += argument + '\0';
  }
  EXPECT_EQ(ReadFile(project / "argv.bin"), argv);
}

}  // namespace
}  // namespace orchestra::testing
