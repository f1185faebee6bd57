// The dashboard and the HTML report in a real browser: Chromium from Debian
// driven by playwright-core from npm (scripts/install-deps.sh puts it in a
// cache folder outside the clone), on a `sim` run of the bundled example
// (examples/seed-plan) while it is in progress. Skips, naming what is
// missing, without them. The screenshots it leaves in build/test-artefacts/
// are the README's pictures (scripts/screenshots.sh copies them).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include "cli_harness.h"
#include "test_paths.h"

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

/// The bundled example, its simulated agents slowed from 0.05 to 0.1 seconds
/// per estimated hour, so that attempts last long enough to be caught running.
void CopyExample(const fs::path& project) {
  const fs::path example = fs::path(ORCHESTRA_SOURCE_DIR) / "examples/seed-plan";
  fs::copy(example / "workstreams", project / "workstreams", fs::copy_options::recursive);
  std::string config = ReadFile(example / "orchestra.toml");
  const std::string scale = "time_scale = 0.05";
  ASSERT_NE(config.find(scale), std::string::npos) << "examples/seed-plan/orchestra.toml changed its time_scale";
  config.replace(config.find(scale), scale.size(), "time_scale = 0.1");
  WriteFile(project / "orchestra.toml", config);
}

/// The state letter of /proc/<pid>/stat (R, S, T, Z, ...), or '?' when gone.
char ProcessState(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  const std::string stat = fs::exists(proc) ? ReadFile(proc + "/stat") : "";
  const size_t name_end = stat.rfind(')');
  return name_end == std::string::npos || name_end + 2 >= stat.size() ? '?' : stat[name_end + 2];
}

/// A simulated agent held still with SIGSTOP: its attempt stays running (its
/// process has not ended, so the orchestrator records nothing about it) until
/// Release, which the destructor does too.
struct HeldAttempt {
  std::string workstream;
  pid_t pid = 0;
  ~HeldAttempt() { Release(); }
  void Release() {
    if (pid > 0) kill(pid, SIGCONT);
  }
};

/// Stops the sim agent of some attempt the state records as running: tries
/// each in turn until one is caught alive (one that ended meanwhile is
/// skipped), checking by its command line that the pid is still that agent.
bool HoldARunningAttempt(const std::string& database, HeldAttempt* held) {
  return WaitUntil([&] {
    std::istringstream rows(Sqlite3(database, "SELECT pid || ' ' || workstream_id FROM attempts "
                                              "WHERE outcome = 'running' AND pid > 0")
                                .out);
    pid_t pid = 0;
    std::string id;
    while (rows >> pid && std::getline(rows >> std::ws, id, '\n')) {
      const std::string proc = "/proc/" + std::to_string(pid);
      std::string command_line = fs::exists(proc) ? ReadFile(proc + "/cmdline") : "";
      std::replace(command_line.begin(), command_line.end(), '\0', ' ');
      if (command_line.find(" sim-agent --id " + id + " ") == std::string::npos || kill(pid, SIGSTOP) != 0) continue;
      held->workstream = id;
      held->pid = pid;
      char state = '?';
      WaitUntil([&] { return (state = ProcessState(pid)) == 'T' || state == 'Z' || state == '?'; });
      if (state == 'T') return true;
      held->Release();  // it had ended already
      held->pid = 0;
    }
    return false;
  });
}

TEST(BrowserTest, TheDashboardAndTheReportFollowASimRunOfTheExample) {
  const std::string tools = BrowserTools();
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "/usr/bin/chromium is absent (scripts/install-deps.sh)";
  if (!fs::exists(tools + "/node_modules/playwright-core/package.json")) {
    GTEST_SKIP() << "playwright-core is absent from " << tools << " (scripts/install-deps.sh)";
  }
  TempDir project;
  CopyExample(project.path());
  const std::string database = project / ".state/orchestration.db";
  const std::string artefacts = fs::path(ORCHESTRA_BINARY).parent_path() / "test-artefacts";
  fs::create_directories(artefacts);

  // A server of its own rather than `run --serve`, which stops with the run:
  // the page must still be answered after the run's last event.
  const pid_t serve = StartOrchestra(project.path(), {"serve", "--port", "0"}, project / "serve.out");
  std::smatch match;
  const std::regex serving("serving (http://127\\.0\\.0\\.1:[0-9]+/)");
  std::vector<std::string> lines;
  ASSERT_TRUE(WaitUntil([&] {
    lines = ReadLines(project / "serve.out");
    return !lines.empty() && std::regex_match(lines[0], match, serving);
  })) << ReadFile(project / "serve.out");
  const std::string url = match[1].str();

  const pid_t run = StartOrchestra(project.path(), {"run"}, project / "run.out");
  HeldAttempt held;
  ASSERT_TRUE(HoldARunningAttempt(database, &held)) << "no attempt could be held\n" << ReadFile(project / "run.out");

  // The report of the run in progress, read beside the orchestrator.
  const CommandResult live = RunOrchestra(project.path(), {"report", "-o", "live-report.html"});
  EXPECT_EQ(live.exit_code, 0) << live.err;
  EXPECT_EQ(live.out, "Report: live-report.html\n");

  const CommandResult dashboard =
      RunCommand(project.path(), {"node", std::string(ORCHESTRA_SOURCE_DIR) + "/tests/browser/dashboard_scenario.mjs", tools, url,
                                  held.workstream, std::to_string(held.pid), artefacts});
  held.Release();  // should the browser have failed before releasing it
  EXPECT_EQ(dashboard.exit_code, 0) << dashboard.err;
  EXPECT_EQ(WaitForExit(run), 0) << ReadFile(project / "run.out");
  std::string attempts = Sqlite3(database, "SELECT COUNT(*) FROM attempts").out;
  attempts = attempts.substr(0, attempts.find('\n'));
  const std::string& id = held.workstream;
  EXPECT_EQ(dashboard.out,
            id + " running (fill #9fd3f7)\n"
            "details of " + id + " open, its log shows its start\n"
            "released: the log grew to " + id + " done and its acceptance tests\n"
            "run completed: 39 of 39 completed, every node filled #a8dda0\n"
            "every node not completed at first changed its fill, " + id + " from #9fd3f7\n"
            "lanes: " + attempts + " attempt bars\n"
            "no page errors\n");
  kill(serve, SIGTERM);
  EXPECT_EQ(WaitForExit(serve), 0);
  for (const char* screenshot : {"dashboard-running.png", "dashboard-details.png", "dashboard-finished.png"}) {
    EXPECT_TRUE(fs::exists(artefacts + "/" + screenshot)) << screenshot;
  }

  // The finished run's report: one Gantt bar per attempt in the state.
  const CommandResult finished = RunOrchestra(project.path(), {"report"});
  EXPECT_EQ(finished.exit_code, 0) << finished.err;
  EXPECT_EQ(finished.out, "Report: reports/report.html\nReport: reports/execution_report.md\n");
  const CommandResult report =
      RunCommand(project.path(), {"node", std::string(ORCHESTRA_SOURCE_DIR) + "/tests/browser/report_scenario.mjs", tools,
                                  project / "live-report.html", project / "reports/report.html", id, artefacts});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(report.out,
            "live report: run 1 running, one bar per attempt listed, " + id + "'s bar running\n"
            "finished report: run 1 completed, " + attempts +
                " bars, one per attempt listed, 39 workstream rows, 0 failures\n"
            "nothing but the file was loaded, no page errors\n");
  EXPECT_TRUE(fs::exists(artefacts + "/report.png"));
}

}  // namespace
}  // namespace orchestra::testing
