// Faults from the environment, through the real binary: the disk filling up
// under a run, the state database locked by a `sqlite3` shell, the
// workstreams folder changed during a run. Each ends in a clear message, a
// consistent state, and a resume to the end (tests/support/run_invariants.h).
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "test_state.h"
#include "project_builder.h"
#include "run_invariants.h"
#include "secret_scan.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The rows of one column of the state, one per line, as sqlite3 prints them.
std::string Query(const std::string& database, const std::string& sql) { return Sqlite3(database, sql).out; }

/// The campaign's API keys in this process's environment for one test, so the
/// orchestrator, its agents and their acceptance tests all have them; each
/// test ends with ExpectNoSecretLeft.
class SecretEnvironment {
 public:
  /// No key survives in `project_dir` (its state, logs, terminal output
  /// files, the report `orchestra report` writes) nor in `outputs`.
  void ExpectNoSecretLeft(const std::string& project_dir, const std::vector<const CommandResult*>& outputs = {}) const {
    // The keys were printed (by the acceptance tests): the logs show them redacted.
    bool printed = false;
    for (const auto& entry : fs::recursive_directory_iterator(project_dir + "/logs/workstreams")) {
      printed = printed || Contains(ReadFile(entry.path()), "key [redacted] hook [redacted]\n");
    }
    EXPECT_TRUE(printed);
    const CommandResult report = RunOrchestra(project_dir, {"report"});
    EXPECT_EQ(report.exit_code, 0) << report.err;
    SecretScan scan{.project_dir = project_dir, .outputs = {{"report", report.out + report.err}}};
    for (const CommandResult* output : outputs) scan.outputs.push_back({"a run's output", output->out + output->err});
    EXPECT_EQ(SecretLeaks(scan, secrets.values()), std::vector<std::string>{});
  }

  CampaignSecrets secrets;
  ExportedSecrets exported{secrets};
};

/// A workstream field that makes its acceptance test print both keys.
const char kPrintsTheKeys[] = "\"acceptance_tests\": [\"echo key $ANTHROPIC_API_KEY hook $DEPLOY_HOOK\"]";

/// A `sqlite3` shell on the state database, as a user would leave one open:
/// it takes the write lock with BEGIN IMMEDIATE and holds it until Release.
class Sqlite3Shell {
 public:
  explicit Sqlite3Shell(const std::string& database) {
    int in[2], out[2];
    EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(out[1], 2);
      execlp("sqlite3", "sqlite3", database.c_str(), nullptr);
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }
  ~Sqlite3Shell() {
    Release();
    close(to_);
    close(from_);
    WaitForExit(pid_);
  }

  /// Runs `sql`; returns what the shell printed for it.
  std::string Send(const std::string& sql) {
    const std::string marker = "done-" + std::to_string(++sent_);
    const std::string text = sql + "\nSELECT '" + marker + "';\n";
    EXPECT_EQ(write(to_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    std::string said;
    char buffer[4096];
    while (!Contains(said, marker + "\n")) {
      const ssize_t count = read(from_, buffer, sizeof buffer);
      if (count <= 0) break;
      said.append(buffer, static_cast<size_t>(count));
    }
    return said.substr(0, said.find(marker + "\n"));
  }
  /// Takes the write lock (waiting for the orchestrator's own short writes).
  void Hold() {
    EXPECT_EQ(Send(".timeout 10000\nBEGIN IMMEDIATE;"), "");
    held_ = true;
  }
  /// How the orchestrator names it when it holds the lock (/proc/locks).
  std::string Named() const { return "sqlite3 (pid " + std::to_string(pid_) + ")"; }
  void Release() {
    if (held_) {
      EXPECT_EQ(Send("COMMIT;"), "");
    }
    held_ = false;
  }

 private:
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  int sent_ = 0;
  bool held_ = false;
};

TEST(EnvironmentFaultsTest, AStateLockedBySqlite3MidRunHoldsResultsUntilItIsFree) {
  SKIP_UNDER_POSTGRES("a sqlite3 shell locks the SQLite file; state_lock_timeout does not apply to PostgreSQL");
  const SecretEnvironment keys;
  TestProject project;
  for (const char* id : {"l0", "l1"}) {
    project.AddWorkstream(id, {}, kPrintsTheKeys);
    project.Hold(id);
  }
  project.AddWorkstream("after", {"l0", "l1"}, kPrintsTheKeys);
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}}, keys.secrets.RedactTable());
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return project.Events().size() == 2; }));  // l0, l1 started
  {
    Sqlite3Shell shell(project.StatePath());
    shell.Hold();
    project.Release("l0");
    project.Release("l1");
    // Named by /proc/locks, with the retry policy (lock_backoff.h).
    ASSERT_TRUE(WaitUntil([&] {
      return Contains(ReadFile(project / "logs/orchestrator.log"),
                      "the state database " + project.StatePath() + " is locked by " + shell.Named() +
                          ": holding the end of ");
    })) << ReadFile(project / "logs/orchestrator.log");
    EXPECT_TRUE(Contains(ReadFile(project / "logs/orchestrator.log"),
                         " until it is free, starting nothing new; agents go on; retrying after 50 ms, then at "
                         "doubling intervals up to 2 s; giving up after 30m00s (state_lock_timeout)\n"));
    // Nothing was recorded meanwhile, nothing new started, and the database
    // is whole, as seen inside the holder's own transaction.
    EXPECT_EQ(Query(project.StatePath(), "SELECT workstream_id, status FROM workstream_status ORDER BY 1"),
              "after|pending\nl0|running\nl1|running\n");
    EXPECT_EQ(shell.Send("PRAGMA integrity_check;"), "ok\n");
    // Both ends wait, the second behind the first: retried, not lost.
    ASSERT_TRUE(WaitUntil([&] {
      return project.Events().size() == 4 && AgentProcessesOf(project.StatePath()).empty();
    }));
    EXPECT_EQ(shell.Send("PRAGMA integrity_check;"), "ok\n");
    EXPECT_EQ(Query(project.StatePath(), "SELECT COUNT(*) FROM attempts WHERE outcome = 'running'"), "2\n");
  }
  EXPECT_EQ(WaitForExit(orchestrator), 0) << ReadFile(project / "run.out");
  EXPECT_TRUE(Contains(ReadFile(project / "run.out"), "the state database is free again after "));
  const std::vector<std::string> violations = RunInvariantViolations(project.path(), project.StatePath());
  EXPECT_TRUE(violations.empty()) << Joined(violations);
  EXPECT_EQ(project.Events().size(), 6u);  // three starts, three ends: nothing ran twice
  keys.ExpectNoSecretLeft(project.path());
}

TEST(EnvironmentFaultsTest, AStateLockedBySqlite3AtTheStartWaitsThenRuns) {
  SKIP_UNDER_POSTGRES("a sqlite3 shell locks the SQLite file; state_lock_timeout does not apply to PostgreSQL");
  const SecretEnvironment keys;
  TestProject project;
  project.AddWorkstream("first", {}, kPrintsTheKeys);
  project.WriteConfig({{"agent-1", ""}}, keys.secrets.RedactTable());
  const CommandResult first = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(first.exit_code, 0);
  project.AddWorkstream("second", {"first"}, kPrintsTheKeys);
  pid_t orchestrator = -1;
  {
    Sqlite3Shell shell(project.StatePath());
    shell.Hold();
    orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
    ASSERT_TRUE(WaitUntil([&] {
      return Contains(ReadFile(project / "run.out"), "is locked by " + shell.Named() + ": waiting (at most 30m00s)");
    })) << ReadFile(project / "run.out") << ReadFile(project / "run.out.err");
  }
  EXPECT_EQ(WaitForExit(orchestrator), 0) << ReadFile(project / "run.out") << ReadFile(project / "run.out.err");
  const std::vector<std::string> violations = RunInvariantViolations(project.path(), project.StatePath());
  EXPECT_TRUE(violations.empty()) << Joined(violations);
  keys.ExpectNoSecretLeft(project.path(), {&first});
}

TEST(EnvironmentFaultsTest, AStateLockedLongerThanStateLockTimeoutStopsCleanlyAndResumes) {
  SKIP_UNDER_POSTGRES("a sqlite3 shell locks the SQLite file; state_lock_timeout does not apply to PostgreSQL");
  const SecretEnvironment keys;
  TestProject project;
  project.AddWorkstream("w", {}, kPrintsTheKeys);
  project.Hold("w");
  project.AddWorkstream("after", {"w"}, kPrintsTheKeys);
  WriteFile(project / "orchestra.toml",
            "[defaults]\nbackoff = \"0s\"\nstate_lock_timeout = \"1s\"\n" + keys.secrets.RedactTable() +
                "[agent_types.script]\nkind = \"command\"\n"
                "argv = [\"./agent.sh\", \"{id}\"]\n[[agents]]\nid = \"agent-1\"\ntype = \"script\"\n");
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return project.Events().size() == 1; }));
  std::string holder;
  {
    Sqlite3Shell shell(project.StatePath());
    shell.Hold();
    project.Release("w");
    // Held past state_lock_timeout: the run stops, naming why and who, and records nothing wrong.
    EXPECT_EQ(WaitForExit(orchestrator), 1) << ReadFile(project / "run.out");
    holder = shell.Named();
  }
  const std::string err = ReadFile(project / "run.out.err");
  EXPECT_TRUE(Contains(err, "orchestra: stopped: the state database " + project.StatePath() + " stayed locked by " +
                                holder + " for ")) << err;
  EXPECT_TRUE(Contains(err, " (state_lock_timeout): stopped with 1 change(s) unrecorded, starting with the end of "
                            "w's attempt 1; nothing wrong was recorded, and `orchestra run` redoes what was not"))
      << err;
  EXPECT_EQ(Query(project.StatePath(), "PRAGMA integrity_check"), "ok\n");
  EXPECT_TRUE(AgentProcessesOf(project.StatePath()).empty());
  const CommandResult resumed = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  const std::vector<std::string> violations = RunInvariantViolations(project.path(), project.StatePath());
  EXPECT_TRUE(violations.empty()) << Joined(violations);
  keys.ExpectNoSecretLeft(project.path(), {&resumed});
}

/// A tmpfs of a few megabytes mounted at `path` for the test's life: a disk
/// the test can fill. Mounting needs root or CAP_SYS_ADMIN (the test VM runs
/// as root); elsewhere `mounted()` is false and says why.
class SmallDisk {
 public:
  SmallDisk(const std::string& path, int megabytes) : path_(path) {
    fs::create_directories(path);
    const std::string options = "size=" + std::to_string(megabytes) + "m";
    mounted_ = mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!mounted_) why_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string why_;
};

// The agent of the disk-full test: the first attempt of `fill` fills the disk
// the project is on (once: its marker lives outside that disk), then succeeds.
const char kFillingAgent[] = R"SH(#!/bin/sh
echo "key $ANTHROPIC_API_KEY hook $DEPLOY_HOOK"
if [ "$ORCHESTRA_WORKSTREAM_ID" = fill ] && [ ! -f "$FILLED_MARKER" ]; then
  touch "$FILLED_MARKER"
  dd if=/dev/zero of=filler bs=64k 2>/dev/null
fi
echo "agent $ORCHESTRA_WORKSTREAM_ID done"
exit 0
)SH";

TEST(EnvironmentFaultsTest, ADiskFullUnderTheRunStopsItCleanlyAndItResumesOnceThereIsSpace) {
  SKIP_UNDER_POSTGRES("it fills the disk of the SQLite file; a PostgreSQL state is on the server's disk");
  const SecretEnvironment keys;
  TempDir outside;
  SmallDisk disk(outside / "disk", 4);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (" << disk.why() << "): needs root or CAP_SYS_ADMIN";
  const std::string project = outside / "disk/project";
  WriteFile(outside / "agent.sh", kFillingAgent, true);
  WriteFile(project + "/workstreams/fill.json", "{\"id\": \"fill\"}\n");
  WriteFile(project + "/workstreams/next.json", "{\"id\": \"next\", \"depends_on\": [\"fill\"]}\n");
  WriteFile(project + "/orchestra.toml",
            "[defaults]\nbackoff = \"0s\"\n" + keys.secrets.RedactTable() + "[agent_types.filler]\nkind = \"command\"\nargv = [\"" +
                outside / "agent.sh" + "\"]\nenv = { FILLED_MARKER = \"" + outside / "filled" +
                "\" }\n[[agents]]\nid = \"agent-1\"\ntype = \"filler\"\n");
  const std::string state = project + "/.state/orchestration.db";
  const CommandResult full = RunOrchestra(project, {"run"});
  ASSERT_TRUE(fs::exists(outside / "filled")) << full.out << full.err;
  EXPECT_EQ(full.exit_code, 1) << full.out << full.err;
  EXPECT_TRUE(Contains(full.err, "orchestra: stopped: ")) << full.err;
  EXPECT_TRUE(Contains(full.err, "database or disk is full")) << full.err;
  EXPECT_EQ(Query(state, "PRAGMA integrity_check"), "ok\n");
  EXPECT_TRUE(AgentProcessesOf(state).empty());
  // Space again: the run resumes and finishes; `fill` is done once more (its
  // end was never recorded), `next` once.
  fs::remove(project + "/filler");
  const CommandResult resumed = RunOrchestra(project, {"run"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  const std::vector<std::string> violations = RunInvariantViolations(project, state);
  EXPECT_TRUE(violations.empty()) << Joined(violations);
  keys.ExpectNoSecretLeft(project, {&full, &resumed});
}

/// Writes `text` to `folder/name` in one step (a rename), as editors save.
void ReplaceFile(const std::string& folder, const std::string& name, const std::string& text) {
  WriteFile(folder + "/." + name + ".tmp", text);
  fs::rename(folder + "/." + name + ".tmp", folder + "/" + name);
}

TEST(EnvironmentFaultsTest, AWorkstreamsFolderChangedDuringARunIsReportedAndTheRunKeepsWhatItLoaded) {
  const SecretEnvironment keys;
  TestProject project;
  project.AddWorkstream("held", {}, kPrintsTheKeys);
  project.Hold("held");
  project.AddWorkstream("edited", {"held"}, kPrintsTheKeys);
  project.AddWorkstream("removed", {"held"}, kPrintsTheKeys);
  project.WriteConfig({{"agent-1", ""}}, keys.secrets.RedactTable());
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return project.Events().size() == 1; }));
  const std::string folder = project / "workstreams";
  const std::string prefix = "the workstreams folder " + folder + " changed during the run (";
  const std::string suffix =
      "): this run goes on with the workstreams it loaded; the next `orchestra run` loads the change";
  const std::string changes = "SELECT message FROM execution_log WHERE event_type = 'workstreams_changed' ORDER BY id";
  // One change at a time, each waited for in the audit trail.
  ReplaceFile(folder, "edited.json", "{\"id\": \"edited\", \"tasks\": [\"something else\"]}\n");
  ASSERT_TRUE(WaitUntil([&] { return !Query(project.StatePath(), changes).empty(); }));
  ReplaceFile(folder, "added.json", "{\"id\": \"added\"}\n");
  ASSERT_TRUE(WaitUntil([&] {
    const std::string messages = Query(project.StatePath(), changes);
    return std::count(messages.begin(), messages.end(), '\n') == 2;
  }));
  fs::remove(folder + "/removed.json");
  const std::string expected = prefix + "edited edited.json" + suffix + "\n" + prefix + "added added.json" + suffix +
                               "\n" + prefix + "removed removed.json" + suffix + "\n";
  ASSERT_TRUE(WaitUntil([&] { return Query(project.StatePath(), changes) == expected; }))
      << Query(project.StatePath(), changes);
  project.Release("held");
  EXPECT_EQ(WaitForExit(orchestrator), 0) << ReadFile(project / "run.out");
  // On the terminal and in orchestrator.log too.
  for (const std::string& place : {project / "run.out", project / "logs/orchestrator.log"}) {
    EXPECT_TRUE(Contains(ReadFile(place), "workstreams_changed " + prefix + "removed removed.json" + suffix))
        << place << ":\n" << ReadFile(place);
  }
  // What was loaded ran, as loaded: the removed one too, the edited one with its old
  // tasks; the added one waits for the next run.
  EXPECT_EQ(Query(project.StatePath(), "SELECT workstream_id, status FROM workstream_status ORDER BY 1"),
            "edited|completed\nheld|completed\nremoved|completed\n");
  const std::string prompt = ReadFile(project / "logs/workstreams/edited/attempt-1.prompt.md");
  EXPECT_TRUE(Contains(prompt, "do edited")) << prompt;
  EXPECT_FALSE(Contains(prompt, "something else")) << prompt;
  const CommandResult next = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_EQ(Query(project.StatePath(), "SELECT status FROM workstream_status WHERE workstream_id = 'added'"),
            "completed\n");
  keys.ExpectNoSecretLeft(project.path(), {&next});
}

}  // namespace
}  // namespace orchestra::testing
