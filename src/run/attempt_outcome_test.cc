#include "attempt_outcome.h"

#include <gtest/gtest.h>

#include <csignal>

namespace orchestra {
namespace {

ProcessResult Exited(int code) {
  ProcessResult result;
  result.exit_code = code;
  return result;
}

ProcessResult Signalled(int signal_number) {
  ProcessResult result;
  result.term_signal = signal_number;
  return result;
}

ProcessResult TimedOut(int code_or_signal, bool signalled) {
  ProcessResult result = signalled ? Signalled(code_or_signal) : Exited(code_or_signal);
  result.timed_out = true;
  result.timeout_seconds = 2;
  return result;
}

StepFacts Agent(const ProcessResult& process) {
  StepFacts facts{.phase = AttemptPhase::kAgent, .process = process};
  facts.agent = InterpretExitCode(process);
  return facts;
}

/// An agent that exited 0 whose kind read `outcome` from its output.
StepFacts Said(AgentOutcome outcome, const std::string& reason) {
  StepFacts facts = Agent(Exited(0));
  facts.agent.outcome = outcome;
  facts.agent.reason = reason;
  return facts;
}

StepFacts TestStep(AttemptPhase phase, const ProcessResult& process, const std::string& command = "make check") {
  return StepFacts{.phase = phase,
                   .process = process,
                   .test = command,
                   .output_tail = "orchestra: acceptance test: make check\nthe test's last words\n\n",
                   .integration_branch = "orchestra/integration"};
}

/// One row: the facts of a step and what must come of them.
struct Row {
  const char* name;
  StepFacts facts;
  bool ends;
  AttemptOutcome outcome;
  bool retryable;
  const char* message;  // the exact error_message
};

TEST(AttemptOutcomeTest, Table) {
  StepFacts changes{.phase = AttemptPhase::kChanges, .changed = {"a.py"}};
  StepFacts nothing_changed{.phase = AttemptPhase::kChanges};
  StepFacts allowed_empty{.phase = AttemptPhase::kChanges, .empty_allowed = true};
  StepFacts outside_warn{.phase = AttemptPhase::kChanges, .changed = {"a.py", "b.py"}, .outside_scope = {"b.py"}};
  StepFacts outside_fail = outside_warn;
  outside_fail.scope_fails = true;
  StepFacts agent_interrupted = Agent(Exited(0));
  agent_interrupted.interrupted = true;
  StepFacts test_interrupted = TestStep(AttemptPhase::kAcceptance, Signalled(SIGTERM));
  test_interrupted.interrupted = true;
  StepFacts clean_merge{.phase = AttemptPhase::kMerge, .integration_branch = "orchestra/integration"};
  StepFacts conflict{.phase = AttemptPhase::kMerge,
                     .conflict_paths = {"a.py", "b.py"},
                     .other_side = "abc123 ws-b: change a\n",
                     .integration_branch = "orchestra/integration"};
  StepFacts merge_error{.phase = AttemptPhase::kMerge, .merge_error = "cannot merge: git said no"};
  StepFacts missing = TestStep(AttemptPhase::kAcceptance, Exited(127), "PYTHONPATH=. pytest -q");
  missing.output_tail = "sh: 1: pytest: not found\n";
  StepFacts missing_in_bash = TestStep(AttemptPhase::kAcceptance, Exited(127), "./ci.sh");
  missing_in_bash.output_tail = "./ci.sh: line 3: markdownlint: command not found\n";
  StepFacts not_executable = TestStep(AttemptPhase::kAcceptance, Exited(126), "./check.sh");
  not_executable.output_tail = "sh: 1: ./check.sh: Permission denied\n";
  StepFacts exit_127 = TestStep(AttemptPhase::kAcceptance, Exited(127), "exit 127");
  exit_127.output_tail = "";
  ProcessResult cannot_start;
  cannot_start.spawn_error = "cannot start 'agent': no such file or directory";
  StepFacts agent_cannot_start = Agent(cannot_start);
  StepFacts spawn_failure = TestStep(AttemptPhase::kAcceptance, ProcessResult{});
  spawn_failure.process.spawn_error = "fork: out of memory";

  const Row rows[] = {
      {"agent exit 0 goes on", Agent(Exited(0)), false, AttemptOutcome::kSucceeded, true, ""},
      {"agent exit 3 fails", Agent(Exited(3)), true, AttemptOutcome::kFailed, true, "agent exit code 3"},
      {"agent killed fails", Agent(Signalled(SIGKILL)), true, AttemptOutcome::kFailed, true,
       "agent killed by signal 9 (SIGKILL)"},
      {"agent rate-limited", Said(AgentOutcome::kRateLimited, "rate limited (HTTP 429)"), true,
       AttemptOutcome::kRateLimited, true, "rate limited (HTTP 429)"},
      {"agent fatal is not retried", Said(AgentOutcome::kFatal, "invalid API key"), true, AttemptOutcome::kFatal,
       false, "invalid API key"},
      {"agent stalled", Said(AgentOutcome::kStalled, "agent stalled"), true, AttemptOutcome::kStalled, true,
       "agent stalled"},
      {"agent says failed despite exit 0", Said(AgentOutcome::kFailed, "is_error"), true, AttemptOutcome::kFailed,
       true, "is_error"},
      {"agent timeout", Agent(TimedOut(SIGTERM, true)), true, AttemptOutcome::kTimedOut, true,
       "agent timed out after 2s, killed by signal 15 (SIGTERM)"},
      {"agent timeout with exit 0 is still a timeout", Agent(TimedOut(0, false)), true,
       AttemptOutcome::kTimedOut, true, "agent timed out after 2s, exit code 0"},
      {"interrupted agent", agent_interrupted, true, AttemptOutcome::kInterrupted, true, "interrupted"},
      {"interrupted test", test_interrupted, true, AttemptOutcome::kInterrupted, true, "interrupted"},
      {"setup failure", StepFacts{.phase = AttemptPhase::kSetup, .setup_error = "cannot create the worktree: x"},
       true, AttemptOutcome::kFailed, true, "cannot create the worktree: x"},
      {"changes in scope go on", changes, false, AttemptOutcome::kSucceeded, true, ""},
      {"outside scope only warns", outside_warn, false, AttemptOutcome::kSucceeded, true, ""},
      {"outside scope fails with policy fail", outside_fail, true, AttemptOutcome::kFailed, true,
       "changed files outside its declared scope (scope_policy = \"fail\"): b.py"},
      {"empty change fails", nothing_changed, true, AttemptOutcome::kFailed, true,
       "the agent changed no file (set \"allow_empty\": true if nothing to change is a success)"},
      {"allowed empty change goes on", allowed_empty, false, AttemptOutcome::kSucceeded, true, ""},
      {"test passes", TestStep(AttemptPhase::kAcceptance, Exited(0)), false, AttemptOutcome::kSucceeded, true, ""},
      {"test fails", TestStep(AttemptPhase::kAcceptance, Exited(2)), true, AttemptOutcome::kFailed, true,
       "acceptance test `make check` failed (exit code 2): the test's last words\nlast output:\n"
       "orchestra: acceptance test: make check\nthe test's last words\n\n"},
      {"test timeout with exit 0 fails", TestStep(AttemptPhase::kAcceptance, TimedOut(0, false)), true,
       AttemptOutcome::kFailed, true,
       "acceptance test `make check` failed (timed out after 2s, exit code 0): the test's last words\n"
       "last output:\norchestra: acceptance test: make check\nthe test's last words\n\n"},
      {"verify fails", TestStep(AttemptPhase::kVerify, Exited(1)), true, AttemptOutcome::kFailed, true,
       "acceptance test `make check` failed on the result of merging onto orchestra/integration (nothing was "
       "merged) (exit code 1): the test's last words\nlast output:\norchestra: acceptance test: make check\n"
       "the test's last words\n\n"},
      {"missing program is not retried", missing, true, AttemptOutcome::kFailed, false,
       "acceptance test `PYTHONPATH=. pytest -q` could not run: `pytest` was not found (exit code 127: sh: 1: "
       "pytest: not found); not retried: install `pytest` or fix the command in acceptance_tests\nlast "
       "output:\nsh: 1: pytest: not found\n"},
      {"missing program deeper in a script is named", missing_in_bash, true, AttemptOutcome::kFailed, false,
       "acceptance test `./ci.sh` could not run: `markdownlint` was not found (exit code 127: ./ci.sh: line 3: "
       "markdownlint: command not found); not retried: install `markdownlint` or fix the command in "
       "acceptance_tests\nlast output:\n./ci.sh: line 3: markdownlint: command not found\n"},
      {"program not executable is not retried", not_executable, true, AttemptOutcome::kFailed, false,
       "acceptance test `./check.sh` could not run: `./check.sh` is not executable (exit code 126: sh: 1: "
       "./check.sh: Permission denied); not retried: install `./check.sh` or fix the command in "
       "acceptance_tests\nlast output:\nsh: 1: ./check.sh: Permission denied\n"},
      {"a script's own exit 127 is an ordinary failure", exit_127, true, AttemptOutcome::kFailed, true,
       "acceptance test `exit 127` failed (exit code 127)\nlast output:\n"},
      {"an agent that cannot start is not retried", agent_cannot_start, true, AttemptOutcome::kFailed, false,
       "agent could not start: cannot start 'agent': no such file or directory"},
      {"test that cannot start", spawn_failure, true, AttemptOutcome::kFailed, true,
       "acceptance test could not start: fork: out of memory"},
      {"clean merge goes on", clean_merge, false, AttemptOutcome::kSucceeded, true, ""},
      {"merge error fails", merge_error, true, AttemptOutcome::kFailed, true, "cannot merge: git said no"},
      {"conflict", conflict, true, AttemptOutcome::kConflict, true,
       "merge conflict with orchestra/integration in: a.py, b.py\nYour previous changes were not merged. Start "
       "again from the current orchestra/integration and make your changes fit what is there now.\n"
       "Conflicting paths:\na.py\nb.py\nMerged meanwhile (the other side):\nabc123 ws-b: change a\n"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const StepVerdict verdict = JudgeStep(row.facts);
    EXPECT_EQ(verdict.ends, row.ends);
    if (!row.ends) continue;
    EXPECT_EQ(OutcomeName(verdict.outcome), std::string(OutcomeName(row.outcome)));
    EXPECT_EQ(verdict.retryable, row.retryable);
    EXPECT_EQ(verdict.message, row.message);
  }
}

TEST(AttemptOutcomeTest, TestsLeaveALogLineEitherWay) {
  EXPECT_EQ(JudgeStep(TestStep(AttemptPhase::kAcceptance, Exited(0))).log_line, "acceptance test passed: make check");
  EXPECT_EQ(JudgeStep(TestStep(AttemptPhase::kAcceptance, Exited(1))).log_line,
            "acceptance test failed (exit code 1): make check");
}

TEST(AttemptOutcomeTest, PhaseNames) {
  EXPECT_STREQ(PhaseName(AttemptPhase::kAgent), "agent");
  EXPECT_STREQ(PhaseName(AttemptPhase::kAcceptance), "acceptance");
  EXPECT_STREQ(PhaseName(AttemptPhase::kMerge), "merge");
  EXPECT_STREQ(PhaseName(AttemptPhase::kVerify), "verify");
}

}  // namespace
}  // namespace orchestra
