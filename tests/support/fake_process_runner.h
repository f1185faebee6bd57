// A ProcessRunner that starts no process: each Start is answered on a later
// turn of the loop with the result a test's script gives, so the executor's
// logic runs in microseconds and any single start can fail or hang.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "process.h"
#include "timers.h"

struct uv_loop_s;

namespace orchestra::testing {

/// FakeProcessRunner records every ProcessSpec it is given and reports each
/// "process" as the script says: a result (delivered on the next loop turn),
/// nullopt for one that runs until Terminate or Kill, or a start failure;
/// what it "prints" is appended to the spec's log file, as a real one's is.
class FakeProcessRunner : public ProcessRunner {
 public:
  /// What becomes of a started process.
  struct Script {
    std::optional<ProcessResult> result;  // nullopt: runs until terminated
    std::string start_error;              // non-empty: Start fails with it
    std::string output;                   // appended to the spec's log when it starts
    double seconds = 0;                   // how long it runs, on the `durations` timers
  };
  using Behaviour = std::function<Script(const ProcessSpec&)>;

  /// `durations`: the timers a Script's `seconds` run on (EventTimers: virtual
  /// time); null: every result comes on the next loop turn.
  FakeProcessRunner(uv_loop_s* loop, Behaviour behaviour, Timers* durations = nullptr);
  ~FakeProcessRunner() override;

  bool Start(const ProcessSpec& spec, ExitCallback on_exit, int64_t* handle, int* pid,
             std::string* error) override;
  void Terminate(int64_t handle) override;
  void Kill(int64_t handle) override;
  size_t running() const override { return running_.size(); }

  /// Every spec started, in order (failed starts included).
  const std::vector<ProcessSpec>& started() const { return started_; }
  /// Specs whose argv[0] is `program`.
  std::vector<ProcessSpec> StartedWith(const std::string& program) const;

  /// A result that exited with `code`.
  static Script Exit(int code);
  /// A process that runs until it is terminated.
  static Script Hang();

 private:
  void Deliver(int64_t handle, const ProcessResult& result);

  UvTimers timers_;  // reports each result on a later loop turn
  Behaviour behaviour_;
  Timers* durations_;
  int64_t next_handle_ = 1;
  std::vector<ProcessSpec> started_;
  std::map<int64_t, ExitCallback> running_;
};

}  // namespace orchestra::testing
