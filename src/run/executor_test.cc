// Executor tests with real processes and a real SQLite file, plus a store that
// fails on purpose to show that a lost write stops the run without losing or
// repeating work.
#include "executor.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "chain_project.h"
#include "recovery.h"
#include "sqlite_store.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace orchestra {
namespace {

/// A project of a chain a -> b -> c whose agent appends its id to ran.txt.
class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::MakeChainProject(dir_.path(),
                              AgentType{.name = "recorder", .kind = "command", .argv = {"sh", "-c", "echo {id} >> ran.txt"}},
                              &project_);
    project_.config.backoff_seconds = 0.05;
    std::string error;
    store_ = SqliteStore::Open(dir_ / "state.db", &clock_, &error);
    ASSERT_TRUE(store_) << error;
  }

  RunEnd Run(StateStore* store, std::string* error) {
    uv_loop_t loop;
    uv_loop_init(&loop);
    RunEnd end;
    {
      UvProcessRunner runner(&loop, ORCHESTRA_SUPERVISE);
      UvTimers timers(&loop);
      SystemProcessTable processes(&loop);
      SystemGit git;
      Executor executor(project_,
                        ExecutorEffects{store, &runner, &processes, &git, &timers, &clock_, nullptr, &loop, getpid()});
      end = executor.Run({}, error);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop), 0);
    return end;
  }

  std::string Ran() {
    std::ifstream in(dir_ / "ran.txt");
    std::string text, line;
    while (std::getline(in, line)) text += line + " ";
    return text;
  }

  std::map<std::string, WorkstreamStatus> Statuses() {
    std::vector<WorkstreamRecord> records;
    std::string error;
    EXPECT_TRUE(store_->LoadWorkstreams(&records, &error)) << error;
    std::map<std::string, WorkstreamStatus> statuses;
    for (const WorkstreamRecord& record : records) statuses[record.workstream_id] = record.status;
    return statuses;
  }

  testing::TempDir dir_;
  SystemClock clock_;
  Project project_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ExecutorTest, RunsTheChainInOrder) {
  std::string error;
  EXPECT_EQ(Run(store_.get(), &error), RunEnd::kCompleted) << error;
  EXPECT_EQ(Ran(), "a b c ");
  for (const auto& [id, status] : Statuses()) EXPECT_EQ(status, WorkstreamStatus::kCompleted) << id;
}

TEST_F(ExecutorTest, ASpawnFailureIsAFailedAttemptThatBlocksDependents) {
  project_.config.agent_types["recorder"].argv = {"/nonexistent/agent"};
  project_.workstreams[0].max_attempts = 2;
  std::string error;
  EXPECT_EQ(Run(store_.get(), &error), RunEnd::kIncomplete) << error;
  std::map<std::string, WorkstreamStatus> statuses = Statuses();
  EXPECT_EQ(statuses["a"], WorkstreamStatus::kFailed);
  EXPECT_EQ(statuses["b"], WorkstreamStatus::kBlocked);
  EXPECT_EQ(statuses["c"], WorkstreamStatus::kBlocked);
  std::vector<AttemptRecord> attempts;
  ASSERT_TRUE(store_->LoadAttempts("a", &attempts, &error));
  EXPECT_EQ(attempts.size(), 1u);  // not retried: it would fail the same way
  EXPECT_NE(attempts.back().error_message.find("cannot start"), std::string::npos)
      << attempts.back().error_message;
}

TEST_F(ExecutorTest, ResumeKillsAProcessOfAnAttemptWhosePidWasNeverRecorded) {
  // A crash between "attempt started" and "pid recorded" leaves a row without
  // a pid while its agent runs on, here in a session of its own.
  AttemptRecord record;
  record.workstream_id = "a";
  record.attempt = 1;
  record.agent_id = "agent-1";
  int64_t attempt_id = 0;
  std::string error;
  ASSERT_TRUE(store_->SyncWorkstreams({{"a", ""}, {"b", ""}, {"c", ""}}, &error)) << error;
  ASSERT_TRUE(store_->StartAttempt(record, &attempt_id, &error)) << error;
  const std::string key = AttemptKey(project_.StatePath(), attempt_id);
  const pid_t orphan = fork();
  if (orphan == 0) {
    setsid();
    putenv(const_cast<char*>(key.c_str()));
    execlp("sleep", "sleep", "300", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Until the exec, /proc shows the environment the child inherited from this
  // test; resume finds the orphan by the key in the environment it exec'd with.
  bool exec_done = false;
  for (int i = 0; i < 250 && !(exec_done = EnvironmentHolds(orphan, key)); ++i) usleep(20000);
  if (!exec_done) {
    kill(orphan, SIGKILL);
    waitpid(orphan, nullptr, 0);
  }
  ASSERT_TRUE(exec_done) << "process " << orphan << " never showed " << key << " in its environment";

  EXPECT_EQ(Run(store_.get(), &error), RunEnd::kCompleted) << error;
  int status = 0;
  EXPECT_EQ(waitpid(orphan, &status, 0), orphan);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_EQ(Ran(), "a b c ");
}

TEST_F(ExecutorTest, NothingAnAgentStartedOutlivesItsAttemptEvenOutsideItsGroup) {
  project_.config.agent_types["recorder"].argv = {
      "sh", "-c",
      "setsid sh -c 'echo $$ > {id}.escaped; exec sleep 300' > /dev/null 2>&1 &"
      " while [ ! -s {id}.escaped ]; do sleep 0.01; done; echo {id} >> ran.txt"};
  std::string error;
  EXPECT_EQ(Run(store_.get(), &error), RunEnd::kCompleted) << error;
  for (const char* id : {"a", "b", "c"}) {
    std::ifstream in(dir_ / (std::string(id) + ".escaped"));
    int pid = 0;
    ASSERT_TRUE(in >> pid) << id;
    // Killed processes may linger as zombies until init reaps them.
    bool gone = false;
    for (int i = 0; i < 250 && !gone; ++i) {
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string text;
      gone = !std::getline(stat, text) || text.substr(text.rfind(')') + 2, 1) == "Z";
      if (!gone) usleep(20000);
    }
    EXPECT_TRUE(gone) << id << " left process " << pid << " running";
  }
}

}  // namespace
}  // namespace orchestra
