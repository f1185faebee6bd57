#include "recovery.h"

#include <fmt/format.h>

namespace orchestra {

namespace {

/// True (with `*end` filled) when the attempt's merge reached the integration
/// branch: the orchestrator died between recording the merge and finishing
/// the attempt. The merge happened exactly when its commit is in the branch.
bool MergedBeforeTheStop(const RecoveryContext& context, const AttemptRecord& attempt, AttemptEnd* end) {
  if (context.worktrees == nullptr || attempt.merge_commit.empty()) return false;
  const std::string head = context.worktrees->IntegrationHead();
  if (head.empty() || !IsAncestor(context.git, context.project_dir, attempt.merge_commit, head)) {
    return false;
  }
  end->outcome = AttemptOutcome::kSucceeded;
  end->new_status = WorkstreamStatus::kCompleted;
  end->event_type = "completed";
  end->message = fmt::format("attempt {} of {} was merged into {} before the orchestrator stopped; completed",
                             attempt.attempt, attempt.workstream_id, context.integration_branch);
  return true;
}

AttemptEnd Abandoned(const AttemptRecord& attempt, bool killed) {
  AttemptEnd end;
  end.outcome = AttemptOutcome::kAbandoned;
  end.new_status = WorkstreamStatus::kPending;
  end.error_message = "the orchestrator stopped while this attempt ran";
  end.event_type = "requeued";
  end.message = fmt::format("attempt {} was left running by a stopped orchestrator{}; requeued",
                            attempt.attempt,
                            killed ? " (its processes were still running and were killed)" : "");
  return end;
}

}  // namespace

std::string AttemptKey(const std::string& state_path, int64_t attempt_id) {
  return fmt::format("ORCHESTRA_ATTEMPT_KEY={}#{}", state_path, attempt_id);
}

bool RecoverAttempts(const RecoveryContext& context, std::vector<LogEntry>* events, std::string* error) {
  std::vector<AttemptRecord> running;
  if (!context.store->RunningAttempts(&running, error)) return false;
  for (const AttemptRecord& attempt : running) {
    // The pid may be missing (a crash between start and spawn) and processes
    // may have left the group; the attempt key in their environment finds them.
    bool killed =
        attempt.pid > 0 && context.processes->KillStaleGroup(attempt.pid, attempt.pid_start_time);
    killed = context.processes->KillWithEnvironment(AttemptKey(context.state_path, attempt.id)) > 0 || killed;
    AttemptEnd end;
    const bool merged = MergedBeforeTheStop(context, attempt, &end);
    if (!merged) end = Abandoned(attempt, killed);
    if (!context.store->FinishAttempt(attempt.id, end, error)) return false;
    if (merged) {
      std::string ignored;  // a worktree left behind is removed by `orchestra clean`
      context.worktrees->Remove(attempt.workstream_id, &ignored);
    }
    events->push_back(LogEntry{0, "", attempt.workstream_id, attempt.agent_id, end.event_type, end.message});
  }
  return true;
}

}  // namespace orchestra
