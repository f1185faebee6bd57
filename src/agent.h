// Agents: how one attempt of a workstream becomes a process. Each agent type's
// kind (command, sim, aider) turns the attempt into an argv array; nothing is
// ever passed through a shell.
#pragma once

#include <string>

#include "config.h"
#include "diagnostic.h"
#include "process.h"
#include "workstream.h"

namespace orchestra {

/// AttemptContext holds the facts of one attempt that an agent command is built from.
struct AttemptContext {
  const Workstream* workstream = nullptr;
  const AgentConfig* agent = nullptr;
  int attempt = 1;
  std::string prompt;           // the prompt text
  std::string prompt_file;      // absolute path of the file holding `prompt`
  std::string workdir;          // where the agent works
  std::string workstream_file;  // absolute path of the workstream's JSON file
  std::string log_path;         // attempt log
  double timeout_seconds = 0;
  double kill_grace_seconds = 10;
};

/// Builds the process for an attempt: argv from the agent type's template (or
/// the sim agent), the ORCHESTRA_* environment, workdir, log and timeout.
bool BuildAgentProcess(const Config& config, const AttemptContext& context, ProcessSpec* spec,
                       std::string* error);

/// Expands one argv template element. `{files}` alone expands to one element
/// per files_scope entry; other placeholders ({id}, {prompt}, {prompt_file},
/// {workdir}, {attempt}, {agent}) are substituted inside the text.
bool ExpandArgument(const std::string& element, const AttemptContext& context,
                    std::vector<std::string>* out, std::string* error);

/// Reports agent types with unknown placeholders or missing argv, for every
/// type an agent uses. Returns false if any is an error.
bool CheckAgentTypes(const Config& config, Diagnostics* diagnostics);

/// The sim kind's deterministic failure decision for an attempt.
bool SimAttemptFails(const AgentType& type, const std::string& workstream_id, int attempt);

/// Path of this executable (the sim agent re-executes it as `sim-agent`).
std::string SelfExecutable();

/// Body of the hidden `orchestra sim-agent` command: prints progress, sleeps
/// `seconds`, exits with `exit_code`.
int RunSimAgent(const std::string& workstream_id, double seconds, int exit_code);

}  // namespace orchestra
