// Integration test of secret redaction: an agent and an acceptance test print
// API keys; no key value may survive anywhere Orchestra writes (the state
// database, the logs, the prompts, the reports, `status --json`), as
// SecretLeaks (tests/support/secret_scan.h) looks for them.
#include <stdlib.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "project_builder.h"
#include "secret_scan.h"

namespace orchestra::testing {
namespace {

TEST(RedactionTest, NoKeyValueSurvivesInStateLogsPromptsOrReports) {
  const std::string api_key = "sk-ant-api03-redaction-test-4f9c2a7e";
  const std::string hook = "hook-value-listed-in-config";  // named in [secrets] redact, set by the type's env
  setenv("ANTHROPIC_API_KEY", api_key.c_str(), 1);
  TestProject project;
  WriteFile(project / "agent.sh",
            "#!/bin/sh\necho \"using key $ANTHROPIC_API_KEY\"\necho \"hook $DEPLOY_HOOK\" >&2\n"
            "[ \"$ORCHESTRA_ATTEMPT\" -gt 1 ] || { echo \"failing with $ANTHROPIC_API_KEY\"; exit 1; }\n",
            true);
  project.AddWorkstream("leaky", {},
                        "\"max_attempts\": 3, \"acceptance_tests\": "
                        "[\"echo test saw $ANTHROPIC_API_KEY; exit 1\"]");
  WriteFile(project / "orchestra.toml",
            "[defaults]\nbackoff = \"0s\"\n[secrets]\nredact = [\"DEPLOY_HOOK\"]\n"
            "[agent_types.script]\nkind = \"command\"\nargv = [\"./agent.sh\"]\n"
            "env = { DEPLOY_HOOK = \"" + hook + "\" }\n"
            "[[agents]]\nid = \"agent-1\"\ntype = \"script\"\n");
  const CommandResult run = RunOrchestra(project.path(), {"run"});
  const CommandResult status = RunOrchestra(project.path(), {"status", "--json"});
  const CommandResult detail = RunOrchestra(project.path(), {"status", "leaky"});
  const CommandResult report = RunOrchestra(project.path(), {"report"});
  unsetenv("ANTHROPIC_API_KEY");
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(project.Statuses()["leaky"], "failed");

  // The keys were printed, and the failure text travelled: into the log,
  // the database and the last attempt's prompt, each time as "[redacted]".
  const std::string log = ReadFile(project / "logs/workstreams/leaky/attempt-1.log");
  EXPECT_NE(log.find("using key [redacted]\nhook [redacted]\nfailing with [redacted]\n"), std::string::npos)
      << log;
  EXPECT_NE(ReadFile(project / "logs/workstreams/leaky/attempt-2.log")
                .find("test saw [redacted]\n"),
            std::string::npos);
  EXPECT_NE(ReadFile(project / "logs/workstreams/leaky/attempt-3.prompt.md").find("test saw [redacted]"),
            std::string::npos);
  const CommandResult error = Sqlite3(project.StatePath(), "SELECT error_message FROM workstream_status");
  EXPECT_NE(error.out.find("test saw [redacted]\n"), std::string::npos) << error.out;
  ASSERT_TRUE(std::filesystem::exists(project / "reports"));

  SecretScan scan{.project_dir = project.path()};
  for (const CommandResult* output : {&run, &status, &detail, &report}) {
    scan.outputs.push_back({"a command's output", output->out + output->err});
  }
  EXPECT_EQ(SecretLeaks(scan, {api_key, hook}), std::vector<std::string>{});
}

}  // namespace
}  // namespace orchestra::testing
