#include "fake_process_runner.h"

#include <csignal>
#include <fstream>

namespace orchestra::testing {

FakeProcessRunner::FakeProcessRunner(uv_loop_s* loop, Behaviour behaviour, Timers* durations)
    : timers_(loop), behaviour_(std::move(behaviour)), durations_(durations) {}

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
  if (script.result && script.seconds > 0 && durations_ != nullptr) {
    durations_->Start(script.seconds, [this, handle = *handle, result = *script.result] {
      if (running_.count(handle)) Deliver(handle, result);
    });
  } else if (script.result) {
    Deliver(*handle, *script.result);
  }
  return true;
}

void FakeProcessRunner::Deliver(int64_t handle, const ProcessResult& result) {
  timers_.Start(0, [this, handle, result] {
    auto found = running_.find(handle);
    if (found == running_.end()) return;  // already reported (a Terminate raced its exit)
    ExitCallback on_exit = std::move(found->second);
    running_.erase(found);
    on_exit(result);
  });
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
