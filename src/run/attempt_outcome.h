// Attempt outcome: the one place that decides what the end of each step of an
// attempt means: go on to the next step, or end the attempt, with which
// outcome, whether it may be retried, and the message recorded. Pure: the
// executor gathers the facts of a step and acts on the verdict.
//
// An attempt's steps, in order: setup (worktree, argv, spawn), the agent, the
// check of its changes (worktree isolation), each acceptance test, then, with
// worktree isolation, the merge (prepare, optional verify, move the branch).
#pragma once

#include <string>
#include <vector>

#include "agent_kind.h"
#include "process.h"
#include "state_store.h"

namespace orchestra {

/// The step of an attempt that just ended (and, while running, its phase).
enum class AttemptPhase {
  kSetup,       // creating the worktree, building the argv, starting the agent
  kAgent,       // the agent's process
  kChanges,     // committing and checking what the agent changed
  kAcceptance,  // an acceptance test in the attempt's working folder
  kMerge,       // waiting in the merge queue, preparing the merge, moving the branch
  kVerify,      // an acceptance test on the merge result
};

/// "setup", "agent", "changes", "acceptance", "merge", "verify": shown by displays.
const char* PhaseName(AttemptPhase phase);

/// StepFacts is what happened in one step; the fields of other steps stay empty.
struct StepFacts {
  AttemptPhase phase = AttemptPhase::kAgent;
  bool interrupted = false;  // the orchestrator is stopping (signal, or the state is lost)

  // kSetup: what could not be done ("cannot create the worktree: ...").
  std::string setup_error;

  // kAgent, kAcceptance, kVerify: the process that ended.
  ProcessResult process;
  // kAgent: what the agent's kind made of its end.
  AgentVerdict agent;
  // kAcceptance, kVerify: the test's command and the end of the attempt log.
  std::string test;
  std::string output_tail;

  // kChanges: files the agent changed, those outside its declared scope, and the rules.
  std::vector<std::string> changed;
  std::vector<std::string> outside_scope;
  bool scope_fails = false;    // scope_policy = "fail"
  bool empty_allowed = false;  // the workstream's allow_empty, or a simulated agent

  // kMerge: the paths of a conflict (none: it merged cleanly), or why the merge
  // could not be made (a failed prepare, verify checkout or branch move).
  std::vector<std::string> conflict_paths;
  std::string other_side;  // integration commits touching the conflicting paths
  std::string merge_error;
  std::string integration_branch;  // kMerge, kVerify: for messages
};

/// StepVerdict is what a step's end means for the attempt.
struct StepVerdict {
  bool ends = false;  // false: go on to the next step
  AttemptOutcome outcome = AttemptOutcome::kSucceeded;
  bool retryable = true;  // false: fail now whatever attempts are left (a setup problem)
  std::string message;    // the attempt's error_message; also what the retry prompt says
  std::string log_line;   // for the attempt log ("acceptance test failed (exit code 1): make"), may be empty
};

/// Judges one step. Interruption ends any step as kInterrupted; a timeout is a
/// failure whatever the exit code; an acceptance test whose program is missing
/// (exit 127 or 126, and the shell's last words name the program it could not
/// run) fails at once, without retries, naming that program.
StepVerdict JudgeStep(const StepFacts& facts);

}  // namespace orchestra
