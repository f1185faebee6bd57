// Processes: agents and acceptance tests as child processes, each in its own
// process group, output read through a pipe and appended to a log file
// (secrets redacted, size capped: log_sink.h), with a timeout that escalates
// SIGTERM -> SIGKILL to the whole group. Nothing of a process outlives it: when
// the leader exits, whatever is left in its group is killed.
//
// Agents run under orchestra-supervise (src/supervise/main.cc) instead: the
// supervisor writes the log and a status file itself and outlives the
// orchestrator, so a restarted orchestrator adopts it (Adopt) or collects its
// status file rather than throwing the agent's work away.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "supervisor_status.h"

struct uv_loop_s;

namespace orchestra {

/// What to start. `argv[0]` is looked up on PATH (the child's, so after `env` is
/// applied) unless it contains a '/'. It runs directly, never through a shell.
struct ProcessSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // KEY=VALUE entries added to (or replacing in) ours
  std::string cwd;               // empty: ours
  std::string log_path;          // stdout+stderr appended here; stdin is /dev/null
  std::vector<std::string> redact;  // secret values, written to the log as "[redacted]"
  int64_t max_log_bytes = 0;        // the most output the log keeps (head and tail); 0: all
  double timeout_seconds = 0;    // 0: none
  double kill_grace_seconds = 10;  // SIGTERM -> SIGKILL delay on timeout/Terminate
  /// Set: the process runs under orchestra-supervise, which writes the log,
  /// enforces the timeout and records the end in this file (supervisor_status.h).
  std::string status_path;
};

/// How a process ended.
struct ProcessResult {
  int exit_code = -1;    // valid when term_signal == 0 and spawn_error is empty
  int term_signal = 0;   // signal that ended it, 0 if it exited
  bool timed_out = false;
  double timeout_seconds = 0;  // the limit it ran under (0: none); Describe names it
  std::string spawn_error;  // set when it could not be started (then nothing ran)
  double duration_seconds = 0;
  /// Supervised: where the process's output starts in its log (-1: unknown).
  int64_t log_offset = -1;
  /// Supervised in a cgroup of its own: whatever it started was killed with
  /// the cgroup before this result was recorded, so no scan for leftovers is needed.
  bool contained = false;
  /// Supervised: set when the supervisor ended without recording the agent's
  /// end (killed outright, a full disk), saying how it ended; the agent's own
  /// end is then unknown (term_signal is SIGKILL, so the attempt fails).
  std::string lost;

  bool Succeeded() const { return spawn_error.empty() && term_signal == 0 && exit_code == 0; }
  /// "exit code 3", "killed by signal 9 (SIGKILL)", "could not start: ...", and when
  /// it timed out that first: "timed out after 45s, killed by signal 15 (SIGTERM)";
  /// a lost end: "lost: its supervisor was killed by signal 9 (SIGKILL) ...".
  std::string Describe() const;
};

/// ProcessRunner starts and stops child processes on an event loop. Callbacks run
/// on the loop thread. Implementations must be driven by that loop.
class ProcessRunner {
 public:
  using ExitCallback = std::function<void(const ProcessResult&)>;
  virtual ~ProcessRunner() = default;

  /// Starts `spec`. On success sets `*handle` (for Terminate) and `*pid` (also the
  /// process group id; with a status_path, the supervisor's) and later calls
  /// `on_exit` exactly once. On a spawn failure returns false with `*error`;
  /// `on_exit` is not called.
  virtual bool Start(const ProcessSpec& spec, ExitCallback on_exit, int64_t* handle, int* pid,
                     std::string* error) = 0;
  /// Watches a supervisor an earlier orchestrator started (process `pid`,
  /// started at `start_time` in /proc's clock ticks) until it exits, then calls
  /// `on_exit` once with the end its status file `status_path` records, as
  /// Start does; Terminate and Kill reach it as theirs. False with `*error`
  /// when that process is gone or this runner cannot watch it.
  virtual bool Adopt(int pid, int64_t start_time, const std::string& status_path, ExitCallback on_exit,
                     int64_t* handle, std::string* error) {
    (void)pid, (void)start_time, (void)status_path, (void)on_exit, (void)handle;
    *error = "this process runner cannot adopt processes";
    return false;
  }
  /// SIGTERM to the process group, SIGKILL after its grace period.
  virtual void Terminate(int64_t handle) = 0;
  /// SIGKILL to the process group now.
  virtual void Kill(int64_t handle) = 0;
  virtual size_t running() const = 0;
  /// Bytes the process has printed so far (stdout and stderr), for a stall
  /// detector; 0 for an unknown handle or a runner that does not read output.
  virtual int64_t OutputBytes(int64_t /*handle*/) const { return 0; }
};

/// The orchestra-supervise program beside this process's own binary
/// (/proc/self/exe), or "" when there is none.
std::string SupervisorBesideUs();

/// The end a supervisor's status file records, as a ProcessResult.
ProcessResult ResultOf(const SupervisorStatus& status);

/// ProcessResult::lost for a supervisor that ended without a status: how it
/// ended when we reaped it (`waited`, with its wait status), else that it ended.
std::string SupervisorLoss(bool waited, int wait_status);

/// ProcessRunner on a libuv loop. Each child is spawned detached (it calls
/// setsid(), so its pid is also its process group id) and its handle keeps the
/// loop alive until it has been reported.
///
/// The child's stdout and stderr are one pipe (so they interleave as they would
/// in a file), read on the loop into a LogSink. When the leader exits (and its
/// group is killed), what the pipe holds is read without waiting and the pipe
/// is closed: a daemon that escaped the group may keep its end open forever,
/// and on_exit never waits for it. The log is complete when on_exit runs.
///
/// on_exit runs from a close callback, after every libuv handle of that child is
/// closed and the child is forgotten (running() no longer counts it), so it may
/// Start, Terminate or Kill anything, or even destroy the runner.
///
/// Contract for the owner: run the loop until running() == 0 before destroying
/// the runner. The destructor is safe anyway: it SIGKILLs every remaining group,
/// reaps the leaders with waitpid and closes their handles without calling
/// on_exit. Those handles are freed by their close callbacks, so run the loop
/// once more before uv_loop_close (which reports UV_EBUSY until then).
/// Not thread-safe: use it only on the loop's thread.
///
/// A spec with a status_path starts `supervisor` (orchestra-supervise) with
/// posix_spawn (no copy of our page tables; its own session), which starts the
/// process; Start returns once it runs (or with the reason it could not). The
/// supervisor's exit is watched with a pidfd on the loop, and on_exit gets the
/// end its status file records. Terminate sends it SIGTERM (it escalates to
/// SIGKILL after the grace period), Kill SIGUSR1 (SIGKILL now). The destructor
/// has it kill its process and waits for it.
class UvProcessRunner : public ProcessRunner {
 public:
  /// `supervisor`: the orchestra-supervise program; "": SupervisorBesideUs().
  explicit UvProcessRunner(uv_loop_s* loop, std::string supervisor = "");
  ~UvProcessRunner() override;
  bool Start(const ProcessSpec& spec, ExitCallback on_exit, int64_t* handle, int* pid,
             std::string* error) override;
  bool Adopt(int pid, int64_t start_time, const std::string& status_path, ExitCallback on_exit,
             int64_t* handle, std::string* error) override;
  void Terminate(int64_t handle) override;
  void Kill(int64_t handle) override;
  /// Children started and not yet reported through on_exit.
  size_t running() const override;
  int64_t OutputBytes(int64_t handle) const override;

 private:
  struct Child;
  struct Supervised;
  bool StartSupervised(const ProcessSpec& spec, ExitCallback on_exit, int64_t* handle, int* pid,
                       std::string* error);
  /// Watches `watched` (its pidfd set) on the loop and keeps it.
  void Watch(std::unique_ptr<Supervised> watched);
  uv_loop_s* loop_;
  std::string supervisor_;
  int64_t next_handle_ = 1;
  std::vector<std::unique_ptr<Child>> children_;
  std::vector<std::unique_ptr<Supervised>> supervised_;
  friend struct ChildAccess;
  friend struct SupervisedAccess;
};

}  // namespace orchestra
