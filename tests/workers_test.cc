// Several `orchestra worker` processes sharing one PostgreSQL state
// (tests/support/postgres_server.h): they complete a submitted plan with every
// workstream completed exactly once, reclaim the leases of a worker killed
// with SIGKILL, and refuse, by the fencing token, the late result of a worker
// paused with SIGSTOP past its lease. Every wait is on state rows, none on a
// clock. Skipped, saying why, without the PostgreSQL server binaries.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "postgres_server.h"
#include "project_builder.h"
#include "temp_dir.h"

namespace orchestra::testing {
namespace {

/// What a process started by StartOrchestra printed: its standard output,
/// then its standard error (kept beside it in `log_path` + ".err").
std::string Printed(const std::string& log_path) {
  return ReadFile(log_path) + "\n[stderr]\n" + ReadFile(log_path + ".err");
}

/// True when a live process's command line contains `text` (a zombie's is empty).
bool ProcessWithCommandLine(const std::string& text) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string line = ReadFile(entry.path() / "cmdline");
    std::replace(line.begin(), line.end(), '\0', ' ');
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

const int kPostgresServer = RegisterPostgresServerEnvironment();

class WorkersTest : public ::testing::Test {
 protected:
  void SetUp() override { FreshPostgresDatabase(&url_); }

  /// One value of a query that returns one row and column.
  std::string Value(const std::string& sql) const {
    const std::vector<std::string> rows = PostgresQuery(url_, sql);
    return rows.size() == 1 ? rows[0] : "";
  }

  /// Succeeded attempts (completion rows) of each workstream.
  std::map<std::string, int> Completions() const {
    std::map<std::string, int> counts;
    for (const std::string& row :
         PostgresQuery(url_, "SELECT workstream_id, count(*) FROM attempts WHERE outcome = 'succeeded'"
                             " GROUP BY workstream_id")) {
      counts[row.substr(0, row.find('|'))] = std::stoi(row.substr(row.find('|') + 1));
    }
    return counts;
  }

  /// Status of `id` in the shared state.
  std::string StatusOf(const std::string& id) const {
    return Value("SELECT status FROM workstream_status WHERE workstream_id = '" + id + "'");
  }

  pid_t StartWorker(const TestProject& project, const std::string& name, const std::string& lease) {
    return StartOrchestra(project.path(), {"--state", url_, "worker", "--lease", lease}, project / (name + ".out"));
  }

  void Submit(const TestProject& project) {
    const CommandResult submit = RunOrchestra(project.path(), {"--state", url_, "submit"});
    ASSERT_EQ(submit.exit_code, 0) << submit.out << submit.err;
  }

  /// One agent each for a `run` and a `worker --wait` started beside it in
  /// `project` (whose held workstreams "a" and "b" are ready at once): returns
  /// once each runs one of them, which only happens when both claim.
  void StartRunBesideAWaitingWorker(TestProject* project, pid_t* worker, pid_t* run) {
    project->WriteConfig({{"agent-1", ""}});
    // Nothing is submitted yet: the worker waits for the run's submission.
    *worker = StartOrchestra(project->path(), {"--state", url_, "worker", "--wait"}, *project / "worker.out");
    *run = StartOrchestra(project->path(), {"--state", url_, "run"}, *project / "run.out");
    ASSERT_TRUE(WaitUntil([&] { return Value("SELECT to_regclass('attempts') IS NOT NULL") == "t"; }));
    ASSERT_TRUE(WaitUntil([&] {
      return Value("SELECT count(DISTINCT lease_owner) FROM attempts WHERE outcome = 'running'"
                   " AND pid IS NOT NULL") == "2";
    })) << ReadFile(*project / "run.out") << ReadFile(*project / "worker.out");
  }

  /// `project` of one workstream, "held" (its agent runs until released),
  /// submitted; a worker ("paused", lease 2 s) started its attempt and was
  /// then stopped with SIGSTOP.
  void StopAWorkerOnAHeldAttempt(TestProject* project, pid_t* paused) {
    project->AddWorkstream("held", {});
    project->Hold("held");
    project->WriteConfig({{"agent-1", ""}});
    Submit(*project);
    *paused = StartWorker(*project, "paused", "2");
    // Running, its process recorded: the start's writes are committed, and the
    // worker only polls from here on.
    ASSERT_TRUE(WaitUntil([&] {
      return Value("SELECT count(*) FROM attempts WHERE workstream_id = 'held' AND outcome = 'running'"
                   " AND pid IS NOT NULL") == "1";
    }));
    kill(*paused, SIGSTOP);
  }

  /// Kills one of `workers`, chosen by `random`, with SIGKILL once `count_sql`
  /// counts a random number (0 to 29) of rows, then waits for the others to
  /// finish their plan (`output_of(i)`: what worker i printed). Says whom it
  /// killed when, for the caller's trace.
  std::string KillOneAtRandom(std::mt19937* random, const std::vector<pid_t>& workers, const std::string& count_sql,
                              const std::function<std::string(size_t)>& output_of) {
    const int kill_after = std::uniform_int_distribution<int>(0, 29)(*random);
    const size_t victim = std::uniform_int_distribution<size_t>(0, workers.size() - 1)(*random);
    const std::string what =
        "kill worker " + std::to_string(victim) + " once " + count_sql + " counts " + std::to_string(kill_after);
    SCOPED_TRACE(what);
    EXPECT_TRUE(WaitUntil(
        [&] { return std::stoi(Value(count_sql)) >= kill_after || !ProcessAlive(workers[victim]); }, 120));
    kill(workers[victim], SIGKILL);
    WaitForExit(workers[victim]);
    for (size_t i = 0; i < workers.size(); ++i) {
      if (i != victim) {
        EXPECT_EQ(WaitForExit(workers[i], 300), 0) << output_of(i);
      }
    }
    return what;
  }

  std::string url_;
};

TEST_F(WorkersTest, SubmitStoresThePlanAndReportsWhatChanged) {
  TestProject project;
  project.AddWorkstream("a", {});
  project.AddWorkstream("b", {"a"});
  project.WriteConfig({{"agent-1", ""}});
  const CommandResult first = RunOrchestra(project.path(), {"--state", url_, "submit"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "submission 1: 2 workstreams; added: a, b\n");
  EXPECT_EQ(PostgresQuery(url_, "SELECT workstream_id, depends_on FROM plan_dependencies"),
            (std::vector<std::string>{"b|a"}));
  const CommandResult again = RunOrchestra(project.path(), {"--state", url_, "submit"});
  EXPECT_EQ(again.out, "submission 1: 2 workstreams, unchanged\n");
  project.AddWorkstream("b", {}, "\"title\": \"B, edited\"");
  project.AddWorkstream("c", {});
  std::filesystem::remove(project / "workstreams/a.json");
  // A worker runs the submission, and says the files here differ from it.
  const CommandResult worker = RunOrchestra(project.path(), {"--state", url_, "worker"});
  EXPECT_EQ(worker.exit_code, 0) << worker.out;
  EXPECT_EQ(worker.err,
            "orchestra: warning: the workstream files here differ from submission 1 (added: c; removed: a; edited: "
            "b): this worker runs the submission; `orchestra submit` updates it\n");
  EXPECT_EQ(Completions(), (std::map<std::string, int>{{"a", 1}, {"b", 1}}));
  const CommandResult changed = RunOrchestra(project.path(), {"--state", url_, "submit"});
  EXPECT_EQ(changed.out, "submission 2: 2 workstreams; added: c; removed: a; edited: b\n");
}

TEST_F(WorkersTest, AWorkerNeedsPostgresqlAndASubmission) {
  TestProject project;
  project.AddWorkstream("a", {});
  project.WriteConfig({{"agent-1", ""}});
  const CommandResult file_state = RunOrchestra(project.path(), {"worker"});
  EXPECT_EQ(file_state.exit_code, 2);
  EXPECT_EQ(file_state.err,
            "orchestra: orchestra worker needs a shared state: pass --state postgresql://... (or set [state] url in "
            "orchestra.toml); with a state file, use `orchestra run`\n");
  const CommandResult unsubmitted = RunOrchestra(project.path(), {"--state", url_, "worker"});
  EXPECT_EQ(unsubmitted.exit_code, 2);
  EXPECT_EQ(unsubmitted.err, "orchestra: nothing has been submitted to this state: run `orchestra submit` first\n");
}

// Workers need the repository, not the workstream files: the plan comes
// from the state.
TEST_F(WorkersTest, AWorkerWithoutTheWorkstreamFilesRunsTheSubmittedPlan) {
  TestProject project;
  project.AddWorkstream("a", {});
  project.AddWorkstream("b", {"a"}, "\"title\": \"B\"");
  project.WriteConfig({{"agent-1", ""}});
  Submit(project);
  std::filesystem::remove_all(project / "workstreams");
  const CommandResult worker = RunOrchestra(project.path(), {"--state", url_, "worker"});
  EXPECT_EQ(worker.exit_code, 0) << worker.out << worker.err;
  EXPECT_EQ(worker.err, "");
  EXPECT_EQ(Completions(), (std::map<std::string, int>{{"a", 1}, {"b", 1}}));
  // A submission that does not hold together here is refused with the
  // loader's own words, naming the file it was submitted from.
  PostgresQuery(url_, "UPDATE plan_workstreams SET definition = '{\"id\": \"b\", \"depends_on\": 7}'"
                      " WHERE workstream_id = 'b'");
  const CommandResult broken = RunOrchestra(project.path(), {"--state", url_, "worker"});
  EXPECT_EQ(broken.exit_code, 2) << broken.out;
  EXPECT_NE(broken.err.find("workstreams/b.json"), std::string::npos) << broken.err;
}

/// The lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

bool HasLine(const std::string& text, const std::string& line) {
  const std::vector<std::string> lines = Lines(text);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// `worker --wait` is a service: it runs each new submission as it comes and
// stops on SIGTERM, between runs, with exit 0.
TEST_F(WorkersTest, AWaitingWorkerRunsEachNewSubmissionUntilStopped) {
  TestProject project;
  project.AddWorkstream("a", {});
  project.WriteConfig({{"agent-1", ""}});
  Submit(project);
  const std::string out = project / "waiting.out";
  const pid_t worker = StartOrchestra(project.path(), {"--state", url_, "worker", "--wait"}, out);
  std::string id;  // from its first line, "worker ID: lease 30s"
  ASSERT_TRUE(WaitUntil([&] {
    const std::vector<std::string> lines = Lines(ReadFile(out));
    if (lines.empty()) return false;
    id = lines[0].substr(7, lines[0].size() - 7 - std::string(": lease 30s").size());
    return true;
  }));
  const std::string prefix = "worker " + id + ": ";
  ASSERT_TRUE(WaitUntil([&] {
    return HasLine(ReadFile(out), prefix + "submission 1 ended (exit 0); waiting for the next submission");
  })) << ReadFile(out);
  project.AddWorkstream("b", {"a"});
  Submit(project);
  ASSERT_TRUE(WaitUntil([&] {
    return HasLine(ReadFile(out), prefix + "submission 2 ended (exit 0); waiting for the next submission");
  })) << ReadFile(out);
  kill(worker, SIGTERM);
  EXPECT_EQ(WaitForExit(worker), 0) << ReadFile(out);
  const std::string text = ReadFile(out);
  EXPECT_TRUE(HasLine(text, prefix + "lease 30s")) << text;
  EXPECT_TRUE(HasLine(text, prefix + "running submission 1 (1 workstream)")) << text;
  EXPECT_TRUE(HasLine(text, prefix + "running submission 2 (2 workstreams)")) << text;
  EXPECT_TRUE(HasLine(text, prefix + "stopped by SIGTERM while waiting for a submission")) << text;
  EXPECT_EQ(Completions(), (std::map<std::string, int>{{"a", 1}, {"b", 1}}));
}

TEST_F(WorkersTest, ThreeWorkersCompleteTwoHundredWorkstreamsEachExactlyOnce) {
  TestProject project;
  std::map<std::string, int> once;
  for (int i = 0; i < 200; ++i) {
    const std::string id = "w" + std::to_string(1000 + i);
    // Ten chains of twenty: a worker often waits for another's completion.
    project.AddWorkstream(id, i >= 10 ? std::vector<std::string>{"w" + std::to_string(1000 + i - 10)}
                                      : std::vector<std::string>{});
    once[id] = 1;
  }
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}});
  Submit(project);
  std::vector<pid_t> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(StartWorker(project, "worker" + std::to_string(i), "30"));
  for (size_t i = 0; i < workers.size(); ++i) {
    EXPECT_EQ(WaitForExit(workers[i], 300), 0) << Printed(project / ("worker" + std::to_string(i) + ".out"));
  }
  EXPECT_EQ(Completions(), once);
  EXPECT_EQ(Value("SELECT count(*) FROM workstream_status WHERE status <> 'completed'"), "0");
  EXPECT_EQ(Value("SELECT count(DISTINCT lease_owner) > 1 FROM attempts"), "t");  // the work was shared
}

TEST_F(WorkersTest, AWorkerTakesOverWhatAKilledWorkerOfItsHostLeftAndKeepsItsAgentsWork) {
  TestProject project;
  project.AddWorkstream("held", {});
  project.AddWorkstream("after", {"held"});
  project.AddWorkstream("other", {});
  project.Hold("held");
  project.WriteConfig({{"agent-1", ""}});
  Submit(project);
  // A long lease: only the take-over, not its expiry, lets the second worker
  // have "held" before the test's deadline.
  const pid_t first = StartWorker(project, "first", "600");
  ASSERT_TRUE(WaitUntil([&] {  // its agent's supervisor spawned and recorded
    return Value("SELECT count(*) FROM attempts WHERE workstream_id = 'held' AND pid IS NOT NULL") == "1";
  }));
  kill(first, SIGKILL);
  WaitForExit(first);
  // Its agent outlives it (under its supervisor) and ends while no worker runs.
  project.Release("held");
  const pid_t second = StartWorker(project, "second", "30");
  EXPECT_EQ(WaitForExit(second), 0) << Printed(project / "second.out");
  EXPECT_EQ(Completions(), (std::map<std::string, int>{{"after", 1}, {"held", 1}, {"other", 1}}));
  EXPECT_EQ(Value("SELECT count(*) FROM execution_log WHERE event_type = 'lease_taken_over' AND workstream_id = 'held'"),
            "1");
  // The agent's work was kept (collected, or adopted if it still ran), not thrown away.
  EXPECT_EQ(Value("SELECT count(*) FROM execution_log WHERE event_type IN ('collected', 'adopted')"
                  " AND workstream_id = 'held'"),
            "1");
  EXPECT_EQ(Value("SELECT count(*) FROM attempts WHERE workstream_id = 'held'"), "1");
  EXPECT_EQ(Value("SELECT count(*) FROM execution_log WHERE event_type = 'lease_expired'"), "0");
}

TEST_F(WorkersTest, RunOnASharedStateSubmitsThePlanAndWorksBesideTheWorkers) {
  TestProject project;
  project.AddWorkstream("a", {});
  project.AddWorkstream("b", {});
  project.AddWorkstream("c", {"a", "b"});
  project.Hold("a");
  project.Hold("b");
  pid_t worker = 0, run = 0;
  ASSERT_NO_FATAL_FAILURE(StartRunBesideAWaitingWorker(&project, &worker, &run));
  project.Release("a");
  project.Release("b");
  EXPECT_EQ(WaitForExit(run), 0) << ReadFile(project / "run.out") << ReadFile(project / "run.out.err");
  EXPECT_TRUE(WaitUntil([&] { return ReadFile(project / "worker.out").find("waiting for the next") != std::string::npos; }))
      << ReadFile(project / "worker.out");
  kill(worker, SIGTERM);
  EXPECT_EQ(WaitForExit(worker), 0) << Printed(project / "worker.out");
  EXPECT_EQ(Completions(), (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}}));
  EXPECT_EQ(Value("SELECT count(*) FROM submissions"), "1");
  EXPECT_EQ(Value("SELECT string_agg(state, ',') FROM runs"), "completed");  // the planner's run, not the worker's
  EXPECT_NE(ReadFile(project / "run.out").find("all selected workstreams completed"), std::string::npos)
      << ReadFile(project / "run.out");
  // A second run finds the plan unchanged and nothing to do.
  const CommandResult again = RunOrchestra(project.path(), {"--state", url_, "run"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "nothing to run: every workstream is completed\n");
}

// A run killed with kill -9 beside a live worker of the same host: started
// again, it takes over (and adopts) only its own attempt; the worker's goes
// on under the worker's lease.
TEST_F(WorkersTest, ARestartedRunTakesOverItsOwnAttemptsAndLeavesALiveWorkersAlone) {
  TestProject project;
  project.AddWorkstream("a", {});
  project.AddWorkstream("b", {});
  project.Hold("a");
  project.Hold("b");
  pid_t worker = 0, run = 0;
  ASSERT_NO_FATAL_FAILURE(StartRunBesideAWaitingWorker(&project, &worker, &run));
  const std::string run_owner = Value("SELECT id FROM workers WHERE pid = " + std::to_string(run));
  const std::string runs_attempt = Value("SELECT workstream_id FROM attempts WHERE lease_owner = '" + run_owner + "'");
  const std::string workers_attempt = runs_attempt == "a" ? "b" : "a";
  kill(run, SIGKILL);
  WaitForExit(run);
  const pid_t again = StartOrchestra(project.path(), {"--state", url_, "run"}, project / "again.out");
  ASSERT_TRUE(WaitUntil([&] {
    return Value("SELECT count(*) FROM execution_log WHERE event_type = 'adopted'") == "1";
  })) << ReadFile(project / "again.out");
  EXPECT_EQ(Value("SELECT string_agg(workstream_id, ',') FROM execution_log WHERE event_type = 'lease_taken_over'"),
            runs_attempt);
  EXPECT_EQ(Value("SELECT lease_owner = '" + run_owner + "' FROM attempts WHERE workstream_id = '" +
                  workers_attempt + "'"),
            "f");  // still the worker's
  project.Release("a");
  project.Release("b");
  EXPECT_EQ(WaitForExit(again), 0) << Printed(project / "again.out");
  EXPECT_TRUE(WaitUntil([&] { return ReadFile(project / "worker.out").find("waiting for the next") != std::string::npos; }))
      << ReadFile(project / "worker.out");
  kill(worker, SIGTERM);
  EXPECT_EQ(WaitForExit(worker), 0) << Printed(project / "worker.out");
  EXPECT_EQ(Completions(), (std::map<std::string, int>{{"a", 1}, {"b", 1}}));
  EXPECT_EQ(Value("SELECT count(*) FROM attempts"), "2");  // nothing ran twice
}

TEST_F(WorkersTest, TheLateResultOfAPausedWorkerIsRejectedByItsFencingToken) {
  TestProject project;
  pid_t paused = 0;
  ASSERT_NO_FATAL_FAILURE(StopAWorkerOnAHeldAttempt(&project, &paused));
  // Its agent ends while it is stopped; another worker reclaims the lapsed
  // lease and completes the workstream.
  project.Release("held");
  const pid_t other = StartWorker(project, "other", "2");
  EXPECT_EQ(WaitForExit(other), 0) << ReadFile(project / "other.out");
  ASSERT_EQ(StatusOf("held"), "completed");
  kill(paused, SIGCONT);
  EXPECT_EQ(WaitForExit(paused), 0) << ReadFile(project / "paused.out");
  EXPECT_EQ(Value("SELECT count(*) FROM execution_log WHERE event_type = 'rejected_late_result'"
                  " AND workstream_id = 'held'"),
            "1");
  EXPECT_EQ(Completions(), (std::map<std::string, int>{{"held", 1}}));
  EXPECT_EQ(Value("SELECT outcome FROM attempts WHERE workstream_id = 'held' ORDER BY id LIMIT 1"), "abandoned");
}

// A worker that finds its lease reclaimed (it was stopped past it) stops its
// agent at once: the result would be refused, and the work is another
// worker's. Its agent here never ends by itself (held): the refused end
// before the hold is released proves the worker ended it.
TEST_F(WorkersTest, AWorkerStopsTheAgentOfALeaseItLost) {
  TestProject project;
  pid_t paused = 0;
  ASSERT_NO_FATAL_FAILURE(StopAWorkerOnAHeldAttempt(&project, &paused));
  const pid_t other = StartWorker(project, "other", "2");
  ASSERT_TRUE(WaitUntil([&] {
    return Value("SELECT count(*) FROM attempts WHERE workstream_id = 'held' AND outcome = 'running'"
                 " AND lease_owner NOT IN (SELECT lease_owner FROM attempts ORDER BY id LIMIT 1)") == "1";
  }, 60));
  kill(paused, SIGCONT);
  ASSERT_TRUE(WaitUntil([&] {
    return Value("SELECT count(*) FROM execution_log WHERE event_type = 'rejected_late_result'"
                 " AND workstream_id = 'held'") == "1";
  }, 60)) << ReadFile(project / "paused.out");
  EXPECT_EQ(StatusOf("held"), "running");  // the other worker's attempt goes on
  project.Release("held");
  EXPECT_EQ(WaitForExit(other), 0) << ReadFile(project / "other.out");
  EXPECT_EQ(WaitForExit(paused), 0) << ReadFile(project / "paused.out");
  EXPECT_EQ(Completions(), (std::map<std::string, int>{{"held", 1}}));
}

/// Workers on several hosts with worktree isolation: a bare repository (the
/// shared remote), the project pushed to it from a first checkout (which
/// submits the plan), and one clone per worker. Sim agents with isolation
/// write `.orchestra-sim/<id>.md` in their worktree, so every workstream has
/// a change to merge.
class SharedGitPlan {
 public:
  /// One workstream: its id, dependencies and extra JSON fields.
  struct Spec {
    std::string id;
    std::vector<std::string> depends_on;
    std::string extra;
  };

  /// `count` workstreams: g100.. each depending on the one `width` before it,
  /// and every fifth also on the one just before it.
  static std::vector<Spec> Chains(int count, int width) {
    std::vector<Spec> specs;
    for (int i = 0; i < count; ++i) {
      Spec spec{Id(i), {}, ""};
      if (i >= width) spec.depends_on.push_back(Id(i - width));
      if (i % 5 == 4) spec.depends_on.push_back(Id(i - 1));
      specs.push_back(spec);
    }
    return specs;
  }

  /// `defaults`: lines added to [defaults]; `agents`: per worker;
  /// `agent_type`: the body of the agents' type (by default quick sim agents).
  SharedGitPlan(const std::string& url, const std::vector<Spec>& specs, int clones, const std::string& defaults = "",
                int agents = 2, const std::string& agent_type = "kind = \"sim\"\ntime_scale = 0.02\n")
      : url_(url) {
    Git(dir_.path(), {"git", "init", "-q", "--bare", "-b", "main", Remote()});
    const std::string seed = Seed();
    for (const Spec& spec : specs) {
      std::string list;
      for (const std::string& dependency : spec.depends_on) list += (list.empty() ? "\"" : ", \"") + dependency + "\"";
      WriteFile(seed + "/workstreams/" + spec.id + ".json",
                "{\"id\": \"" + spec.id + "\", \"title\": \"Work " + spec.id + "\", \"depends_on\": [" + list + "]" +
                    (spec.extra.empty() ? "" : ", " + spec.extra) + "}\n");
      ids_.push_back(spec.id);
      dependencies_[spec.id] = spec.depends_on;
    }
    std::string config = "[defaults]\nbackoff = \"0s\"\nkill_grace = \"1s\"\nmax_attempts = 3\nremote = \"" +
                         Remote() + "\"\n" + defaults + "\n[agent_types.quick]\n" + agent_type;
    for (int agent = 1; agent <= agents; ++agent) {
      config += "\n[[agents]]\nid = \"agent-" + std::to_string(agent) + "\"\ntype = \"quick\"\n";
    }
    WriteFile(seed + "/orchestra.toml", config);
    for (const std::vector<std::string>& git : {std::vector<std::string>{"git", "init", "-q", "-b", "main"},
                                                {"git", "config", "user.name", "Test User"},
                                                {"git", "config", "user.email", "user@example.com"},
                                                {"git", "add", "-A"},
                                                {"git", "commit", "-q", "--no-verify", "-m", "the project"},
                                                {"git", "push", "-q", Remote(), "main"}}) {
      Git(seed, git);
    }
    const CommandResult submit = RunOrchestra(seed, {"--state", url_, "submit"});
    if (submit.exit_code != 0) throw std::runtime_error("submit failed: " + submit.err);
    for (int i = 0; i < clones; ++i) Git(dir_.path(), {"git", "clone", "-q", Remote(), Clone(i)});
  }

  std::string Remote() const { return dir_ / "remote.git"; }
  /// The checkout the plan was submitted from.
  std::string Seed() const { return dir_ / "seed"; }
  std::string Clone(int i) const { return dir_ / ("host" + std::to_string(i)); }
  const std::vector<std::string>& ids() const { return ids_; }

  pid_t StartWorker(int clone, const std::string& lease) const {
    return StartOrchestra(Clone(clone), {"--state", url_, "worker", "--lease", lease}, Output(clone));
  }
  std::string Output(int clone) const { return dir_ / ("host" + std::to_string(clone) + ".out"); }

  /// The workstreams the remote's integration branch merged, each as often
  /// as it did (its merge commits' trailers).
  std::map<std::string, int> MergedOnRemote() const { return MergedIn(Remote()); }
  /// The same in the repository `repo`.
  static std::map<std::string, int> MergedIn(const std::string& repo) {
    std::map<std::string, int> merged;
    const CommandResult log = RunCommand(
        repo, {"git", "log", "--format=%(trailers:key=Orchestra-Workstream,valueonly)", "orchestra/integration"});
    std::istringstream lines(log.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) ++merged[line];
    }
    return merged;
  }

  /// Each workstream's merge commit contains its dependencies' merges: its
  /// worktree started from a head that had them. Empty when it holds, else
  /// the first edge that does not.
  std::string DependencyNotInMerge() const {
    for (const std::string& id : ids_) {
      for (const std::string& dependency : dependencies_.at(id)) {
        const std::string mine = MergeOf(id), theirs = MergeOf(dependency);
        if (mine.empty() || theirs.empty() ||
            RunCommand(Remote(), {"git", "merge-base", "--is-ancestor", theirs, mine}).exit_code != 0) {
          return dependency + " -> " + id;
        }
      }
    }
    return "";
  }

 private:
  static std::string Id(int i) { return "g" + std::to_string(100 + i); }
  static void Git(const std::string& dir, const std::vector<std::string>& argv) {
    const CommandResult result = RunCommand(dir, argv);
    if (result.exit_code != 0) throw std::runtime_error(argv[1] + " failed in " + dir + ": " + result.err);
  }
  std::string MergeOf(const std::string& id) const {
    const std::vector<std::string> rows = PostgresQuery(
        url_, "SELECT merge_commit FROM attempts WHERE workstream_id = '" + id + "' AND merge_commit IS NOT NULL"
              " AND id IN (SELECT attempt_id FROM integration_merges)");
    return rows.size() == 1 ? rows[0] : "";
  }

  std::string url_;
  TempDir dir_;
  std::vector<std::string> ids_;
  std::map<std::string, std::vector<std::string>> dependencies_;
};

// Three workers, each in its own clone, share their work through a bare
// repository: every workstream is merged exactly once into the shared
// integration branch, after its dependencies, and the state and the remote
// agree on its head.
TEST_F(WorkersTest, WorkersInSeparateClonesMergeEachWorkstreamOnceIntoTheSharedBranch) {
  SharedGitPlan plan(url_, SharedGitPlan::Chains(40, 8), 3);
  std::vector<pid_t> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(plan.StartWorker(i, "30"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(WaitForExit(workers[i], 300), 0) << ReadFile(plan.Output(i));
  std::map<std::string, int> once;
  for (const std::string& id : plan.ids()) once[id] = 1;
  EXPECT_EQ(Completions(), once);
  EXPECT_EQ(plan.MergedOnRemote(), once);
  EXPECT_EQ(plan.DependencyNotInMerge(), "");
  const CommandResult remote_head = RunCommand(plan.Remote(), {"git", "rev-parse", "orchestra/integration"});
  EXPECT_EQ(remote_head.out, Value("SELECT head FROM integration_heads") + "\n");
  EXPECT_EQ(Value("SELECT count(DISTINCT lease_owner) > 1 FROM attempts"), "t");  // the work was shared
  // Every workstream's work is in the shared branch.
  const CommandResult files =
      RunCommand(plan.Remote(), {"git", "ls-tree", "-r", "--name-only", "orchestra/integration", ".orchestra-sim/"});
  EXPECT_EQ(std::count(files.out.begin(), files.out.end(), '\n'), 40) << files.out;
}

// `orchestra run` on the shared state with no remote configured: its own
// repository is the one the workers share (a worker names it as its remote).
// Every workstream is merged once into the run's integration branch, whose
// head is the state's; `orchestra sync` then moves the state's head to bring
// in the user's new commit.
TEST_F(WorkersTest, ARunWithoutARemoteSharesItsRepositoryAndSyncsTheStatesHead) {
  SharedGitPlan plan(url_, SharedGitPlan::Chains(20, 5), 1);
  const std::string seed = plan.Seed();
  std::string config = ReadFile(seed + "/orchestra.toml");
  const size_t line = config.find("remote = ");
  config.erase(line, config.find('\n', line) + 1 - line);
  WriteFile(seed + "/orchestra.toml", config);
  ASSERT_EQ(RunCommand(seed, {"git", "commit", "-q", "-a", "-m", "no remote"}).exit_code, 0);
  const pid_t run = StartOrchestra(seed, {"--state", url_, "run"}, seed + "/../run.out");
  ASSERT_TRUE(WaitUntil([&] {
    return Value("SELECT to_regclass('integration_heads') IS NOT NULL") == "t" &&
           Value("SELECT count(*) FROM integration_heads") == "1";
  })) << ReadFile(seed + "/../run.out");
  const pid_t worker = StartOrchestra(plan.Clone(0), {"--state", url_, "worker", "--wait", "--remote", seed},
                                      plan.Output(0));
  EXPECT_EQ(WaitForExit(run, 300), 0) << ReadFile(seed + "/../run.out");
  // The worker sees the plan done at its next poll and waits for another.
  EXPECT_TRUE(WaitUntil([&] { return ReadFile(plan.Output(0)).find("waiting for the next") != std::string::npos; }))
      << ReadFile(plan.Output(0));
  kill(worker, SIGTERM);
  EXPECT_EQ(WaitForExit(worker), 0) << ReadFile(plan.Output(0));
  std::map<std::string, int> once;
  for (const std::string& id : plan.ids()) once[id] = 1;
  EXPECT_EQ(Completions(), once);
  EXPECT_EQ(SharedGitPlan::MergedIn(seed), once);
  EXPECT_EQ(RunCommand(seed, {"git", "rev-parse", "orchestra/integration"}).out,
            Value("SELECT head FROM integration_heads") + "\n");
  // The user commits; sync brings it into the state's head.
  WriteFile(seed + "/user.txt", "mine\n");
  ASSERT_EQ(RunCommand(seed, {"git", "add", "user.txt"}).exit_code, 0);
  ASSERT_EQ(RunCommand(seed, {"git", "commit", "-q", "-m", "user work"}).exit_code, 0);
  const CommandResult sync = RunOrchestra(seed, {"--state", url_, "sync"});
  EXPECT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  const std::string head = Value("SELECT head FROM integration_heads");
  EXPECT_EQ(RunCommand(seed, {"git", "rev-parse", "orchestra/integration"}).out, head + "\n");
  EXPECT_EQ(RunCommand(seed, {"git", "merge-base", "--is-ancestor", "main", head}).exit_code, 0);
  EXPECT_EQ(Value("SELECT count(*) FROM execution_log WHERE event_type = 'synced'"), "1");
}

// A worker paused while it holds the merge lock (verifying a merge: its
// acceptance test waits in host0 only) blocks the others only until the
// server ends its idle session: another worker reclaims the workstream,
// takes the lock and merges it; the paused one, resumed, finds its lease gone
// and merges nothing (rejected_late_merge). Merged exactly once.
TEST_F(WorkersTest, AWorkerPausedHoldingTheMergeLockMergesNothingLate) {
  const std::string hold =
      "if [ \\\"$ORCHESTRA_PHASE\\\" = verify ] && [ -f ../../../hold-verify ]; then touch ../../../in-verify;"
      " while [ -f ../../../hold-verify ]; do sleep 0.05; done; fi";
  SharedGitPlan plan(url_, {{"m", {}, "\"acceptance_tests\": [\"" + hold + "\"]"}}, 2,
                     "verify_after_merge = true\n", 1);
  WriteFile(plan.Clone(0) + "/hold-verify", "");
  const pid_t paused = plan.StartWorker(0, "2");
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(plan.Clone(0) + "/in-verify"); }, 60))
      << ReadFile(plan.Output(0));
  kill(paused, SIGSTOP);
  const pid_t other = plan.StartWorker(1, "2");
  EXPECT_EQ(WaitForExit(other, 120), 0) << ReadFile(plan.Output(1));
  ASSERT_EQ(StatusOf("m"), "completed");
  // Its verification ends while it is stopped: resumed, it goes on to the
  // merge (rather than having its verification stopped by the lost lease).
  std::filesystem::remove(plan.Clone(0) + "/hold-verify");
  ASSERT_TRUE(WaitUntil([] { return !ProcessWithCommandLine("hold-verify"); }));
  kill(paused, SIGCONT);
  EXPECT_EQ(WaitForExit(paused, 120), 0) << ReadFile(plan.Output(0));
  EXPECT_EQ(Value("SELECT count(*) FROM execution_log WHERE event_type = 'rejected_late_merge'"), "1");
  EXPECT_EQ(plan.MergedOnRemote(), (std::map<std::string, int>{{"m", 1}}));
  EXPECT_EQ(Value("SELECT count(*) FROM integration_merges"), "1");
}

/// An environment variable's whole number, or `fallback`.
int EnvNumber(const char* name, int fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::atoi(text) : fallback;
}

// Kill -9 of one of three workers after a random number of completions
// (ORCHESTRA_WORKER_TRIALS trials, 2 here, 20 in scripts/worker_trials.sh,
// seeded by ORCHESTRA_WORKER_SEED): the others reclaim its leases and every
// workstream is completed exactly once.
TEST_F(WorkersTest, RandomKillPointsLeaveEveryWorkstreamCompletedOnce) {
  const int trials = EnvNumber("ORCHESTRA_WORKER_TRIALS", 2);
  std::mt19937 random(static_cast<unsigned>(EnvNumber("ORCHESTRA_WORKER_SEED", 1)));
  for (int trial = 0; trial < trials; ++trial) {
    if (trial > 0) FreshPostgresDatabase(&url_);
    TestProject project;
    std::map<std::string, int> once;
    for (int i = 0; i < 30; ++i) {
      const std::string id = "t" + std::to_string(100 + i);
      project.AddWorkstream(id, i >= 5 ? std::vector<std::string>{"t" + std::to_string(100 + i - 5)}
                                       : std::vector<std::string>{});
      once[id] = 1;
    }
    project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}});
    Submit(project);
    std::vector<pid_t> workers;
    for (int i = 0; i < 3; ++i) workers.push_back(StartWorker(project, "worker" + std::to_string(i), "2"));
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " +
                 KillOneAtRandom(&random, workers, "SELECT count(*) FROM attempts WHERE outcome = 'succeeded'",
                                 [&](size_t i) { return ReadFile(project / ("worker" + std::to_string(i) + ".out")); }));
    EXPECT_EQ(Completions(), once);
    if (HasFailure()) return;
  }
}

// The same with worktree isolation, each worker in its own clone: after the
// kill -9 (perhaps mid-merge, holding the merge lock), every workstream is
// merged into the shared branch exactly once, after its dependencies.
// A worker stopped past its lease, whose agent ended meanwhile with changes,
// records none of them: the workstream is the other worker's, which merges
// it. Resumed, the stopped worker goes on to the end (it used to stop, "record
// changes of attempt 1: attempt already ended (abandoned)").
TEST_F(WorkersTest, AWorkerWhoseLeaseWasReclaimedRecordsNoneOfItsChanges) {
  TempDir gate;
  const std::string release = gate / "release";
  // The agent writes its work, waits for the test's release, then says it ended.
  const std::string agent = "kind = \"command\"\nargv = [\"sh\", \"-c\", \"echo work > work-$1.txt; while [ ! -e '" +
                            release + "' ]; do sleep 0.05; done; : > " + (gate / "ended-") +
                            "$1\", \"agent\", \"{id}\"]\n";
  SharedGitPlan plan(url_, {{"g100", {}, ""}}, 2, "", 1, agent);
  const pid_t paused = plan.StartWorker(0, "2");
  ASSERT_TRUE(WaitUntil([&] {
    return Value("SELECT count(*) FROM attempts WHERE outcome = 'running' AND pid IS NOT NULL") == "1";
  })) << Printed(plan.Output(0));
  kill(paused, SIGSTOP);
  WriteFile(release, "");
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(gate / "ended-g100"); }));
  std::filesystem::remove(gate / "ended-g100");
  // The other worker reclaims the lapsed lease and completes the workstream.
  const pid_t other = plan.StartWorker(1, "2");
  EXPECT_EQ(WaitForExit(other), 0) << Printed(plan.Output(1));
  ASSERT_EQ(StatusOf("g100"), "completed");
  kill(paused, SIGCONT);
  EXPECT_EQ(WaitForExit(paused), 0) << Printed(plan.Output(0));
  EXPECT_EQ(Value("SELECT count(*) FROM execution_log WHERE event_type = 'rejected_late_result'"), "1");
  EXPECT_EQ(Value("SELECT count(*) FROM attempts WHERE head_commit IS NOT NULL"), "1");  // the other's only
  EXPECT_EQ(Completions(), (std::map<std::string, int>{{"g100", 1}}));
  EXPECT_EQ(plan.MergedOnRemote(), (std::map<std::string, int>{{"g100", 1}}));
}

TEST_F(WorkersTest, RandomKillPointsLeaveEveryWorkstreamMergedOnce) {
  const int trials = EnvNumber("ORCHESTRA_WORKER_TRIALS", 2);
  std::mt19937 random(static_cast<unsigned>(EnvNumber("ORCHESTRA_WORKER_SEED", 1)));
  for (int trial = 0; trial < trials; ++trial) {
    if (trial > 0) FreshPostgresDatabase(&url_);
    SharedGitPlan plan(url_, SharedGitPlan::Chains(30, 5), 3);
    std::map<std::string, int> once;
    for (const std::string& id : plan.ids()) once[id] = 1;
    std::vector<pid_t> workers;
    for (int i = 0; i < 3; ++i) workers.push_back(plan.StartWorker(i, "2"));
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " +
                 KillOneAtRandom(&random, workers, "SELECT count(*) FROM integration_merges",
                                 [&](size_t i) { return Printed(plan.Output(static_cast<int>(i))); }));
    EXPECT_EQ(Completions(), once);
    EXPECT_EQ(plan.MergedOnRemote(), once);
    EXPECT_EQ(plan.DependencyNotInMerge(), "");
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace orchestra::testing
