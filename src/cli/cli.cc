#include "cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>

#include "command.h"
#include "crash_point.h"
#include "doctor_command.h"
#include "git_commands.h"
#include "help.h"
#include "init_command.h"
#include "plan_commands.h"
#include "report_command.h"
#include "run_commands.h"
#include "worker_commands.h"
#include "serve_command.h"
#include "sim_agent.h"
#include "state_commands.h"
#include "state_url.h"

namespace orchestra {

namespace {

void SetUpPlan(CLI::App* command, CommandArgs* args) {
  command->add_option("ids", args->ids, "Only these workstreams and their dependencies");
  command->add_option("--gantt", args->gantt_path, "Also write the plan as a Gantt chart (.svg or .html)")
      ->type_name("FILE");
  command->add_option("--budget", args->budget, "Time to search for a better order (default [planner] budget, 200ms)")
      ->type_name("TIME");
  command->add_flag("--all", args->all, "Plan every workstream, the completed ones too (default: what is left)");
}

void AddServeOptions(CLI::App* command, CommandArgs* args);

/// `worker --lease` and `run --lease` (on a shared state).
void AddLeaseOption(CLI::App* command, CommandArgs* args, const char* help) {
  command->add_option("--lease", args->lease_seconds, help)->type_name("SECONDS")->check(CLI::Range(0.5, 86400.0));
}

void SetUpRun(CLI::App* command, CommandArgs* args) {
  command->add_option("ids", args->ids, "Only these workstreams and their dependencies");
  AddLeaseOption(command, args,
                 "On a PostgreSQL state: seconds a claim of this run lasts unless renewed (default 30)");
  command->footer(
      "On a PostgreSQL state the run submits the plan from the workstream files and works through it beside any "
      "`orchestra worker`s on other hosts, claiming under leases (docs/state.md, \"Workers\").");
  command->add_flag("--dry-run", args->dry_run, "Same as `plan`");
  command->add_option("--budget", args->budget, "Time to search for a better order before starting")
      ->type_name("TIME");
  command->add_flag("--serve", args->serve, "Serve the live dashboard while the run lasts (see `serve`)");
  AddServeOptions(command, args);
}

void SetUpWorker(CLI::App* command, CommandArgs* args) {
  command->add_option("ids", args->ids, "Only these workstreams and their dependencies");
  AddLeaseOption(command, args, "Seconds a claim lasts unless renewed (default 30); another worker reclaims it after");
  command->add_option("--track", args->track, "Claim only workstreams of this track")->type_name("TRACK");
  command->add_option("--remote", args->remote,
                      "With worktree isolation: the git repository the workers' clones share (a remote name, path "
                      "or URL; default: [defaults] remote)")
      ->type_name("REPO");
  command->add_flag("--wait", args->wait,
                    "Once the plan is done, wait for the next `orchestra submit` and run it (a service); "
                    "SIGTERM or Ctrl-C stops it");
  command->footer(
      "Needs a PostgreSQL state (--state postgresql://... or [state] url) holding a plan from `orchestra submit`; "
      "it runs that plan, not the workstream files here (it says so when they differ). With worktree isolation "
      "each worker works in its own clone and shares branches through --remote (docs/state.md, \"Git across "
      "hosts\"); with isolation = \"none\" its agents work in its project folder.");
}

/// `serve` and `run --serve`: where the dashboard listens, and its token.
void AddServeOptions(CLI::App* command, CommandArgs* args) {
  command->add_option("--port", args->port, "Dashboard port (default 8765; 0: any free port)")
      ->type_name("PORT")
      ->check(CLI::Range(0, 65535));
  command->add_option("--bind", args->bind, "Dashboard address (default 127.0.0.1; others need a token)")
      ->type_name("ADDRESS");
  // The environment keeps the token out of the argv every local user can read (ps, /proc/PID/cmdline).
  command
      ->add_option("--token", args->token,
                   "Require this token of every dashboard request (the variable keeps it out of ps)")
      ->type_name("TOKEN")
      ->envname("ORCHESTRA_DASHBOARD_TOKEN");
}

void SetUpServe(CLI::App* command, CommandArgs* args) { AddServeOptions(command, args); }

/// `--attempt N`: attempts are numbered from 1 (0 only stands for "the
/// latest" when the option is left out). What is not a number at all is left
/// to CLI11's own conversion error.
std::string CheckAttemptNumber(std::string& text) {
  int number = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, number);
  if (error != std::errc() || stop != end || number >= 1) return "";
  return "attempts are numbered from 1, so " + text + " is not one";
}

void SetUpLogs(CLI::App* command, CommandArgs* args) {
  command->add_option("id", args->ids, "Workstream id")->required()->expected(1);
  command->add_option("--attempt", args->attempt, "Attempt number (default: latest)")
      ->type_name("N")
      ->check(CLI::Validator(CheckAttemptNumber, "N >= 1"));
  command->add_flag("-f,--follow", args->follow, "Keep printing while the attempt runs");
}

void SetUpStatus(CLI::App* command, CommandArgs* args) {
  command->add_option("ids", args->ids, "Show these workstreams in detail: why, attempts, log and prompt files");
}

void SetUpRetry(CLI::App* command, CommandArgs* args) {
  command->add_option("ids", args->ids, "Workstreams to retry");
  command->add_flag("--failed", args->all_failed, "Retry every failed workstream");
}

void SetUpReset(CLI::App* command, CommandArgs* args) {
  command->add_flag("-y,--yes", args->yes, "Do not ask");
  CLI::Option* from_branch = command->add_flag(
      "--from-branch", args->from_branch,
      "Worktree isolation: start over from your current branch (the integration branch moves back to it; "
      "Orchestra's worktrees and orchestra/<id> branches are removed)");
  command->add_flag("--keep-merged", args->keep_merged,
                    "Worktree isolation: keep the merged work; workstreams merged into the integration branch "
                    "stay completed, the others run again")
      ->excludes(from_branch);
}

void SetUpReport(CLI::App* command, CommandArgs* args) {
  command->add_option("--format", args->report_format,
                      "html, md or json: print it (default: reports/report.html and reports/execution_report.md)")
      ->check(CLI::IsMember({"html", "md", "json"}));
  command->add_option("-o,--output", args->output_path, "Write to FILE (format from its extension unless --format)")
      ->type_name("FILE");
  command->add_option("--gantt", args->gantt_path, "Also write the run beside the plan as a Gantt chart (.svg or .html)")
      ->type_name("FILE");
}

void SetUpGraph(CLI::App* command, CommandArgs* args) {
  command->add_option("--format", args->graph_format, "dot, mermaid or svg (default: from --output's extension, else dot)")
      ->check(CLI::IsMember({"dot", "mermaid", "svg"}));
  command->add_option("-o,--output", args->output_path, "Write to FILE instead of stdout")->type_name("FILE");
}

void SetUpDiff(CLI::App* command, CommandArgs* args) {
  command->add_option("id", args->ids, "Workstream id")->required()->expected(1);
  command->add_flag("--stat", args->stat, "Only the changed files and line counts");
}

void SetUpInit(CLI::App* command, CommandArgs* args) {
  command->add_flag("--force", args->force, "Rewrite an existing orchestra.toml (never anything else)");
}

void SetUpSimAgent(CLI::App* command, CommandArgs* args) {
  command->add_option("--id", args->sim_id);
  command->add_option("--seconds", args->sim_seconds);
  command->add_option("--exit-code", args->sim_exit_code);
  command->add_option("--write", args->sim_write);
}

int CommandSimAgent(const CommandArgs& args) {
  return RunSimAgent(args.sim_id, args.sim_seconds, args.sim_exit_code, args.sim_write);
}

void SetUpHelp(CLI::App* command, CommandArgs* args) {
  command->add_option("command", args->topic, "The command to explain (default: all of orchestra)");
}

void SetUpCompletion(CLI::App* command, CommandArgs* args) {
  command->add_option("shell", args->topic, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kShells), std::end(kShells))));
}

/// `orchestra help` alone (`help COMMAND` was rewritten to `COMMAND --help`).
int CommandHelp(const CLI::App& app, const CommandArgs&) {
  std::printf("%s", FullHelp(app).c_str());
  return kExitOk;
}

int CommandCompletion(const CLI::App& app, const CommandArgs& args) {
  std::printf("%s", CompletionScript(app, args.topic).c_str());
  return kExitOk;
}

int CommandMan(const CLI::App& app, const CommandArgs&) {
  std::printf("%s", ManPage(app, ORCHESTRA_VERSION).c_str());
  return kExitOk;
}

/// Command is one row of the command table: how `orchestra NAME` is parsed
/// and run. The help, completion scripts and man page are generated from it.
struct Command {
  const char* name;
  const char* description;  // empty: left out of --help (an internal command)
  void (*set_up)(CLI::App* command, CommandArgs* args);  // adds the command's options; may be null
  int (*run)(const CommandArgs& args);
  /// Instead of `run`, for what describes the command line itself (help).
  int (*describe)(const CLI::App& app, const CommandArgs& args) = nullptr;
};

const Command kCommands[] = {
    {"init", "Write a starting orchestra.toml for the agent CLIs found", SetUpInit, CommandInit},
    {"doctor", "Check agent CLIs, API keys, git and the state; exit 1 if agents lack something", nullptr,
     CommandDoctor},
    {"validate", "Check workstreams and config; exit 2 on errors", nullptr, CommandValidate},
    {"plan", "Show waves, critical path and agent order without running", SetUpPlan, CommandPlan},
    {"run", "Run (or resume) the plan", SetUpRun, CommandRun},
    {"submit", "Load the workstreams into the shared state for workers; report what changed", nullptr,
     CommandSubmit},
    {"worker", "Claim and run workstreams of the submitted plan (one of several; worktree isolation off)",
     SetUpWorker, CommandWorker},
    {"status", "Show each workstream's state, or one workstream's in detail", SetUpStatus, CommandStatus},
    {"logs", "Print a workstream's latest attempt log", SetUpLogs, CommandLogs},
    {"retry", "Put failed workstreams (and what they blocked) back to pending", SetUpRetry, CommandRetry},
    {"reset", "Forget all progress", SetUpReset, CommandReset},
    {"pause", "Ask the running orchestrator to start nothing new and exit", nullptr, CommandPause},
    {"report", "Write the run's report: HTML, Markdown or JSON, finished or live", SetUpReport, CommandReport},
    {"graph", "Print the dependency graph (DOT, Mermaid or SVG)", SetUpGraph, CommandGraph},
    {"serve", "Serve the live dashboard (read-only web page and JSON API)", SetUpServe, CommandServe},
    {"sync", "Bring your current branch into the integration branch", nullptr, CommandSync},
    {"land", "Bring the integration branch into your current branch", nullptr, CommandLand},
    {"clean", "Remove kept worktrees and merged orchestra/<id> branches", nullptr, CommandClean},
    {"diff", "Show what a workstream changed", SetUpDiff, CommandDiff},
    {"help", "Show the help of orchestra or of one command (same as --help)", SetUpHelp, nullptr, CommandHelp},
    {"completion", "Print a shell completion script (bash, zsh or fish)", SetUpCompletion, nullptr,
     CommandCompletion},
    {"man", "Print the man page orchestra(1) (roff)", nullptr, nullptr, CommandMan},
    {"sim-agent", "", SetUpSimAgent, CommandSimAgent},  // the simulated agent's process
};

/// The most agents `--agents` may ask for: more than any machine runs at once,
/// and few enough that planning for them stays quick.
constexpr int kMaxAgents = 1024;

/// `--agents N`: a whole number from 1 to kMaxAgents; CLI11 prints
/// "--agents: " and the message returned.
std::string CheckAgentCount(const std::string& text) {
  int count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (error == std::errc() && end == text.data() + text.size() && count >= 1 && count <= kMaxAgents) {
    return "";
  }
  return "must be a whole number from 1 to " + std::to_string(kMaxAgents) + ", not " + text;
}

void AddGlobalOptions(CLI::App* app, std::string* directory, CommandArgs* args) {
  app->add_option("-C", *directory, "Run as if started in DIR")->type_name("DIR");
  app->add_option("--workstreams", args->project.workstreams_dir, "Workstreams folder")->type_name("DIR");
  app->add_option("--config", args->project.config_file, "Config file (default: orchestra.toml)")->type_name("FILE");
  app->add_option("--state", args->project.state_path, "State database file, or postgresql:// URL")
      ->type_name("FILE|URL");
  app->add_option("--agents", args->project.agents, "Use N untracked agents of the default type")
      ->type_name("N")
      ->check(CheckAgentCount);
  app->add_flag("--json", args->json, "JSON output where output is tabular");
}

/// "validate, plan, ... or diff": the commands --help shows.
std::string CommandNames() {
  std::vector<std::string> names;
  for (const Command& command : kCommands) {
    if (*command.description) names.push_back(command.name);
  }
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  }
  return text;
}

/// `-C DIR`: moves there, keeping the paths given on the command line
/// relative to where the user is. False after saying why.
bool ChangeDirectory(const std::string& directory, CommandArgs* args) {
  namespace fs = std::filesystem;
  for (std::string* path : {&args->project.workstreams_dir, &args->project.config_file, &args->project.state_path,
                            &args->gantt_path, &args->output_path}) {
    if (!path->empty() && !IsPostgresUrl(*path)) *path = fs::absolute(*path).string();
  }
  std::error_code error;
  fs::current_path(directory, error);
  if (!error) return true;
  PrintError("-C " + directory + ": " + error.message());
  return false;
}

/// `orchestra help COMMAND` becomes `orchestra COMMAND --help`, so both print
/// the same (CLI11 would take COMMAND for the command itself). False after
/// saying why when COMMAND is no command.
bool RewriteHelpCommand(std::vector<std::string>* words) {
  for (auto word = words->begin() + 1; word != words->end(); ++word) {
    const auto command = std::find_if(std::begin(kCommands), std::end(kCommands),
                                      [&](const Command& row) { return *word == row.name; });
    if (command == std::end(kCommands)) continue;
    if (*word != "help") return true;
    if (word + 1 == words->end()) return true;  // CommandHelp
    word = words->erase(word);
    const bool known = std::any_of(std::begin(kCommands), std::end(kCommands),
                                   [&](const Command& row) { return *word == row.name && *row.description; });
    if (!known) {
      PrintError("unknown command '" + *word + "' (see `orchestra help`)");
      return false;
    }
    words->insert(word + 1, "--help");
    return true;
  }
  return true;
}

}  // namespace

int RunCommandLine(int argc, char** argv) {
  ArmCrashPoint();  // test builds only (crash_point.h)
  // Named, so usage lines say `orchestra` and not the binary's path.
  CLI::App app{"orchestra: run a dependency graph of workstreams on a pool of AI coding agents", "orchestra"};
  app.fallthrough();  // global options may follow the command: `orchestra status --json`
  app.set_version_flag("--version", "orchestra " ORCHESTRA_VERSION);
  CommandArgs args;
  std::string directory;
  AddGlobalOptions(&app, &directory, &args);
  for (const Command& command : kCommands) {
    CLI::App* subcommand = app.add_subcommand(command.name, command.description);
    if (!*command.description) subcommand->group("");
    if (command.set_up) command.set_up(subcommand, &args);
  }
  app.footer(HelpFooter());  // after the commands: theirs stays short
  std::vector<std::string> words(argv, argv + argc);
  if (!RewriteHelpCommand(&words)) return kExitUsage;
  std::vector<const char*> pointers;
  for (const std::string& word : words) pointers.push_back(word.c_str());
  try {
    app.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? kExitOk : kExitUsage;
  }
  if (argc == 1) {
    std::printf("%s", ShortHelp(app).c_str());
    return kExitOk;
  }
  if (app.get_subcommands().empty()) {
    PrintError("name a command: " + CommandNames() + " (see --help)");
    return kExitUsage;
  }
  if (!directory.empty() && !ChangeDirectory(directory, &args)) return kExitUsage;
  for (const Command& command : kCommands) {
    if (!app.got_subcommand(command.name)) continue;
    return command.describe ? command.describe(app, args) : command.run(args);
  }
  return kExitUsage;
}

}  // namespace orchestra
