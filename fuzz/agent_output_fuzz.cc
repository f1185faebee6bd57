// Fuzz target: arbitrary agent output read by every agent kind's Interpret
// (stream-json, JSONL events, rate-limit and error texts) and by the
// `orchestra-result:` line reader. The first byte picks how the process
// ended (exit code or signal), the rest is the output.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent_kind.h"
#include "process.h"
#include "result_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  orchestra::ProcessResult result;
  if (size > 0) {
    const uint8_t end = data[0];
    if (end < 0x80) {
      result.exit_code = end % 4;  // 0 success, 1..3 failures
    } else if (end < 0xC0) {
      result.term_signal = 9 + (end & 1) * 6;  // SIGKILL or SIGTERM
      result.timed_out = (end & 2) != 0;
      result.timeout_seconds = result.timed_out ? 30 : 0;
    } else {
      result.spawn_error = "No such file or directory";
    }
    ++data;
    --size;
  }
  const std::string_view output(reinterpret_cast<const char*>(data), size);
  for (const orchestra::AgentKind* kind : orchestra::AgentKinds()) {
    const orchestra::AgentVerdict verdict = kind->Interpret(result, output);
    if (orchestra::AgentOutcomeName(verdict.outcome) == nullptr) __builtin_trap();
  }
  orchestra::AgentVerdict verdict;
  orchestra::ReadResultLine(output, &verdict);
  return 0;
}
