// Processes: agents and acceptance tests as child processes, each in its own
// process group, output read through a pipe and appended to a log file
// (secrets redacted, size capped: log_sink.h), with a timeout that escalates
// SIGTERM -> SIGKILL to the whole group. Nothing of a process outlives it: when
// the leader exits, whatever is left in its group is killed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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
};

/// How a process ended.
struct ProcessResult {
  int exit_code = -1;    // valid when term_signal == 0 and spawn_error is empty
  int term_signal = 0;   // signal that ended it, 0 if it exited
  bool timed_out = false;
  double timeout_seconds = 0;  // the limit it ran under (0: none); Describe names it
  std::string spawn_error;  // set when it could not be started (then nothing ran)
  double duration_seconds = 0;

  bool Succeeded() const { return spawn_error.empty() && term_signal == 0 && exit_code == 0; }
  /// "exit code 3", "killed by signal 9 (SIGKILL)", "could not start: ...", and when
  /// it timed out that first: "timed out after 45s, killed by signal 15 (SIGTERM)".
  std::string Describe() const;
};

/// ProcessRunner starts and stops child processes on an event loop. Callbacks run
/// on the loop thread. Implementations must be driven by that loop.
class ProcessRunner {
 public:
  using ExitCallback = std::function<void(const ProcessResult&)>;
  virtual ~ProcessRunner() = default;

  /// Starts `spec`. On success sets `*handle` (for Terminate) and `*pid` (also the
  /// process group id) and later calls `on_exit` exactly once. On a spawn failure
  /// returns false with `*error`; `on_exit` is not called.
  virtual bool Start(const ProcessSpec& spec, ExitCallback on_exit, int64_t* handle, int* pid,
                     std::string* error) = 0;
  /// SIGTERM to the process group, SIGKILL after its grace period.
  virtual void Terminate(int64_t handle) = 0;
  /// SIGKILL to the process group now.
  virtual void Kill(int64_t handle) = 0;
  virtual size_t running() const = 0;
  /// Bytes the process has printed so far (stdout and stderr), for a stall
  /// detector; 0 for an unknown handle or a runner that does not read output.
  virtual int64_t OutputBytes(int64_t /*handle*/) const { return 0; }
};

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
class UvProcessRunner : public ProcessRunner {
 public:
  explicit UvProcessRunner(uv_loop_s* loop);
  ~UvProcessRunner() override;
  bool Start(const ProcessSpec& spec, ExitCallback on_exit, int64_t* handle, int* pid,
             std::string* error) override;
  void Terminate(int64_t handle) override;
  void Kill(int64_t handle) override;
  /// Children started and not yet reported through on_exit.
  size_t running() const override;
  int64_t OutputBytes(int64_t handle) const override;

 private:
  struct Child;
  uv_loop_s* loop_;
  int64_t next_handle_ = 1;
  std::vector<std::unique_ptr<Child>> children_;
  friend struct ChildAccess;
};

}  // namespace orchestra
