#include "fake_process_runner.h"

#include <uv.h>

#include <csignal>
#include <fstream>

namespace orchestra::testing {

/// Pending is one result on its way: a zero-delay timer that reports it.
struct FakeProcessRunner::Pending {
  uv_timer_t timer;
  FakeProcessRunner* runner = nullptr;
  int64_t handle = 0;
  ProcessResult result;
};

FakeProcessRunner::FakeProcessRunner(uv_loop_t* loop, Behaviour behaviour)
    : loop_(loop), behaviour_(std::move(behaviour)) {}

FakeProcessRunner::~FakeProcessRunner() = default;

bool FakeProcessRunner::Start(const ProcessSpec& spec, ExitCallback on_exit, int64_t* handle, int* pid,
                              std::string* error) {
  started_.push_back(spec);
  const Script script = behaviour_(spec);
  if (!script.start_error.empty()) {
    *error = script.start_error;
    return false;
  }
  if (!script.output.empty()) std::ofstream(spec.log_path, std::ios::app) << script.output;
  *handle = next_handle_++;
  *pid = 0;  // no process: the process table's fakes see pid 0
  running_[*handle] = std::move(on_exit);
  if (script.result) Deliver(*handle, *script.result);
  return true;
}

void FakeProcessRunner::Deliver(int64_t handle, const ProcessResult& result) {
  auto* pending = new Pending;
  pending->runner = this;
  pending->handle = handle;
  pending->result = result;
  pending->timer.data = pending;
  uv_timer_init(loop_, &pending->timer);
  uv_timer_start(
      &pending->timer,
      [](uv_timer_t* timer) {
        auto* fired = static_cast<Pending*>(timer->data);
        auto found = fired->runner->running_.find(fired->handle);
        if (found != fired->runner->running_.end()) {
          ExitCallback on_exit = std::move(found->second);
          fired->runner->running_.erase(found);
          on_exit(fired->result);
        }
        uv_close(reinterpret_cast<uv_handle_t*>(timer),
                 [](uv_handle_t* closed) { delete static_cast<Pending*>(closed->data); });
      },
      0, 0);
}

void FakeProcessRunner::Terminate(int64_t handle) {
  ProcessResult result;
  result.term_signal = SIGTERM;
  if (running_.count(handle)) Deliver(handle, result);
}

void FakeProcessRunner::Kill(int64_t handle) {
  ProcessResult result;
  result.term_signal = SIGKILL;
  if (running_.count(handle)) Deliver(handle, result);
}

std::vector<ProcessSpec> FakeProcessRunner::StartedWith(const std::string& program) const {
  std::vector<ProcessSpec> specs;
  for (const ProcessSpec& spec : started_) {
    if (!spec.argv.empty() && spec.argv[0] == program) specs.push_back(spec);
  }
  return specs;
}

FakeProcessRunner::Script FakeProcessRunner::Exit(int code) {
  ProcessResult result;
  result.exit_code = code;
  return Script{result, "", ""};
}

FakeProcessRunner::Script FakeProcessRunner::Hang() { return Script{std::nullopt, "", ""}; }

}  // namespace orchestra::testing
