// What every command shares: the arguments of the command line, and
// OpenCommand, which opens what a command works on — the project, the
// workstreams it names, the state lock, the state database — with the same
// messages and exit codes for every command.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "clock.h"
#include "exit_code.h"
#include "project.h"
#include "orchestrator_lock.h"
#include "state_store.h"

namespace orchestra {

/// CommandArgs is what the command line says: the global options, then the
/// options of each command (a command reads only its own).
struct CommandArgs {
  ProjectOptions project;         // -C, --config, --workstreams, --state, --agents
  bool json = false;              // --json
  std::vector<std::string> ids;   // the workstreams named (plan, run, retry; logs and diff one)
  std::string budget;             // plan, run: --budget
  std::string gantt_path;         // plan, report: --gantt
  bool dry_run = false;           // run --dry-run
  bool all = false;               // plan --all: completed workstreams too
  int attempt = 0;                // logs --attempt (0: the latest)
  bool follow = false;            // logs --follow
  bool all_failed = false;        // retry --failed
  bool yes = false;               // reset --yes
  bool from_branch = false;       // reset --from-branch
  bool keep_merged = false;       // reset --keep-merged
  std::string graph_format;       // graph --format
  std::string output_path;        // graph, report: --output
  std::string report_format;      // report --format
  bool stat = false;              // diff --stat
  std::string topic;              // completion SHELL (help COMMAND becomes COMMAND --help)
  std::string sim_id;             // sim-agent --id
  double sim_seconds = 0;         // sim-agent --seconds
  int sim_exit_code = 0;          // sim-agent --exit-code
  std::string sim_write;          // sim-agent --write: the file its "work" goes to
  bool force = false;             // init --force: rewrite an existing config
  bool serve = false;             // run --serve: the dashboard during the run
  int port = 8765;                // serve, run --serve: --port (0: any free port)
  std::string bind = "127.0.0.1";  // serve, run --serve: --bind
  std::string token;              // serve, run --serve: --token
  double lease_seconds = 30;      // worker --lease
  std::string track;              // worker --track
  std::string remote;             // worker --remote: overrides [defaults] remote
  bool wait = false;              // worker --wait: poll for new submissions once the plan is done
};

/// How a command treats workstreams without any agent to run them.
enum class AgentsCheck {
  kIgnore,   // it does not schedule (status, logs, ...)
  kWarn,     // it shows the plan: `run` will need agents
  kRequire,  // it runs them: an error, exit 2
};

/// How a command reaches the state database.
enum class StateAccess {
  kNone,
  kCreate,     // created on the first run
  kExisting,   // exit 2 when nothing has run yet
  kIfPresent,  // opened when it exists; no store otherwise
};

/// Needs says what a command opens before its own work, in this order.
struct Needs {
  bool workstreams = true;  // load and validate the workstreams; false: the config only
  AgentsCheck agents = AgentsCheck::kIgnore;
  AgentsCheck programs = AgentsCheck::kIgnore;  // whether each agent's program can be started
  bool lock = false;        // hold the state lock while the command runs
  StateAccess state = StateAccess::kNone;
  /// With `workstreams`: parse these instead of the workstreams folder (a
  /// submitted plan's definitions).
  const std::vector<WorkstreamSource>* sources = nullptr;
};

/// Session is what OpenCommand opened for one command. It lives while the
/// command runs, and so does the lock.
struct Session {
  Project project;            // without Needs::workstreams only `project.config` is loaded
  std::vector<int> targets;   // the nodes of CommandArgs::ids, short ids resolved
  OrchestratorLock lock;      // held with Needs::lock
  SystemClock clock;
  std::unique_ptr<StateStore> store;  // null without state access or state to open (OpenStateStore)
};

/// Loads the project (or only its config), moves the state, logs and reports
/// from where earlier versions kept them (MoveEarlierLayout, with its note on
/// stderr), applies `--budget` and resolves the named ids (exact, else the
/// unique id starting with `id-`). Returns kExitOk, or kExitUsage after
/// printing the diagnostics or the unknown ids.
int LoadCommandProject(const CommandArgs& args, const Needs& needs, Session* session);

/// Takes the state lock and opens the state database as `needs` says; before
/// creating it with worktree isolation, keeps Orchestra's files out of `git
/// status` (ExcludeOwnFiles). Returns kExitOk, or after saying why:
/// kExitLocked when another orchestrator holds the lock, kExitUsage when
/// nothing has run yet, kExitIncomplete when the database cannot be opened or
/// created or info/exclude cannot be written.
int OpenCommandState(const Needs& needs, Session* session);

/// LoadCommandProject, then OpenCommandState: how a command starts.
int OpenCommand(const CommandArgs& args, const Needs& needs, Session* session);

/// For a command that ends once its output is written: its workstreams and
/// graph are left for the process's exit to release, not freed one string at
/// a time (at 100,000 workstreams that took a tenth of `plan`). They stay
/// reachable from a static, so leak checkers do not report them.
void LeaveProjectToExit(Session* session);

/// Loads the attempts recorded for the one workstream the command names (logs,
/// diff), oldest first, and its full id. Returns kExitOk, or kExitIncomplete
/// after the error.
int LoadNamedAttempts(const Session& session, std::string* id, std::vector<AttemptRecord>* attempts);

/// Prints `orchestra: <message>` on stderr.
void PrintError(const std::string& message);

}  // namespace orchestra
