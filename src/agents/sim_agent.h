// The `sim` kind: a simulated agent for demos, plans and tests. It re-executes
// this binary as the hidden `orchestra sim-agent` command, which sleeps the
// workstream's estimate scaled by `time_scale` and exits 0, or 1 where the
// type injects a failure. It needs no API key. It follows the rules real
// agents follow: in a worktree of its own it makes a change (a line in
// `.orchestra-sim/<id>.md`) that is committed and merged like real work;
// working in the project folder itself, it changes no file.
#pragma once

#include "agent_kind.h"

namespace orchestra {

/// SimAgent turns an attempt into `orchestra sim-agent --id ... --seconds ... --exit-code ...`.
class SimAgent : public AgentKind {
 public:
  const char* name() const override { return "sim"; }
  bool simulated() const override { return true; }
  bool takes_argv() const override { return false; }
  bool reads_output() const override { return false; }
  bool OwnsKey(const std::string& key) const override;
  bool BuildArgv(const AgentType& type, const AttemptContext& context, std::vector<std::string>* argv,
                 std::string* error) const override;
};

/// The sim kind's deterministic failure decision for an attempt.
bool SimAttemptFails(const AgentType& type, const std::string& workstream_id, int attempt);

/// Path of this executable (the sim agent re-executes it as `sim-agent`).
std::string SelfExecutable();

/// The file a simulated attempt of `workstream_id` writes in its worktree.
std::string SimWorkFile(const std::string& workstream_id);

/// Body of the hidden `orchestra sim-agent` command: prints progress, sleeps
/// `seconds`, appends a line to `write` (relative to its folder) unless it is
/// empty or the attempt fails, and exits with `exit_code`.
int RunSimAgent(const std::string& workstream_id, double seconds, int exit_code, const std::string& write);

}  // namespace orchestra
