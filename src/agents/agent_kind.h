// Agent kinds: the ways Orchestra knows to run an agent (a command, the
// simulated agent, the coding agents claude, codex, gemini and aider). A kind
// validates the types that name it, builds the argv of an attempt, and says
// what the end of the agent's process means.
// Adding an agent is one file with an AgentKind and one line in
// agent_kinds.cc's registry.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent_type.h"
#include "process.h"
#include "usage.h"
#include "workstream.h"

namespace orchestra {

/// AttemptContext holds the facts of one attempt that an agent command is built from.
struct AttemptContext {
  const Workstream* workstream = nullptr;
  std::string agent_id;
  int attempt = 1;
  std::string prompt;           // the prompt text
  std::string prompt_file;      // absolute path of the file holding `prompt`
  std::string workdir;          // where the agent works
  std::string workstream_file;  // absolute path of the workstream's JSON file
  std::string log_path;         // attempt log
  double estimate_hours = 0;    // the workstream's estimate (the default applied)
  bool in_worktree = false;     // the attempt works in a git worktree of its own (worktree isolation)
  double timeout_seconds = 0;
  double kill_grace_seconds = 10;
  /// The conversation to continue (the session id a previous attempt of this
  /// workstream reported), for kinds that can resume one; empty: a fresh start.
  std::string resume_session;
};

/// A problem with an agent type, found by its kind.
struct AgentTypeProblem {
  std::string message;
  std::string hint;
};

/// The class of an agent's end, recorded per attempt; it decides what happens next.
enum class AgentOutcome {
  kSucceeded,    // the agent says it did the work (acceptance tests still judge it)
  kFailed,       // it did not: retried while attempts are left
  kRateLimited,  // the provider refused for now (HTTP 429, overloaded): requeued after
                 // `retry_after_seconds` or a backoff, without using up an attempt;
                 // dispatching to that agent type pauses meanwhile
  kFatal,        // authentication or configuration: no retry, the reason says what to fix
  kStalled,      // no output for the stall timeout; killed (decided by the executor)
};

/// "succeeded", "failed", "rate_limited", "fatal", "stalled".
const char* AgentOutcomeName(AgentOutcome outcome);

/// What the end of an agent's process means for its attempt.
struct AgentVerdict {
  AgentOutcome outcome = AgentOutcome::kFailed;
  std::string reason;  // why it did not succeed, as the failure message says it ("agent exit code 3")
  Usage usage;         // tokens and cost, as far as the agent reported them
  std::optional<double> retry_after_seconds;  // kRateLimited: the provider's reset time, when given
  std::string session_id;                     // the conversation, when the agent names it (for resume)

  bool succeeded() const { return outcome == AgentOutcome::kSucceeded; }
};

/// The default reading of an agent's end: exit code 0 succeeds, anything else
/// (a signal, a timeout, a spawn error) fails with the process's description.
AgentVerdict InterpretExitCode(const ProcessResult& result);

/// AgentKind is one way of running an agent. Kinds are stateless singletons
/// held by the registry (FindAgentKind).
class AgentKind {
 public:
  virtual ~AgentKind() = default;

  /// The name written as `kind = "..."`; also the name of its built-in type.
  virtual const char* name() const = 0;
  /// The built-in agent type of this kind (usable without any [agent_types]).
  virtual AgentType BuiltinType() const;
  /// True when the kind only simulates work: a run says so, and its
  /// time_scale sets the ETA until real durations are known.
  virtual bool simulated() const { return false; }
  /// True when the kind runs the type's argv template.
  virtual bool takes_argv() const { return true; }
  /// True when `key` of [agent_types.NAME] (beyond kind, argv and env) is one
  /// of this kind's own settings.
  virtual bool OwnsKey(const std::string& key) const;
  /// Appends what is wrong with `type` (a type of this kind).
  virtual void Check(const AgentType& type, std::vector<AgentTypeProblem>* problems) const;
  /// The program and arguments of one attempt.
  virtual bool BuildArgv(const AgentType& type, const AttemptContext& context,
                         std::vector<std::string>* argv, std::string* error) const = 0;
  /// What the end of the agent's process means, from its exit and `output`
  /// (what it printed, stdout and stderr interleaved as in its log; the
  /// orchestrator's own lines start with "orchestra: "). By default: exit
  /// code 0 succeeds, anything else fails.
  virtual AgentVerdict Interpret(const ProcessResult& result, std::string_view output) const;
  /// False when Interpret never looks at the output (it is then not read).
  virtual bool reads_output() const { return true; }
  /// True when the kind can continue a conversation (AttemptContext::resume_session).
  virtual bool resumes() const { return false; }
  /// Environment variables (NAME, value) the kind sets for its agents unless
  /// the type's `env` sets them: settings that leave retrying and updating to
  /// Orchestra while it runs them unattended.
  virtual std::vector<std::pair<std::string, std::string>> DefaultEnv() const { return {}; }
  /// Seconds without output after which an attempt of this kind counts as
  /// stalled, unless the type or config says otherwise; 0: never.
  virtual double DefaultStallTimeout() const { return 0; }
};

/// The kind named `name`, or null when there is none.
const AgentKind* FindAgentKind(const std::string& name);

/// Every registered kind, in registry order.
const std::vector<const AgentKind*>& AgentKinds();

/// "command, sim, claude, codex, gemini, aider": the kind names, for hints.
std::string AgentKindNames();

/// The built-in agent types: one per kind, named after it.
std::map<std::string, AgentType> BuiltinAgentTypes();

/// Builds the process of an attempt: argv from the type's kind, the
/// ORCHESTRA_* environment, workdir, log and timeout.
bool BuildAgentProcess(const AgentType& type, const AttemptContext& context, ProcessSpec* spec,
                       std::string* error);

}  // namespace orchestra
