// The dashboard in a real browser: Chromium from Debian driven by
// playwright-core from npm (scripts/install-deps.sh puts it in a cache folder
// outside the clone), against a run this test holds step by step. Skips,
// naming what is missing, without them.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "cli_harness.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

/// Where install-deps.sh puts playwright-core: $ORCHESTRA_BROWSER_TOOLS, else
/// ~/.cache/orchestra/browser.
std::string BrowserTools() {
  if (const char* dir = std::getenv("ORCHESTRA_BROWSER_TOOLS"); dir != nullptr && *dir != '\0') return dir;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/orchestra/browser";
}

/// An agent that says "first line", and when its workstream is held waits for
/// control/<id>.go before "second line", then for control/<id>.release.
const char kAgentScript[] = R"SH(#!/bin/sh
dir=$(cd "$(dirname "$0")" && pwd)
id="$ORCHESTRA_WORKSTREAM_ID"
wait_for() { for i in $(seq 6000); do [ -f "$dir/control/$id.$1" ] && return; sleep 0.01; done; }
echo "first line"
if [ -f "$dir/control/$id.hold" ]; then
  wait_for go
  echo "second line"
  wait_for release
fi
)SH";

TEST(BrowserTest, TheDashboardFollowsARunInChromium) {
  const std::string tools = BrowserTools();
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "/usr/bin/chromium is absent (scripts/install-deps.sh)";
  if (!fs::exists(tools + "/node_modules/playwright-core/package.json")) {
    GTEST_SKIP() << "playwright-core is absent from " << tools << " (scripts/install-deps.sh)";
  }
  TempDir project;
  WriteFile(project / "agent.sh", kAgentScript, true);
  WriteFile(project / "orchestra.toml",
            "[agent_types.script]\nkind = \"command\"\nargv = [\"./agent.sh\"]\n\n"
            "[[agents]]\nid = \"agent-1\"\ntype = \"script\"\n");
  WriteFile(project / "workstreams/first.json", R"({"id": "first", "tasks": ["start"]})");
  WriteFile(project / "workstreams/second.json", R"({"id": "second", "tasks": ["follow"], "depends_on": ["first"]})");
  WriteFile(project / "control/first.hold", "");
  // A server of its own rather than `run --serve`, which stops with the run:
  // the page must still be answered after the run's last event.
  const pid_t run = StartOrchestra(project.path(), {"run"}, project / "run.out");
  const pid_t serve = StartOrchestra(project.path(), {"serve", "--port", "0"}, project / "serve.out");
  std::smatch match;
  const std::regex serving("serving (http://127\\.0\\.0\\.1:[0-9]+/)");
  std::vector<std::string> lines;
  ASSERT_TRUE(WaitUntil([&] {
    lines = ReadLines(project / "serve.out");
    return !lines.empty() && std::regex_match(lines[0], match, serving);
  })) << ReadFile(project / "serve.out") << ReadFile(project / "serve.out.err");

  const std::string artefacts = fs::path(ORCHESTRA_BINARY).parent_path() / "test-artefacts";
  fs::create_directories(artefacts);
  const CommandResult browser =
      RunCommand(project.path(), {"node", ORCHESTRA_SOURCE_DIR "/tests/browser/dashboard_scenario.mjs", tools,
                                  match[1].str(), project.path(), artefacts});
  EXPECT_EQ(browser.exit_code, 0) << browser.err;
  EXPECT_EQ(browser.out,
            "first running (fill #9fd3f7), second pending (fill #eeeeee)\n"
            "details of first open, its log shows: first line\n"
            "the log grew: second line\n"
            "both completed (fills #a8dda0 #a8dda0), run completed\n"
            "lanes: first second\n"
            "no page errors\n");
  EXPECT_TRUE(fs::exists(artefacts + "/dashboard-running.png"));
  EXPECT_TRUE(fs::exists(artefacts + "/dashboard-finished.png"));
  WriteFile(project / "control/first.go", "");  // should the browser have failed before releasing
  WriteFile(project / "control/first.release", "");
  EXPECT_EQ(WaitForExit(run), 0) << ReadFile(project / "run.out");
  kill(serve, SIGTERM);
  EXPECT_EQ(WaitForExit(serve), 0);
}

}  // namespace
}  // namespace orchestra::testing
