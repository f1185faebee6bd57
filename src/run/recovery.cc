#include "recovery.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <string_view>

#include <fmt/format.h>

#include "supervisor_status.h"
#include "crash_point.h"

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

// The orchestrator died after spawning the attempt's supervisor and before
// recording its pid: the attempt key in the supervisor's environment finds it
// (`holders`: the processes holding it, from the one scan for every attempt).
// Fills the pid into `*record` and the state, so a second stop finds it directly.
bool FoundSupervisor(const RecoveryContext& context, const AttemptRecord& attempt, const std::vector<int>& holders,
                     AttemptRecord* record) {
  if (attempt.pid > 0) return false;
  for (const int pid : holders) {
    const int64_t start_time = context.processes->StartTime(pid);
    if (start_time == 0 || !IsSupervisor(pid)) continue;
    std::string error;
    if (!context.store->SetAttemptPids({AttemptPid{attempt.id, pid, start_time}}, &error)) return false;
    record->pid = pid;
    record->pid_start_time = start_time;
    return true;
  }
  return false;
}

// The agent's work survives the stop: its supervisor recorded the end (the
// attempt is collected) or still runs (adopted). Fills `*continued` and `*event`.
bool Continues(const RecoveryContext& context, const AttemptRecord& attempt, const std::vector<int>& holders,
               ContinuedAttempt* continued, LogEntry* event) {
  if (context.continued == nullptr || attempt.log_path.empty()) return false;
  if (context.can_continue && !context.can_continue(attempt)) return false;
  continued->record = attempt;
  SupervisorStatus status;
  std::string ignored;  // an unreadable status file is as good as none
  const std::string status_path = StatusPathFor(attempt.log_path);
  std::string message;
  if (ReadSupervisorStatus(attempt.log_path, status_path, &status, &ignored)) {
    continued->result = ResultOf(status);
    event->event_type = "collected";
    message = fmt::format("attempt {} of {}: its agent ended while the orchestrator was stopped ({}); "
                          "collected its result",
                          attempt.attempt, attempt.workstream_id, continued->result.Describe());
  } else if ((attempt.pid > 1 && attempt.pid < INT32_MAX &&
              context.processes->StartTime(static_cast<int>(attempt.pid)) == attempt.pid_start_time &&
              IsSupervisor(static_cast<int>(attempt.pid))) ||
             FoundSupervisor(context, attempt, holders, &continued->record)) {
    continued->adopted = true;
    event->event_type = "adopted";
    message = fmt::format("attempt {} of {}: its agent is still running (supervisor pid {}); adopted",
                          attempt.attempt, attempt.workstream_id, continued->record.pid);
  } else {
    return false;
  }
  *event = LogEntry{0, "", attempt.workstream_id, attempt.agent_id, event->event_type, message};
  return true;
}

}  // namespace

bool IsSupervisor(int pid) {
  const int fd = open(("/proc/" + std::to_string(pid) + "/comm").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char name[64] = {};
  const ssize_t count = read(fd, name, sizeof name - 1);
  close(fd);
  // The kernel keeps the first 15 bytes of the program's name.
  return count > 0 && std::string_view(name, static_cast<size_t>(count)) == "orchestra-super\n";
}

namespace {

// A supervisor this run does not continue is asked to kill its agent (the
// whole cgroup where there is one) and waits for it to exit, at most a few
// seconds; SIGKILL to it alone would leave the agent running.
void StopSupervisor(int64_t pid, int64_t start_time) {
  if (pid <= 1 || pid > INT32_MAX) return;
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
  if (pidfd < 0) return;
  if (ProcessStartTime(static_cast<int>(pid)) == start_time && IsSupervisor(static_cast<int>(pid)) &&
      syscall(SYS_pidfd_send_signal, pidfd, SIGUSR1, nullptr, 0) == 0) {
    pollfd exited{pidfd, POLLIN, 0};
    poll(&exited, 1, 5000);
  }
  close(pidfd);
}

}  // namespace

AttemptEnd AbandonedEnd(const AttemptRecord& attempt, bool killed) {
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

std::string AttemptKey(const std::string& state_path, int64_t attempt_id) {
  return fmt::format("ORCHESTRA_ATTEMPT_KEY={}#{}", state_path, attempt_id);
}

bool RecoverAttempts(const RecoveryContext& context, std::vector<LogEntry>* events, std::string* error) {
  std::vector<AttemptRecord> running;
  if (!context.store->RunningAttempts(&running, error)) return false;
  if (context.continued != nullptr) context.continued->clear();  // a retry after a busy state starts afresh
  if (context.only != nullptr) {
    std::erase_if(running, [&](const AttemptRecord& attempt) {
      return std::find(context.only->begin(), context.only->end(), attempt.id) == context.only->end();
    });
  }
  // /proc is scanned once for all the attempts, not once or twice for each
  // (16 attempts left by a killed run were most of a resume's time): once
  // for the supervisors of attempts whose pid was never recorded, and once
  // to kill what is left of the attempts that do not go on.
  std::vector<std::string> keys;
  for (const AttemptRecord& attempt : running) keys.push_back(AttemptKey(context.state_path, attempt.id));
  std::vector<std::string> unrecorded;
  std::vector<int> unrecorded_at(running.size(), -1);  // its place in `unrecorded`, or -1
  for (size_t at = 0; at < running.size(); ++at) {
    if (running[at].pid > 0 || context.continued == nullptr || running[at].log_path.empty()) continue;
    unrecorded_at[at] = static_cast<int>(unrecorded.size());
    unrecorded.push_back(keys[at]);
  }
  const std::vector<std::vector<int>> holders =
      unrecorded.empty() ? std::vector<std::vector<int>>{} : context.processes->FindWithEnvironment(unrecorded);
  struct Recovered {
    AttemptEnd end;
    bool merged = false;
    bool continues = false;
    bool killed = false;
    ContinuedAttempt continued;
    LogEntry event;
  };
  std::vector<Recovered> recovered(running.size());
  std::vector<std::string> to_kill;
  std::vector<size_t> killed_at;
  for (size_t at = 0; at < running.size(); ++at) {
    const AttemptRecord& attempt = running[at];
    Recovered& one = recovered[at];
    one.merged = MergedBeforeTheStop(context, attempt, &one.end);
    // Adopted (its supervisor still runs) or collected (its status is on disk).
    static const std::vector<int> kNone;
    const std::vector<int>& found = unrecorded_at[at] >= 0 ? holders[static_cast<size_t>(unrecorded_at[at])] : kNone;
    one.continues = !one.merged && Continues(context, attempt, found, &one.continued, &one.event);
    if (one.continues) continue;
    StopSupervisor(attempt.pid, attempt.pid_start_time);
    // The pid may be missing (a crash between start and spawn) and processes
    // may have left the group; the attempt key in their environment finds them.
    one.killed = attempt.pid > 0 && context.processes->KillStaleGroup(attempt.pid, attempt.pid_start_time);
    to_kill.push_back(keys[at]);
    killed_at.push_back(at);
  }
  if (!to_kill.empty()) {
    const std::vector<int> killed = context.processes->KillWithEnvironment(to_kill);
    for (size_t k = 0; k < killed_at.size(); ++k) recovered[killed_at[k]].killed |= killed[k] > 0;
  }
  for (size_t at = 0; at < running.size(); ++at) {
    const AttemptRecord& attempt = running[at];
    Recovered& one = recovered[at];
    if (!one.continues) {
      if (!one.merged) one.end = AbandonedEnd(attempt, one.killed);
      one.event = LogEntry{0, "", attempt.workstream_id, attempt.agent_id, one.end.event_type, one.end.message};
    }
    CrashPoint("recovery-before-end");
    if (one.continues) {
      if (!context.store->AppendLog(one.event.workstream_id, one.event.agent_id, one.event.event_type,
                                    one.event.message, error)) {
        return false;
      }
      context.continued->push_back(one.continued);
    } else {
      const bool finished = context.finish ? context.finish(attempt.id, one.end, error)
                                           : context.store->FinishAttempt(attempt.id, one.end, error);
      if (!finished) return false;
      if (one.merged) {
        std::string ignored;  // a worktree left behind is removed by `orchestra clean`
        context.worktrees->Remove(attempt.workstream_id, &ignored);
      }
    }
    CrashPoint("recovery-after-end");
    events->push_back(one.event);
  }
  return true;
}

}  // namespace orchestra
