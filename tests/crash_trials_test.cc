// Randomized crash trials: `kill -9` of the orchestrator at a random moment
// of a 100-workstream run of sim agents (the moment: after a random number of
// execution_log rows, seen by polling the state read-only), then `orchestra
// run` to the end and every invariant checked (tests/support/run_invariants.h).
// The suite runs a few trials; scripts/crash_trials.sh runs many
// (ORCHESTRA_CRASH_TRIALS, ORCHESTRA_CRASH_SEED).
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include <gtest/gtest.h>

#include "run_invariants.h"
#include "secret_scan.h"
#include "sim_project.h"

namespace orchestra::testing {
namespace {

long long EnvNumber(const char* name, long long fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoll(value) : fallback;
}

/// One number from the state, read on a read-only connection; -1 while the
/// database or its tables do not exist yet.
long long Count(const std::string& database, const char* query) {
  sqlite3* db = nullptr;
  long long count = -1;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, query, -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      count = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close_v2(db);
  return count;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST(CrashTrialsTest, KillNineAtRandomMomentsThenResumeLosesNothing) {
  const long long trials = EnvNumber("ORCHESTRA_CRASH_TRIALS", 5);
  const long long seed = EnvNumber("ORCHESTRA_CRASH_SEED", 1);
  std::mt19937_64 random(static_cast<uint64_t>(seed));
  long long killed = 0, finished_first = 0, completed_at_kills = 0, requeued = 0, orphans_killed = 0;
  const CampaignSecrets secrets;  // the agents' API keys: none may survive a trial
  for (long long trial = 1; trial <= trials; ++trial) {
    SimProjectOptions options;
    options.workstreams = 100;
    options.agents = 4;
    options.seed = static_cast<uint64_t>(seed) * 100'000 + static_cast<uint64_t>(trial);
    options.failing_first = 10;  // retries among the events
    options.time_scale = 0.005;
    options.extra_config = "[planner]\nbudget = \"20ms\"\n" + secrets.RedactTable();
    options.agent_type_extra = secrets.EnvLine();
    SimProject project(options);
    // A full run writes about 225 rows: run_started, the starts, ends and
    // retries, run_ended.
    const long long rows = 1 + static_cast<long long>(random() % 225);
    const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project.path() + "/run.out");
    int status = 0;
    bool ended = false;
    ASSERT_TRUE(WaitUntil(
        [&] {
          ended = waitpid(orchestrator, &status, WNOHANG) == orchestrator;
          return ended || Count(project.StatePath(), "SELECT COUNT(*) FROM execution_log") >= rows;
        },
        300));
    if (!ended) {
      kill(orchestrator, SIGKILL);
      const int code = WaitForExit(orchestrator);
      // It may have ended on its own after the last look and before the kill.
      ended = code != 128 + SIGKILL;
      if (ended) {
        EXPECT_EQ(code, 0) << ReadFile(project.path() + "/run.out");
      }
    }
    ++(ended ? finished_first : killed);
    const long long completed =
        Count(project.StatePath(), "SELECT COUNT(*) FROM workstream_status WHERE status = 'completed'");
    completed_at_kills += std::max(0LL, completed);
    const long long left_running = static_cast<long long>(AgentProcessesOf(project.StatePath()).size());
    orphans_killed += left_running;

    const CommandResult resumed = RunOrchestra(project.path(), {"run"}, 300);
    ASSERT_EQ(resumed.exit_code, 0) << "trial " << trial << " (seed " << seed << ", kill after " << rows
                                    << " rows)\n" << resumed.out << resumed.err;
    const std::vector<std::string> violations = RunInvariantViolations(project.path(), project.StatePath());
    ASSERT_TRUE(violations.empty()) << "trial " << trial << " (seed " << seed << ", kill after " << rows
                                    << " rows)\n" << Joined(violations);
    const std::vector<std::string> leaks = SecretLeaks(
        {.project_dir = project.path(), .outputs = {{"the resumed run's output", resumed.out + resumed.err}}},
        secrets.values());
    ASSERT_TRUE(leaks.empty()) << "trial " << trial << " (seed " << seed << ", kill after " << rows
                               << " rows)\n" << Joined(leaks);
    const long long trial_requeued =
        std::max(0LL, Count(project.StatePath(), "SELECT COUNT(*) FROM attempts WHERE outcome = 'abandoned'"));
    requeued += trial_requeued;
    std::printf("trial %lld: %s after %lld execution_log rows, %lld completed then, %lld agent process(es) "
                "left running, %lld attempt(s) requeued on resume; invariants hold\n",
                trial, ended ? "run ended before its kill" : "killed", rows, completed, left_running,
                trial_requeued);
    std::fflush(stdout);  // progress, when the campaign's output goes to a file
  }
  std::printf("crash trials (seed %lld): %lld trials, %lld killed mid-run, %lld ended first; %lld workstreams "
              "were completed at the kills, none ran again; %lld agent processes outlived the kills, all gone "
              "after the resume; %lld attempts requeued; no API key found anywhere\n",
              seed, trials, killed, finished_first, completed_at_kills, orphans_killed, requeued);
}

TEST(CrashTrialsTest, ARunKilledAfterItsLastWorkstreamIsRecordedAsCrashedByTheNextRun) {
  // Found by trial 184 of the first campaign: killed after its run_ended
  // event but before the run's end was committed, a run stayed `running`, as
  // the next `orchestra run` had nothing to do and recorded nothing. The state
  // such a kill leaves, made directly:
  SimProject project(SimProjectOptions{});
  ASSERT_EQ(project.Run().exit_code, 0);
  ASSERT_EQ(Sqlite3(project.StatePath(), "UPDATE runs SET state = 'running', ended_at = NULL").exit_code, 0);
  const std::string pid = Sqlite3(project.StatePath(), "SELECT pid FROM runs").out;
  const CommandResult nothing = project.Run();
  EXPECT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_EQ(nothing.out, "nothing to run: every workstream is completed\n");
  EXPECT_EQ(Sqlite3(project.StatePath(), "SELECT state FROM runs").out, "crashed\n");
  EXPECT_EQ(Sqlite3(project.StatePath(), "SELECT message FROM execution_log WHERE event_type = 'crashed'").out,
            "run 1 (pid " + pid.substr(0, pid.size() - 1) + ") stopped without ending; recorded as crashed\n");
  const std::vector<std::string> violations = RunInvariantViolations(project.path(), project.StatePath());
  EXPECT_TRUE(violations.empty()) << Joined(violations);
}

}  // namespace
}  // namespace orchestra::testing
