#include "attempt_outcome.h"

#include <fmt/format.h>

#include <sstream>

namespace orchestra {

namespace {

// Shell exit codes for a command that could not run (POSIX, "Command Search
// and Execution"): 127 not found, 126 found but not executable.
constexpr int kExitNotFound = 127;
constexpr int kExitNotExecutable = 126;

StepVerdict GoOn() { return StepVerdict{}; }

StepVerdict End(AttemptOutcome outcome, std::string message, std::string log_line = "") {
  StepVerdict verdict;
  verdict.ends = true;
  verdict.outcome = outcome;
  verdict.message = std::move(message);
  verdict.log_line = std::move(log_line);
  return verdict;
}

bool CouldNotRun(const ProcessResult& process) {
  return process.spawn_error.empty() && process.term_signal == 0 && !process.timed_out &&
         (process.exit_code == kExitNotFound || process.exit_code == kExitNotExecutable);
}

StepVerdict JudgeAgent(const StepFacts& facts) {
  if (facts.process.timed_out) {
    return End(AttemptOutcome::kTimedOut, "agent " + facts.process.Describe());
  }
  if (!facts.process.spawn_error.empty()) {
    // The program could not be started: another attempt would fail the same way.
    StepVerdict verdict = End(AttemptOutcome::kFailed, facts.agent.reason);
    verdict.retryable = false;
    return verdict;
  }
  switch (facts.agent.outcome) {
    case AgentOutcome::kSucceeded:
      return GoOn();
    case AgentOutcome::kFailed:
      return End(AttemptOutcome::kFailed, facts.agent.reason);
    case AgentOutcome::kRateLimited:
      return End(AttemptOutcome::kRateLimited, facts.agent.reason);
    case AgentOutcome::kStalled:
      return End(AttemptOutcome::kStalled, facts.agent.reason);
    case AgentOutcome::kFatal: {
      // Authentication or configuration: every attempt would end the same way.
      StepVerdict verdict = End(AttemptOutcome::kFatal, facts.agent.reason);
      verdict.retryable = false;
      return verdict;
    }
  }
  return End(AttemptOutcome::kFailed, facts.agent.reason);
}

StepVerdict JudgeChanges(const StepFacts& facts) {
  if (!facts.outside_scope.empty() && facts.scope_fails) {
    return End(AttemptOutcome::kFailed,
               fmt::format("changed files outside its declared scope (scope_policy = \"fail\"): {}",
                           fmt::join(facts.outside_scope, ", ")));
  }
  if (facts.changed.empty() && !facts.empty_allowed) {
    return End(AttemptOutcome::kFailed,
               "the agent changed no file (set \"allow_empty\": true if nothing to change is a success)");
  }
  return GoOn();
}

/// The last line the test itself printed (not one of Orchestra's own notes),
/// for the first line of the message, which is what the terminal shows.
std::string LastOutputLine(const std::string& tail) {
  std::istringstream lines(tail);
  std::string last;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.rfind("orchestra: ", 0) != 0) last = line;
  }
  return last;
}

/// The program the shell said it could not run, from its last words ("sh: 1:
/// pytest: not found", "bash: line 1: pytest: command not found", "sh: 1:
/// ./check.sh: Permission denied"), or "" when it said no such thing: an exit
/// code of 127 alone may also be a script's own `exit 127`.
std::string ProgramTheShellCouldNotRun(const std::string& line) {
  for (const char* suffix : {": command not found", ": not found", ": Permission denied"}) {
    const std::string ending(suffix);
    if (line.size() <= ending.size() || line.compare(line.size() - ending.size(), ending.size(), ending) != 0) {
      continue;
    }
    const std::string before = line.substr(0, line.size() - ending.size());
    const size_t separator = before.rfind(": ");
    if (separator == std::string::npos) return "";
    return before.substr(separator + 2);
  }
  return "";
}

StepVerdict JudgeTest(const StepFacts& facts) {
  const ProcessResult& process = facts.process;
  if (process.Succeeded() && !process.timed_out) {
    return StepVerdict{.log_line = "acceptance test passed: " + facts.test};
  }
  const std::string where =
      facts.phase == AttemptPhase::kVerify
          ? fmt::format(" on the result of merging onto {} (nothing was merged)", facts.integration_branch)
          : "";
  const std::string log_line = fmt::format("acceptance test failed ({}): {}", process.Describe(), facts.test);
  if (!process.spawn_error.empty()) {
    return End(AttemptOutcome::kFailed, "acceptance test could not start: " + process.spawn_error, log_line);
  }
  const std::string said = LastOutputLine(facts.output_tail);
  const std::string output = "\nlast output:\n" + facts.output_tail;
  const std::string program = CouldNotRun(process) ? ProgramTheShellCouldNotRun(said) : "";
  if (!program.empty()) {
    StepVerdict verdict = End(
        AttemptOutcome::kFailed,
        fmt::format("acceptance test `{}` could not run{}: `{}` {} ({}{}); not retried: install `{}` or fix "
                    "the command in acceptance_tests{}",
                    facts.test, where, program,
                    process.exit_code == kExitNotFound ? "was not found" : "is not executable",
                    process.Describe(), said.empty() ? "" : ": " + said, program, output),
        log_line);
    verdict.retryable = false;
    return verdict;
  }
  return End(AttemptOutcome::kFailed,
             fmt::format("acceptance test `{}` failed{} ({}){}{}", facts.test, where, process.Describe(),
                         said.empty() ? "" : ": " + said, output),
             log_line);
}

StepVerdict JudgeMerge(const StepFacts& facts) {
  if (!facts.merge_error.empty()) return End(AttemptOutcome::kFailed, facts.merge_error);
  if (facts.conflict_paths.empty()) return GoOn();
  const std::string& branch = facts.integration_branch;
  const std::string message = fmt::format(
      "merge conflict with {} in: {}\nYour previous changes were not merged. Start again from the "
      "current {} and make your changes fit what is there now.\nConflicting paths:\n{}\n"
      "Merged meanwhile (the other side):\n{}",
      branch, fmt::join(facts.conflict_paths, ", "), branch, fmt::join(facts.conflict_paths, "\n"),
      facts.other_side.empty() ? "(no commit summary)\n" : facts.other_side);
  return End(AttemptOutcome::kConflict, message, message);
}

}  // namespace

const char* PhaseName(AttemptPhase phase) {
  switch (phase) {
    case AttemptPhase::kSetup: return "setup";
    case AttemptPhase::kAgent: return "agent";
    case AttemptPhase::kChanges: return "changes";
    case AttemptPhase::kAcceptance: return "acceptance";
    case AttemptPhase::kMerge: return "merge";
    case AttemptPhase::kVerify: return "verify";
  }
  return "agent";
}

StepVerdict JudgeStep(const StepFacts& facts) {
  if (facts.interrupted) return End(AttemptOutcome::kInterrupted, "interrupted");
  switch (facts.phase) {
    case AttemptPhase::kSetup:
      return End(AttemptOutcome::kFailed, facts.setup_error);
    case AttemptPhase::kAgent:
      return JudgeAgent(facts);
    case AttemptPhase::kChanges:
      return JudgeChanges(facts);
    case AttemptPhase::kAcceptance:
    case AttemptPhase::kVerify:
      return JudgeTest(facts);
    case AttemptPhase::kMerge:
      return JudgeMerge(facts);
  }
  return End(AttemptOutcome::kFailed, "unknown step");
}

}  // namespace orchestra
