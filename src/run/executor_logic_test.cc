// The executor's logic with every effect faked or wrapped: processes are
// scripted (FakeProcessRunner), time is virtual (InstantTimers), and a store or
// git that fails one chosen call is a wrapper overriding that call. The state
// store is a real SQLite file and git a real repository where used.
#include "executor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <uv.h>

#include <algorithm>
#include <csignal>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "chain_project.h"
#include "fake_process_runner.h"
#include "fake_process_table.h"
#include "git_test_repo.h"
#include "planner.h"
#include "recovery.h"
#include "sqlite_store.h"
#include "state_store_wrapper.h"
#include "temp_dir.h"
#include "virtual_time.h"

namespace orchestra {
namespace {

namespace fs = std::filesystem;
using testing::FakeProcessRunner;
using testing::FakeProcessTable;
using testing::InstantTimers;
using testing::ManualClock;
using Script = FakeProcessRunner::Script;

/// The value of `key` in a spec's environment additions ("" when absent).
std::string EnvOf(const ProcessSpec& spec, const std::string& key) {
  for (const std::string& entry : spec.env) {
    if (entry.rfind(key + "=", 0) == 0) return entry.substr(key.size() + 1);
  }
  return "";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A store whose FinishAttempt fails from the `fail_from`-th call on.
class FinishFails : public StateStoreWrapper {
 public:
  FinishFails(StateStore* target, int fail_from) : StateStoreWrapper(target), fail_from_(fail_from) {}
  bool FinishAttempt(int64_t attempt_id, const AttemptEnd& end, std::string* error) override {
    if (++calls_ >= fail_from_) {
      *error = "disk full (injected)";
      return false;
    }
    return StateStoreWrapper::FinishAttempt(attempt_id, end, error);
  }

 private:
  int fail_from_;
  int calls_ = 0;
};

/// A project of workstreams a -> b -> c on two agents of kind command, run by
/// a script: `behaviour` decides each process's end from its spec.
class ExecutorLogicTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::MakeChainProject(dir_.path(), AgentType{.name = "scripted", .kind = "command", .argv = {"agent", "{id}"}},
                              &project_);
    project_.config.backoff_seconds = 5;
    std::string error;
    store_ = SqliteStore::Open(dir_ / "state.db", &clock_, &error);
    ASSERT_TRUE(store_) << error;
  }

  /// Runs the project; `store` defaults to the real one.
  RunEnd Run(std::string* error, StateStore* store = nullptr, Git* git = nullptr) {
    uv_loop_t loop;
    uv_loop_init(&loop);
    RunEnd end;
    {
      FakeProcessRunner runner(&loop, [this](const ProcessSpec& spec) { return behaviour(spec); });
      InstantTimers timers(&loop, &clock_);
      SystemGit system_git;
      Executor executor(project_, ExecutorEffects{store ? store : store_.get(), &runner, &processes_,
                                                  git ? git : &system_git, &timers, &clock_, observer,
                                                  &loop, 4242});
      end = executor.Run({}, error);
      started_ = runner.started();
      delays_ = timers.delays();
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop), 0);
    return end;
  }

  /// Makes a, b and c independent of each other.
  void Unchain() {
    for (Workstream& workstream : project_.workstreams) workstream.depends_on.clear();
    project_.graph = std::make_unique<Graph>(project_.workstreams);
  }

  /// The workstream ids of the agents started, in order.
  std::string AgentsStarted() const {
    std::string ids;
    for (const ProcessSpec& spec : started_) {
      if (spec.argv[0] == "agent") ids += spec.argv[1] + " ";
    }
    return ids;
  }

  WorkstreamStatus Status(const std::string& id) {
    std::vector<WorkstreamRecord> records;
    std::string error;
    EXPECT_TRUE(store_->LoadWorkstreams(&records, &error)) << error;
    for (const WorkstreamRecord& record : records) {
      if (record.workstream_id == id) return record.status;
    }
    ADD_FAILURE() << "no row for " << id;
    return WorkstreamStatus::kPending;
  }

  std::vector<AttemptRecord> Attempts(const std::string& id) {
    std::vector<AttemptRecord> attempts;
    std::string error;
    EXPECT_TRUE(store_->LoadAttempts(id, &attempts, &error)) << error;
    return attempts;
  }

  std::function<Script(const ProcessSpec&)> behaviour = [](const ProcessSpec&) {
    return FakeProcessRunner::Exit(0);
  };
  RunObserver* observer = nullptr;
  testing::TempDir dir_;
  ManualClock clock_;
  FakeProcessTable processes_;
  Project project_;
  std::unique_ptr<SqliteStore> store_;
  std::vector<ProcessSpec> started_;
  std::vector<double> delays_;
};

TEST_F(ExecutorLogicTest, RunsTheChainInDependencyOrder) {
  std::string error;
  EXPECT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(AgentsStarted(), "a b c ");
  for (const char* id : {"a", "b", "c"}) EXPECT_EQ(Status(id), WorkstreamStatus::kCompleted) << id;
  EXPECT_TRUE(delays_.empty());
}

TEST_F(ExecutorLogicTest, EveryProcessOfAnAttemptCarriesItsKeyAndItsLeftoversAreSought) {
  project_.workstreams[0].acceptance_tests = {"make check"};
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  const std::string key = AttemptKey(project_.StatePath(), attempts[0].id);
  ASSERT_GE(started_.size(), 2u);
  for (int i = 0; i < 2; ++i) {  // the agent of `a`, then its acceptance test
    EXPECT_NE(std::find(started_[i].env.begin(), started_[i].env.end(), key), started_[i].env.end());
  }
  EXPECT_EQ(std::count(processes_.searched.begin(), processes_.searched.end(), key), 2);
}

TEST_F(ExecutorLogicTest, LeftoversFoundAfterAnAgentAreKilledAndLogged) {
  processes_.leftovers_of = AttemptKey(project_.StatePath(), 1);
  processes_.leftover_count = 2;
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  ASSERT_EQ(attempts[0].id, 1);
  EXPECT_NE(ReadAll(attempts[0].log_path).find("orchestra: killed 2 leftover process(es) of this attempt\n"),
            std::string::npos);
}

// Group commit must not let an effect run ahead of its change: each agent
// starts only once its attempt's start is committed, and b (after a) only
// once a's end is, as another connection to the database sees them.
TEST_F(ExecutorLogicTest, AnAgentStartsOnlyAfterItsStartAndItsDependenciesEndsAreCommitted) {
  std::vector<std::string> seen;
  behaviour = [&](const ProcessSpec& spec) {
    std::string error;
    std::unique_ptr<SqliteStore> other = SqliteStore::OpenExisting(dir_ / "state.db", &clock_, &error);
    std::vector<WorkstreamRecord> records;
    if (!other || !other->LoadWorkstreams(&records, &error)) {
      ADD_FAILURE() << error;
      return FakeProcessRunner::Exit(0);
    }
    std::string statuses;
    for (const WorkstreamRecord& record : records) {
      statuses += record.workstream_id + ":" + StatusName(record.status) + " ";
    }
    seen.push_back(spec.argv[1] + " sees " + statuses);
    return FakeProcessRunner::Exit(0);
  };
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(seen, (std::vector<std::string>{"a sees a:running b:pending c:pending ",
                                            "b sees a:completed b:running c:pending ",
                                            "c sees a:completed b:completed c:running "}));
}

/// A store that records the changes each group commit carried, in order.
class GroupRecorder : public StateStoreWrapper {
 public:
  using StateStoreWrapper::StateStoreWrapper;
  bool BeginGroup(std::string* error) override {
    open_ = StateStoreWrapper::BeginGroup(error);
    return open_;
  }
  bool CommitGroup(std::string* error) override {
    if (open_) groups.push_back(current_);
    current_.clear();
    open_ = false;
    return StateStoreWrapper::CommitGroup(error);
  }
  bool StartAttempt(const AttemptRecord& attempt, int64_t* attempt_id, std::string* error) override {
    Note("start " + attempt.workstream_id);
    return StateStoreWrapper::StartAttempt(attempt, attempt_id, error);
  }
  bool FinishAttempt(int64_t attempt_id, const AttemptEnd& end, std::string* error) override {
    Note("end " + std::to_string(attempt_id));
    return StateStoreWrapper::FinishAttempt(attempt_id, end, error);
  }
  bool AppendLog(const std::string& workstream_id, const std::string& agent_id, const std::string& event_type,
                 const std::string& message, std::string* error) override {
    Note("log " + event_type);
    return StateStoreWrapper::AppendLog(workstream_id, agent_id, event_type, message, error);
  }
  bool SetAttemptPids(const std::vector<AttemptPid>& pids, std::string* error) override {
    Note("pids of " + std::to_string(pids.size()));
    return target()->SetAttemptPids(pids, error);
  }
  std::vector<std::string> groups;  // "change; change; ..." per commit
  std::vector<std::string> alone;   // changes committed outside a group

 private:
  void Note(const std::string& change) {
    if (open_) {
      current_ += (current_.empty() ? "" : "; ") + change;
    } else {
      alone.push_back(change);
    }
  }
  bool open_ = false;
  std::string current_;
};

// One sync per wave: the start an end made possible is committed with that
// end, in one group; its agent still starts only after the commit (the test
// above).
TEST_F(ExecutorLogicTest, TheStartsAnEndEnablesJoinItsGroupCommit) {
  GroupRecorder recorder(store_.get());
  std::string error;
  ASSERT_EQ(Run(&error, &recorder), RunEnd::kCompleted) << error;
  EXPECT_EQ(recorder.groups,
            (std::vector<std::string>{"log run_started; start a", "end 1; start b", "end 2; start c", "end 3"}));
}

// The agents launched after one commit record their pids in one change,
// without a sync of its own.
TEST_F(ExecutorLogicTest, TheAgentsLaunchedTogetherRecordTheirPidsTogether) {
  Unchain();  // a, b and c on two agents: a and b start and end together, then c
  GroupRecorder recorder(store_.get());
  std::string error;
  ASSERT_EQ(Run(&error, &recorder), RunEnd::kCompleted) << error;
  EXPECT_EQ(recorder.groups, (std::vector<std::string>{"log run_started; start a; start b", "end 1; end 2; start c",
                                                       "end 3"}));
  EXPECT_EQ(recorder.alone, (std::vector<std::string>{"pids of 2", "pids of 1", "log run_ended"}));
}

// The observer hears an end before the starts it made possible, though both
// were recorded in one group.
TEST_F(ExecutorLogicTest, EventsOfAGroupAreToldInTheirOrderAfterItsCommit) {
  class Events : public RunObserver {
   public:
    void OnEvent(const LogEntry& event, const RunProgress&) override {
      if (event.event_type == "started" || event.event_type == "completed") {
        told += event.event_type + " " + event.workstream_id + ", ";
      }
    }
    void OnTick(const RunProgress&) override {}
    std::string told;
  } events;
  observer = &events;
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(events.told, "started a, completed a, started b, completed b, started c, completed c, ");
}

TEST_F(ExecutorLogicTest, AgentsThatEndInTheSameLoopTurnShareOneLeftoverScan) {
  // a, b and c independent on two agents: a and b start together and end in
  // the same turn (the fake runner reports both at once); then c alone.
  for (Workstream& workstream : project_.workstreams) workstream.depends_on.clear();
  project_.graph = std::make_unique<Graph>(project_.workstreams);
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  std::vector<std::string> keys;
  for (const char* id : {"a", "b", "c"}) {
    const std::vector<AttemptRecord> attempts = Attempts(id);
    ASSERT_EQ(attempts.size(), 1u) << id;
    keys.push_back(AttemptKey(project_.StatePath(), attempts[0].id));
  }
  std::sort(keys.begin(), keys.end());
  ASSERT_EQ(processes_.scans.size(), 2u);
  EXPECT_EQ(processes_.scans[0].size(), 2u);
  EXPECT_EQ(processes_.scans[1].size(), 1u);
  std::vector<std::string> sought = processes_.searched;
  std::sort(sought.begin(), sought.end());
  EXPECT_EQ(sought, keys);  // each attempt's leftovers sought exactly once
}

TEST_F(ExecutorLogicTest, RetriesWithExponentialBackoffInVirtualTime) {
  behaviour = [](const ProcessSpec& spec) {
    const bool fails = spec.argv[1] == "a" && EnvOf(spec, "ORCHESTRA_ATTEMPT") != "3";
    return FakeProcessRunner::Exit(fails ? 1 : 0);
  };
  std::string error;
  EXPECT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(AgentsStarted(), "a a a b c ");
  EXPECT_EQ(delays_, (std::vector<double>{5, 10}));
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].error_message, "agent exit code 1");
  EXPECT_EQ(attempts[2].outcome, AttemptOutcome::kSucceeded);
  // The third attempt's prompt tells the agent what went wrong before.
  const std::string prompt = ReadAll(EnvOf(started_[2], "ORCHESTRA_PROMPT_FILE"));
  EXPECT_NE(prompt.find("Attempt 2 failed: agent exit code 1"), std::string::npos) << prompt;
}

TEST_F(ExecutorLogicTest, ATimeoutFailsTheAttemptEvenWhenTheAgentExitsZero) {
  project_.workstreams[0].max_attempts = 1;
  behaviour = [](const ProcessSpec& spec) {
    Script script = FakeProcessRunner::Exit(0);
    if (spec.argv[1] == "a") {
      script.result->timed_out = true;
      script.result->timeout_seconds = 1;
    }
    return script;
  };
  std::string error;
  EXPECT_EQ(Run(&error), RunEnd::kIncomplete) << error;
  EXPECT_EQ(Status("a"), WorkstreamStatus::kFailed);
  EXPECT_EQ(Status("b"), WorkstreamStatus::kBlocked);
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kTimedOut);
  EXPECT_EQ(attempts[0].error_message, "agent timed out after 1s, exit code 0");
}

TEST_F(ExecutorLogicTest, AnAcceptanceTestWhoseProgramIsMissingFailsAtOnce) {
  project_.workstreams[0].acceptance_tests = {"pytest -q"};
  behaviour = [](const ProcessSpec& spec) {
    if (spec.argv[0] != "sh") return FakeProcessRunner::Exit(0);
    Script script = FakeProcessRunner::Exit(127);
    script.output = "sh: 1: pytest: not found\n";
    return script;
  };
  std::string error;
  EXPECT_EQ(Run(&error), RunEnd::kIncomplete) << error;
  EXPECT_EQ(AgentsStarted(), "a ");  // once: no retry
  EXPECT_TRUE(delays_.empty());
  EXPECT_EQ(Status("a"), WorkstreamStatus::kFailed);
  EXPECT_EQ(Status("c"), WorkstreamStatus::kBlocked);
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].error_message,
            "acceptance test `pytest -q` could not run: `pytest` was not found (exit code 127: sh: 1: pytest: not "
            "found); not retried: install `pytest` or fix the command in acceptance_tests\nlast output:\n"
            "orchestra: a attempt 1 on agent-1 at 2023-11-14 22:13:20\n"
            "orchestra: argv: agent a\n"
            "orchestra: acceptance test: pytest -q\n"
            "sh: 1: pytest: not found\n");
}

TEST_F(ExecutorLogicTest, AnAcceptanceTestExiting127OnItsOwnIsRetried) {
  project_.workstreams[0].acceptance_tests = {"./check.sh"};
  behaviour = [](const ProcessSpec& spec) {
    return FakeProcessRunner::Exit(spec.argv[0] == "sh" && EnvOf(spec, "ORCHESTRA_ATTEMPT") == "1" ? 127 : 0);
  };
  std::string error;
  EXPECT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(AgentsStarted(), "a a b c ");
  EXPECT_EQ(delays_, (std::vector<double>{5}));
}

TEST_F(ExecutorLogicTest, AnAgentThatCannotStartFailsAtOnce) {
  project_.workstreams[0].max_attempts = 2;
  behaviour = [](const ProcessSpec& spec) {
    return spec.argv[1] == "a" ? Script{std::nullopt, "cannot start 'agent': no such file", ""}
                               : FakeProcessRunner::Exit(0);
  };
  std::string error;
  EXPECT_EQ(Run(&error), RunEnd::kIncomplete) << error;
  EXPECT_EQ(AgentsStarted(), "a ");  // not retried: it would fail the same way
  EXPECT_TRUE(delays_.empty());
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].error_message, "agent could not start: cannot start 'agent': no such file");
  EXPECT_EQ(Status("b"), WorkstreamStatus::kBlocked);
}

TEST_F(ExecutorLogicTest, ALostWriteStopsTheRunAndResumeNeitherLosesNorRepeats) {
  FinishFails failing(store_.get(), 2);  // b's end cannot be recorded
  std::string error;
  EXPECT_EQ(Run(&error, &failing), RunEnd::kError);
  EXPECT_EQ(error, "disk full (injected)");
  EXPECT_EQ(AgentsStarted(), "a b ");
  EXPECT_EQ(Status("b"), WorkstreamStatus::kRunning);  // as a crash would leave it

  error.clear();
  EXPECT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(AgentsStarted(), "b c ");  // `a` is not repeated
  const std::vector<AttemptRecord> attempts = Attempts("b");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kAbandoned);
  EXPECT_EQ(attempts[1].outcome, AttemptOutcome::kSucceeded);
}

TEST_F(ExecutorLogicTest, AnAttemptAfterRetryGetsFilesOfItsOwn) {
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  const std::string first_prompt = EnvOf(started_[0], "ORCHESTRA_PROMPT_FILE");
  const std::string first_text = ReadAll(first_prompt);
  ASSERT_TRUE(store_->ResetToPending({"a", "b", "c"}, "retry", "again", &error)) << error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;

  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[1].attempt, 1);  // numbers start again after a retry...
  EXPECT_EQ(attempts[0].log_path, project_.LogsDir() + "/workstreams/a/attempt-1.log");
  EXPECT_EQ(attempts[1].log_path, project_.LogsDir() + "/workstreams/a/attempt-1-2.log");  // ...files do not
  EXPECT_EQ(EnvOf(started_[0], "ORCHESTRA_PROMPT_FILE"), project_.LogsDir() + "/workstreams/a/attempt-1-2.prompt.md");
  EXPECT_EQ(ReadAll(EnvOf(started_[0], "ORCHESTRA_PROMPT_FILE")), first_text);  // written fresh
  EXPECT_EQ(ReadAll(first_prompt), first_text);  // the old one untouched
  EXPECT_EQ(ReadAll(attempts[0].log_path), ReadAll(attempts[1].log_path));  // one run each, not two in one
}

TEST_F(ExecutorLogicTest, TheLogHeaderShortensLongArguments) {
  project_.config.agent_types["scripted"].argv = {"agent", "{id}", "{prompt}"};
  project_.workstreams[0].prompt = std::string(300, 'p');
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(ReadAll(attempts[0].log_path), "orchestra: a attempt 1 on agent-1 at 2023-11-14 22:13:20\n"
                                           "orchestra: argv: agent a " + std::string(120, 'p') +
                                               "…[301 bytes]\n");  // the prompt and its newline
}

TEST_F(ExecutorLogicTest, FailureTextIsBoundedInBytes) {
  project_.workstreams[0].acceptance_tests = {"make check"};
  project_.workstreams[0].max_attempts = 2;
  behaviour = [](const ProcessSpec& spec) {
    Script script = FakeProcessRunner::Exit(spec.argv[0] == "sh" ? 1 : 0);
    if (spec.argv[0] == "agent") script.output = std::string(5'000'000, 'x') + "\n";  // one 5 MB line
    if (spec.argv[0] == "sh") script.output = "FAILED: 1 test\n";
    return script;
  };
  std::string error;
  EXPECT_EQ(Run(&error), RunEnd::kIncomplete) << error;
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 2u);
  for (const AttemptRecord& attempt : attempts) {
    EXPECT_LT(attempt.error_message.size(), 16u * 1024 + 100) << attempt.error_message.size();
    EXPECT_NE(attempt.error_message.find("\n…[earlier bytes cut]" + std::string(400, 'x') + "\n"), std::string::npos);
    EXPECT_NE(attempt.error_message.find("\nFAILED: 1 test\n"), std::string::npos);
  }
  // The retry's prompt carries the bounded message, not 5 MB.
  const std::vector<ProcessSpec> agents = [&] {
    std::vector<ProcessSpec> specs;
    for (const ProcessSpec& spec : started_) {
      if (spec.argv[0] == "agent" && spec.argv[1] == "a") specs.push_back(spec);
    }
    return specs;
  }();
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_LT(ReadAll(EnvOf(agents[1], "ORCHESTRA_PROMPT_FILE")).size(), 17u * 1024);
}

/// Remembers the progress reported with each event.
class ProgressRecorder : public RunObserver {
 public:
  void OnEvent(const LogEntry& event, const RunProgress& progress) override {
    events.push_back(event.event_type);
    progresses.push_back(progress);
  }
  std::vector<std::string> events;
  std::vector<RunProgress> progresses;
};

TEST_F(ExecutorLogicTest, TheEtaStartsFromThePaceOfEarlierRuns) {
  behaviour = [this](const ProcessSpec&) {
    clock_.Advance(60);  // every agent takes a minute of (virtual) wall-clock time
    return FakeProcessRunner::Exit(0);
  };
  std::string error;
  ProgressRecorder first;
  observer = &first;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  ASSERT_EQ(first.events.front(), "run_started");
  // Nothing known yet: an estimated hour (2 each, a chain of 3) is taken as an hour.
  EXPECT_EQ(first.progresses.front().eta_seconds, 6 * 3600);

  ASSERT_TRUE(store_->ResetToPending({"a", "b", "c"}, "retry", "again", &error)) << error;
  ProgressRecorder second;
  observer = &second;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  ASSERT_EQ(second.events.front(), "run_started");
  // Earlier runs did an estimated hour in 30 s: the chain's 6 hours take 3 minutes.
  EXPECT_EQ(second.progresses.front().eta_seconds, 180);
}

/// A store another process "locks" as the first attempt ends: the next
/// `busy_calls` writes fail the way SQLITE_BUSY does (nothing written).
class LockedStore : public StateStoreWrapper {
 public:
  LockedStore(StateStore* target, int busy_calls) : StateStoreWrapper(target), busy_calls_(busy_calls) {}
  bool FinishAttempt(int64_t id, const AttemptEnd& end, std::string* error) override {
    locked_ = true;  // taken as the first result comes in
    return !Busy(error) && StateStoreWrapper::FinishAttempt(id, end, error);
  }
  bool StartAttempt(const AttemptRecord& attempt, int64_t* id, std::string* error) override {
    return !Busy(error) && StateStoreWrapper::StartAttempt(attempt, id, error);
  }
  bool MarkBlocked(const std::vector<std::string>& ids, const std::string& reason, std::string* error) override {
    return !Busy(error) && StateStoreWrapper::MarkBlocked(ids, reason, error);
  }
  bool AppendLog(const std::string& id, const std::string& agent, const std::string& type,
                 const std::string& message, std::string* error) override {
    return !Busy(error) && StateStoreWrapper::AppendLog(id, agent, type, message, error);
  }
  bool EndRun(int64_t run_id, RunState state, std::string* error) override {
    return !Busy(error) && StateStoreWrapper::EndRun(run_id, state, error);
  }
  bool LastCallWasBusy() const override { return busy_; }
  int busy_answers() const { return busy_answers_; }

 private:
  /// True while locked: the write must fail, and LastCallWasBusy says why.
  bool Busy(std::string* error) {
    busy_ = locked_ && busy_answers_ < busy_calls_;
    if (!busy_) return false;
    ++busy_answers_;
    *error = "state store: database is locked";
    return true;
  }
  int busy_calls_;
  int busy_answers_ = 0;
  bool locked_ = false;
  bool busy_ = false;
};

TEST_F(ExecutorLogicTest, AFinishedResultWaitsForALockedStateAndIsRecordedOnce) {
  LockedStore locked(store_.get(), 6);
  std::string error;
  EXPECT_EQ(Run(&error, &locked), RunEnd::kCompleted) << error;
  EXPECT_EQ(locked.busy_answers(), 6);
  EXPECT_EQ(AgentsStarted(), "a b c ");  // nothing redone
  for (const char* id : {"a", "b", "c"}) {
    const std::vector<AttemptRecord> attempts = Attempts(id);
    ASSERT_EQ(attempts.size(), 1u) << id;
    EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kSucceeded) << id;
  }
  // a's end waited: six retries, 50 ms apart at first, each wait twice the
  // one before (lock_backoff.h), in virtual time.
  const std::vector<double> backoff{0.05, 0.1, 0.2, 0.4, 0.8, 1.6};
  std::vector<double> lock_waits;
  std::copy_if(delays_.begin(), delays_.end(), std::back_inserter(lock_waits), [&](double delay) {
    return std::find(backoff.begin(), backoff.end(), delay) != backoff.end();
  });
  EXPECT_EQ(lock_waits, backoff);
  std::vector<LogEntry> log;
  ASSERT_TRUE(store_->LoadLog("", 0, &log, &error)) << error;
  EXPECT_EQ(log.back().event_type, "run_ended");
}

TEST_F(ExecutorLogicTest, AStateLockedPastTheTimeoutStopsTheRunRecordingNothingWrong) {
  project_.config.state_lock_timeout_seconds = 2;
  LockedStore locked(store_.get(), 1'000'000);
  std::string error;
  EXPECT_EQ(Run(&error, &locked), RunEnd::kError);
  EXPECT_EQ(error,
            "the state database " + project_.StatePath() +
                " stayed locked by another process (a sqlite3 shell in a transaction?) for 2.0s (state_lock_timeout): stopped with 1 change(s) "
                "unrecorded, starting with the end of a's attempt 1; nothing wrong was recorded, and `orchestra "
                "run` redoes what was not");
  EXPECT_EQ(AgentsStarted(), "a ");
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kRunning);  // as a crash leaves it: recovered on resume
  error.clear();
  EXPECT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(AgentsStarted(), "a b c ");
}

TEST_F(ExecutorLogicTest, ASecondInterruptStopsWithoutWaitingForALockedState) {
  LockedStore locked(store_.get(), 1'000'000);
  behaviour = [](const ProcessSpec&) {
    raise(SIGINT);  // the first stops the agent, whose end then meets the lock...
    raise(SIGINT);  // ...the second drops what is held and ends the run at once
    return FakeProcessRunner::Hang();
  };
  std::string error;
  EXPECT_EQ(Run(&error, &locked), RunEnd::kInterrupted);
  EXPECT_EQ(error,
            "state store: database is locked (locked by another process; not waiting after a second interrupt)");
  EXPECT_LE(locked.busy_answers(), 4);  // no waiting out state_lock_timeout
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kRunning);  // recovered by the next run
}

/// A store whose BeginRun fails the way a full disk fails a commit: after the
/// insert, so an id was handed out for a run that does not exist.
class BeginRunFails : public StateStoreWrapper {
 public:
  using StateStoreWrapper::StateStoreWrapper;
  bool BeginRun(int64_t, int64_t* run_id, std::string* error) override {
    *run_id = 77;
    *error = "state store: begin run: database or disk is full";
    return false;
  }
};

TEST_F(ExecutorLogicTest, AFailedBeginRunReportsItsOwnError) {
  BeginRunFails failing(store_.get());
  std::string error;
  EXPECT_EQ(Run(&error, &failing), RunEnd::kError);
  EXPECT_EQ(error, "state store: begin run: database or disk is full");
  EXPECT_TRUE(started_.empty());
}

TEST_F(ExecutorLogicTest, SigintStopsHangingAgentsAndRequeuesThem) {
  behaviour = [](const ProcessSpec&) {
    raise(SIGINT);  // arrives on the loop once this start returns
    return FakeProcessRunner::Hang();
  };
  std::string error;
  EXPECT_EQ(Run(&error), RunEnd::kInterrupted) << error;
  EXPECT_EQ(AgentsStarted(), "a ");
  EXPECT_EQ(Status("a"), WorkstreamStatus::kPending);
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kInterrupted);
  EXPECT_EQ(attempts[0].signal, SIGTERM);
}

/// A git that fails every command whose first argument is `verb`.
class GitFailing : public GitWrapper {
 public:
  GitFailing(Git* target, std::string verb) : GitWrapper(target), verb_(std::move(verb)) {}
  GitResult Run(const std::string& dir, const std::vector<std::string>& args) override {
    if (!args.empty() && args[0] == verb_) {
      ++failures_;
      return GitResult{128, "", "fatal: " + verb_ + " failed (injected)\n"};
    }
    return GitWrapper::Run(dir, args);
  }
  int failures() const { return failures_; }

 private:
  std::string verb_;
  int failures_ = 0;
};

TEST_F(ExecutorLogicTest, AWorktreeThatCannotBeCreatedIsAFailedSetup) {
  GitTestRepo repo;
  project_.config.project_dir = repo.path();
  project_.config.isolation = "worktree";
  project_.workstreams[0].max_attempts = 1;
  SystemGit git;
  GitFailing failing(&git, "worktree");
  std::string error;
  EXPECT_EQ(Run(&error, nullptr, &failing), RunEnd::kIncomplete) << error;
  EXPECT_TRUE(started_.empty());  // no agent ran
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].error_message,
            "cannot create the worktree: git worktree prune: fatal: worktree failed (injected)");
  EXPECT_EQ(failing.failures(), 1);
  EXPECT_EQ(Status("c"), WorkstreamStatus::kBlocked);
}

/// Records the events of a run, "type id" each.
class EventRecorder : public RunObserver {
 public:
  void OnEvent(const LogEntry& event, const RunProgress&) override {
    events.push_back(event.event_type + " " + event.workstream_id);
    messages.push_back(event.message);
  }
  void OnTick(const RunProgress&) override {}
  std::vector<std::string> events;
  std::vector<std::string> messages;

  bool Has(const std::string& message) const {
    return std::find(messages.begin(), messages.end(), message) != messages.end();
  }
};

/// The "started X" and "completed X" events, in order.
std::vector<std::string> StartsAndEnds(const EventRecorder& recorder) {
  std::vector<std::string> events;
  for (const std::string& event : recorder.events) {
    if (event.rfind("started ", 0) == 0 || event.rfind("completed ", 0) == 0) events.push_back(event);
  }
  return events;
}

/// A scripted agent's end that reports through an orchestra-result line.
Script Reports(int exit_code, const std::string& json) {
  Script script = FakeProcessRunner::Exit(exit_code);
  script.output = "orchestra-result: " + json + "\n";
  return script;
}

TEST_F(ExecutorLogicTest, ARateLimitRequeuesWithoutUsingAnAttemptAfterTheProvidersResetTime) {
  project_.workstreams[0].max_attempts = 1;  // a failure would end it
  behaviour = [](const ProcessSpec& spec) {
    if (spec.argv[1] == "a" && EnvOf(spec, "ORCHESTRA_ATTEMPT") == "1") {
      return Reports(1, R"j({"outcome": "rate_limited", "reason": "HTTP 429", "retry_after_seconds": 42})j");
    }
    return FakeProcessRunner::Exit(0);
  };
  EventRecorder recorder;
  observer = &recorder;
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(AgentsStarted(), "a a b c ");
  EXPECT_NE(std::find(delays_.begin(), delays_.end(), 42.0), delays_.end());
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kRateLimited);
  EXPECT_EQ(attempts[0].error_message, "HTTP 429");
  EXPECT_EQ(attempts[0].agent_type, "scripted");
  EXPECT_EQ(attempts[1].outcome, AttemptOutcome::kSucceeded);
  EXPECT_TRUE(recorder.Has("attempt 1 of a was rate-limited: HTTP 429; agents of type scripted pause for 42s, then "
                           "it runs again (no attempt used up)"));
}

TEST_F(ExecutorLogicTest, RateLimitsWithoutAResetTimeBackOffDoublingPerLimitInARow) {
  behaviour = [](const ProcessSpec& spec) {
    if (spec.argv[1] == "a" && EnvOf(spec, "ORCHESTRA_ATTEMPT") != "4") {
      return Reports(1, R"j({"outcome": "rate_limited"})j");
    }
    return FakeProcessRunner::Exit(0);
  };
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(AgentsStarted(), "a a a a b c ");
  // Each pause is one timer for the type's dispatch and one for the retry.
  std::vector<double> retries;
  for (double delay : delays_) {
    if (retries.empty() || retries.back() != delay) retries.push_back(delay);
  }
  EXPECT_EQ(retries, (std::vector<double>{5, 10, 20}));
  EXPECT_EQ(Attempts("a")[0].error_message, "agent reported rate_limited");
}

TEST_F(ExecutorLogicTest, AFatalErrorFailsAtOnceAndTakesItsAgentTypeOutOfTheRun) {
  Unchain();
  project_.config.agents.pop_back();  // one agent: the others wait behind the first
  behaviour = [](const ProcessSpec& spec) {
    if (spec.argv[1] == "a") return Reports(1, R"j({"outcome": "fatal", "reason": "invalid API key (HTTP 401)"})j");
    return FakeProcessRunner::Exit(0);
  };
  EventRecorder recorder;
  observer = &recorder;
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kIncomplete) << error;
  EXPECT_EQ(AgentsStarted(), "a ");
  EXPECT_EQ(Status("a"), WorkstreamStatus::kFailed);
  EXPECT_EQ(Status("b"), WorkstreamStatus::kPending);
  EXPECT_EQ(Status("c"), WorkstreamStatus::kPending);
  ASSERT_EQ(Attempts("a").size(), 1u);
  EXPECT_EQ(Attempts("a")[0].outcome, AttemptOutcome::kFatal);
  EXPECT_TRUE(recorder.Has("a failed without retrying: invalid API key (HTTP 401)"));
  EXPECT_TRUE(recorder.Has("agents of type scripted take no more work this run: invalid API key (HTTP 401) (from "
                           "a); fix it, then `orchestra retry --failed` and `orchestra run`"));
}

TEST_F(ExecutorLogicTest, AnAgentSilentForTheStallTimeoutIsStoppedAndRetried) {
  project_.config.stall_timeout_seconds = 60;
  behaviour = [](const ProcessSpec& spec) {
    if (spec.argv[1] == "a" && EnvOf(spec, "ORCHESTRA_ATTEMPT") == "1") return FakeProcessRunner::Hang();
    return FakeProcessRunner::Exit(0);
  };
  EventRecorder recorder;
  observer = &recorder;
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(AgentsStarted(), "a a b c ");
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, AttemptOutcome::kStalled);
  EXPECT_EQ(attempts[0].error_message, "agent stalled: no output for 1m00s (stall_timeout); stopped");
  EXPECT_EQ(attempts[0].signal, SIGTERM);
  EXPECT_NE(ReadAll(attempts[0].log_path).find("orchestra: no output for 1m00s (stall_timeout): stopping the agent\n"),
            std::string::npos);
  EXPECT_NE(std::find(recorder.events.begin(), recorder.events.end(), "stalled a"), recorder.events.end());
}

TEST_F(ExecutorLogicTest, TheBudgetStopsNewAttemptsAndAResumeStartsNothing) {
  project_.config.budget_usd = 1.0;
  behaviour = [](const ProcessSpec&) {
    return Reports(0, R"j({"usage": {"input_tokens": 1000, "output_tokens": 10, "cost_usd": 0.6}})j");
  };
  EventRecorder recorder;
  observer = &recorder;
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kBudgetSpent) << error;
  EXPECT_EQ(AgentsStarted(), "a b ");
  EXPECT_EQ(Status("c"), WorkstreamStatus::kPending);
  ASSERT_EQ(Attempts("b").size(), 1u);
  EXPECT_EQ(Attempts("b")[0].usage.cost_usd, 0.6);
  EXPECT_EQ(Attempts("b")[0].usage.input_tokens, 1000);
  EXPECT_TRUE(recorder.Has("budget reached: attempts have cost $1.20 of budget_usd $1.00; starting nothing new, "
                           "waiting for 0 running agent(s)"));
  RunRecord run;
  bool found = false;
  ASSERT_TRUE(store_->LatestRun(&run, &found, &error)) << error;
  EXPECT_EQ(run.state, RunState::kBudgetSpent);

  recorder.messages.clear();
  ASSERT_EQ(Run(&error), RunEnd::kBudgetSpent) << error;
  EXPECT_EQ(AgentsStarted(), "");
  EXPECT_TRUE(recorder.Has("budget reached: attempts have already cost $1.20 of budget_usd $1.00; starting nothing "
                           "(raise budget_usd in orchestra.toml to go on)"));
  EXPECT_EQ(ExitCodeFor(RunEnd::kBudgetSpent), 1);
}

TEST_F(ExecutorLogicTest, TokensWithoutACostArePricedFromTheTypesPriceTable) {
  project_.config.agent_types["scripted"].price = Price{.input = 3, .output = 15};
  behaviour = [](const ProcessSpec&) {
    return Reports(0, R"j({"usage": {"input_tokens": 1000000, "output_tokens": 100000, "model": "m"}})j");
  };
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  const AttemptRecord attempt = Attempts("a").at(0);
  ASSERT_TRUE(attempt.usage.cost_usd.has_value());
  EXPECT_DOUBLE_EQ(*attempt.usage.cost_usd, 4.5);
  EXPECT_EQ(attempt.usage.model, "m");
}

TEST_F(ExecutorLogicTest, AConcurrencyCapLimitsAttemptsOfATypeInTheirAgentsProcess) {
  Unchain();
  std::string error;
  EventRecorder recorder;
  observer = &recorder;
  // Without a cap both agents start at once...
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(StartsAndEnds(recorder)[1].substr(0, 7), "started");
  // ...with max_concurrent = 1 they take turns.
  ASSERT_TRUE(store_->ResetAll(&error)) << error;
  project_.config.agent_types["scripted"].max_concurrent = 1;
  recorder.events.clear();
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  EXPECT_EQ(StartsAndEnds(recorder),
            (std::vector<std::string>{"started a", "completed a", "started b", "completed b", "started c",
                                      "completed c"}));
}

TEST_F(ExecutorLogicTest, RequestsPerMinuteSpacesTheStartsOfAType) {
  Unchain();
  project_.config.agents.push_back({"agent-3", "scripted", "", 0});
  project_.config.agent_types["scripted"].requests_per_minute = 6;  // one start per 10 s
  std::vector<double> starts;
  behaviour = [&](const ProcessSpec&) {
    starts.push_back(clock_.Now());
    return FakeProcessRunner::Exit(0);
  };
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_GE(starts[1] - starts[0], 10);
  EXPECT_GE(starts[2] - starts[1], 10);
}

TEST_F(ExecutorLogicTest, AWorkstreamIsNotRetriedOnceItsAttemptsCostItsMaxCost) {
  project_.workstreams[0].max_cost_usd = 1.0;
  behaviour = [](const ProcessSpec& spec) {
    if (spec.argv[1] == "a") return Reports(1, R"j({"outcome": "failed", "reason": "tests fail", "usage": {"cost_usd": 0.6}})j");
    return FakeProcessRunner::Exit(0);
  };
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kIncomplete) << error;
  EXPECT_EQ(AgentsStarted(), "a a ");  // 0.6, then 1.2: over the cap
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].error_message, "tests fail");
  EXPECT_EQ(attempts[1].error_message, "max_cost_usd $1.00 reached ($1.20 spent), not retried: tests fail");
  EXPECT_EQ(Status("a"), WorkstreamStatus::kFailed);
}

/// Whether `argv` holds "--resume" followed by `session`; "" when it has no --resume.
std::string ResumedSession(const std::vector<std::string>& argv) {
  const auto found = std::find(argv.begin(), argv.end(), "--resume");
  return found == argv.end() || found + 1 == argv.end() ? "" : *(found + 1);
}

TEST_F(ExecutorLogicTest, AClaudeRetryContinuesTheConversationAndAFailedResumeStartsAfresh) {
  project_.config.agent_types["scripted"] =
      AgentType{.name = "scripted", .kind = "claude", .argv = {"agent", "{id}", "--", "{prompt}"}};
  project_.config.agent_types["scripted"].stall_timeout_seconds = 0;
  project_.workstreams[0].max_attempts = 4;
  behaviour = [](const ProcessSpec& spec) {
    if (spec.argv[1] != "a" || EnvOf(spec, "ORCHESTRA_ATTEMPT") == "4") {
      Script script = FakeProcessRunner::Exit(0);
      script.output = R"j({"type":"result","subtype":"success","is_error":false,"result":"done","session_id":"s-ok","usage":{"input_tokens":5,"output_tokens":1}})j"
                      "\n";
      return script;
    }
    Script script = FakeProcessRunner::Exit(1);
    script.output = fmt::format(
        R"j({{"type":"result","subtype":"success","is_error":true,"api_error_status":500,"result":"API Error: 500","session_id":"s-{}"}})j"
        "\n",
        EnvOf(spec, "ORCHESTRA_ATTEMPT"));
    return script;
  };
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kCompleted) << error;
  std::vector<std::string> resumed;
  for (const ProcessSpec& spec : started_) {
    if (spec.argv[1] == "a") resumed.push_back(ResumedSession(spec.argv));
  }
  // 1 fresh; 2 continues 1's conversation; 2 failed resumed, so 3 starts
  // afresh; 4 continues 3's.
  EXPECT_EQ(resumed, (std::vector<std::string>{"", "s-1", "", "s-3"}));
  const std::vector<AttemptRecord> attempts = Attempts("a");
  ASSERT_EQ(attempts.size(), 4u);
  EXPECT_EQ(attempts[0].session_id, "s-1");
  EXPECT_EQ(attempts[3].session_id, "s-ok");
  EXPECT_NE(ReadAll(attempts[1].log_path).find("orchestra: continuing conversation s-1 of an earlier attempt\n"),
            std::string::npos);
}

TEST_F(ExecutorLogicTest, AFatalErrorOfARoutedTypeStopsThatTypeOnly) {
  Unchain();
  project_.config.agent_types["other"] = AgentType{.name = "other", .kind = "command", .argv = {"other", "{id}"}};
  project_.config.routes = {Route{.workstreams = {"a", "b"}, .agent_type = "other"}};
  project_.route_of = {0, 0, -1};
  project_.config.agents.pop_back();  // one agent: b waits until a has ended
  behaviour = [](const ProcessSpec& spec) {
    if (spec.argv[0] == "other") return Reports(1, R"j({"outcome": "fatal", "reason": "no key"})j");
    return FakeProcessRunner::Exit(0);
  };
  EventRecorder recorder;
  observer = &recorder;
  std::string error;
  ASSERT_EQ(Run(&error), RunEnd::kIncomplete) << error;
  std::vector<std::string> programs;
  for (const ProcessSpec& spec : started_) programs.push_back(spec.argv[0] + " " + spec.argv[1]);
  // a's route failed fatally: b (same route) is not started; c (the agent's own type) runs.
  EXPECT_EQ(programs, (std::vector<std::string>{"other a", "agent c"}));
  EXPECT_EQ(Status("a"), WorkstreamStatus::kFailed);
  EXPECT_EQ(Status("b"), WorkstreamStatus::kPending);
  EXPECT_EQ(Status("c"), WorkstreamStatus::kCompleted);
  EXPECT_EQ(Attempts("a").at(0).agent_type, "other");
  EXPECT_TRUE(recorder.Has("agents of type other take no more work this run: no key (from a); fix it, then "
                           "`orchestra retry --failed` and `orchestra run`"));
}

}  // namespace
}  // namespace orchestra

namespace orchestra {
namespace {

// The run follows the plan `orchestra plan` shows. On virtual time
// (EventTimers), where each agent "works" exactly its estimate and every step
// between takes no time, each agent runs the workstreams of its planned
// timeline, in that order, each starting at its planned hour, and the last
// ends at the planned makespan. (The same plan as tests/planning_test.cc's
// two-agent project.)
TEST(ExecutorPlanTest, ARunFollowsThePlanHourForHourInVirtualTime) {
  testing::TempDir dir;
  Project project;
  testing::MakeChainProject(dir.path(), AgentType{.name = "scripted", .kind = "command", .argv = {"agent", "{id}"}},
                            &project);
  project.workstreams.clear();
  const std::vector<std::tuple<std::string, double, std::vector<std::string>>> specs = {
      {"a", 4, {}}, {"b", 2, {}}, {"c", 3, {"a"}}, {"d", 1, {"b"}}, {"e", 2, {"b"}}, {"f", 2, {"d"}}};
  std::map<std::string, double> hours;
  for (const auto& [id, estimate, depends_on] : specs) {
    Workstream workstream;
    workstream.id = id;
    workstream.file = dir / (id + ".json");
    workstream.estimate_hours = estimate;
    workstream.depends_on = depends_on;
    project.workstreams.push_back(workstream);
    hours[id] = estimate;
  }
  project.graph = std::make_unique<Graph>(project.workstreams);
  const Plan plan = MakePlan(project, {});
  ASSERT_EQ(plan.makespan_hours, 7.0);

  testing::ManualClock clock;
  const double start = clock.Now();
  std::string error;
  std::unique_ptr<SqliteStore> store = SqliteStore::Open(dir / "state.db", &clock, &error);
  ASSERT_TRUE(store) << error;
  std::map<std::string, std::vector<std::pair<std::string, double>>> ran;  // agent -> (workstream, start hour)
  double last_end = 0;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    testing::EventTimers timers(&loop, &clock);
    FakeProcessRunner runner(
        &loop,
        [&](const ProcessSpec& spec) {
          const std::string& id = spec.argv[1];
          ran[EnvOf(spec, "ORCHESTRA_AGENT_ID")].emplace_back(id, (clock.Now() - start) / 3600);
          last_end = std::max(last_end, clock.Now() - start + hours[id] * 3600);
          Script script = FakeProcessRunner::Exit(0);
          script.seconds = hours[id] * 3600;
          return script;
        },
        &timers);
    FakeProcessTable processes;
    SystemGit git;
    Executor executor(project, ExecutorEffects{store.get(), &runner, &processes, &git, &timers, &clock, nullptr,
                                               &loop, 4242});
    ASSERT_EQ(executor.Run({}, &error), RunEnd::kCompleted) << error;
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);

  std::map<std::string, std::vector<std::pair<std::string, double>>> planned;
  for (size_t agent = 0; agent < plan.timelines.size(); ++agent) {
    for (const PlannedSlot& slot : plan.timelines[agent]) {
      planned[project.config.agents[agent].id].emplace_back(project.workstreams[slot.workstream].id, slot.start_hours);
    }
  }
  EXPECT_EQ(ran, planned);
  EXPECT_EQ(last_end / 3600, plan.makespan_hours);
}

}  // namespace
}  // namespace orchestra
