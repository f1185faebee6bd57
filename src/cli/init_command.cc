#include "init_command.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "agent_kind.h"

namespace orchestra {

namespace {

namespace fs = std::filesystem;

/// The [agent_types.NAME] table of one CLI: its own kind when Orchestra has
/// one (every CLI `doctor` looks for has), else a command-kind type given the prompt.
std::string AgentTypeTable(const AgentCli& cli) {
  const std::string name = cli.program;
  if (FindAgentKind(name) == nullptr) {
    return fmt::format("[agent_types.{0}]\nkind = \"command\"\nargv = [\"{0}\", \"{{prompt}}\"]\n\n", name);
  }
  // codex and gemini report tokens but no cost: a price table gives one.
  const bool reports_cost = name == "claude" || name == "aider";
  return fmt::format(
      "[agent_types.{0}]\n"
      "{2:<27}# Orchestra knows how to run {0} (README, \"Agents\")\n"
      "# model = \"...\"            # the CLI's default model unless set\n"
      "# max_concurrent = 2        # at most this many {0} attempts at once\n"
      "# requests_per_minute = 10  # spaces the starts, against the provider's rate limit\n"
      "# stall_timeout = \"10m\"     # no output this long: the attempt is stalled\n"
      "{1}\n",
      name,
      reports_cost ? "" : "# price = { input = 1.25, output = 10.0 }  # USD per million tokens, for the cost\n",
      fmt::format("kind = \"{}\"", name));
}

bool WriteNewFile(const fs::path& path, const std::string& text, std::string* error) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
  out.close();
  if (out) return true;
  *error = "cannot write " + DisplayPath(path.string());
  return false;
}

}  // namespace

std::string InitConfigText(const std::vector<const AgentCli*>& found) {
  std::string text =
      "# orchestra.toml: which agents run the workstreams (docs/config.md has every key).\n"
      "# Written by `orchestra init`; `orchestra doctor` checks what it needs.\n\n"
      "[paths]\n"
      "workstreams = \"workstreams\"   # the workstream *.json files\n\n"
      "[defaults]\n"
      "max_attempts = 3\n"
      "timeout = \"30m\"                 # how long one attempt may run\n";
  if (found.empty()) {
    text += std::string(
        "agent_type = \"sim\"\n\n"
        "# No agent CLI (claude, codex, gemini, aider) was found on PATH, so the agents\n"
        "# are simulated: they sleep estimate_hours * time_scale seconds and change nothing.\n"
        "# To switch to a real agent, install one, then either run `orchestra init --force`\n"
        "# again or set type = \"claude\" (or codex, gemini, aider: built-in types) in the\n"
        "# [[agents]] below.\n"
        "[agent_types.sim]\n"
        "time_scale = 0.05   # seconds of simulated work per estimated hour\n\n"
        "[[agents]]\n"
        "id = \"agent-1\"\n"
        "type = \"sim\"\n\n"
        "[[agents]]\n"
        "id = \"agent-2\"\n"
        "type = \"sim\"\n");
  } else {
    text += fmt::format("agent_type = \"{}\"\n\n", found.front()->program);
    text += "# The agent CLIs found on PATH when this file was written.\n";
    for (const AgentCli* cli : found) text += AgentTypeTable(*cli);
    text += "# The pool: one agent per type; add [[agents]] entries for more at once.\n";
    for (const AgentCli* cli : found) {
      text += fmt::format(
          "[[agents]]\nid = \"{0}-1\"\ntype = \"{0}\"\n"
          "# track = \"backend\"   # only this track's work and untracked work\n\n",
          cli->program);
    }
    text.pop_back();
  }
  text +=
      "\n# Routes give some workstreams another agent type, on whichever agent takes them:\n"
      "# [[routes]]\n"
      "# workstreams = [\"docs-*\"]      # ids, short ids or globs with * and ?\n"
      "# agent_type = \"sim\"            # or argv = [\"./tools/run.sh\", \"{id}\"]\n";
  return text;
}

std::string ExampleWorkstreamText() {
  return R"({
  "id": "example-hello",
  "title": "Write HELLO.md, an example workstream",
  "tasks": [
    "Create HELLO.md with one line saying hello from Orchestra"
  ],
  "files_create": ["HELLO.md"],
  "acceptance_tests": [],
  "depends_on": [],
  "estimate_hours": 0.5
}
)";
}

int CommandInit(const CommandArgs& args) {
  const fs::path config_path =
      args.project.config_file.empty() ? fs::path("orchestra.toml") : fs::path(args.project.config_file);
  const fs::path workstreams_dir = "workstreams";  // as the config written says
  std::error_code error;
  if (fs::exists(config_path, error) && !args.force) {
    PrintError(DisplayPath(config_path.string()) +
               " exists already; init writes nothing over it (--force rewrites the config, and only the config)");
    return kExitUsage;
  }
  const char* path = std::getenv("PATH");
  const std::vector<const AgentCli*> found = FindAgentClis(path ? path : "");
  std::string message;
  if (!WriteNewFile(config_path, InitConfigText(found), &message)) {
    PrintError(message);
    return kExitIncomplete;
  }
  std::string agents;
  for (const AgentCli* cli : found) agents += (agents.empty() ? "" : ", ") + std::string(cli->program);
  std::printf("Wrote %s (%s)\n", DisplayPath(config_path.string()).c_str(),
              found.empty() ? "no agent CLI found on PATH: simulated agents" : ("agents: " + agents).c_str());
  if (!fs::exists(workstreams_dir, error)) {
    const fs::path example = workstreams_dir / "example-hello.json";
    if (!fs::create_directories(workstreams_dir, error) || !WriteNewFile(example, ExampleWorkstreamText(), &message)) {
      PrintError(message.empty() ? "cannot create " + DisplayPath(workstreams_dir.string()) + ": " + error.message()
                                 : message);
      return kExitIncomplete;
    }
    std::printf("Wrote %s (an example workstream)\n", DisplayPath(example.string()).c_str());
  }
  std::printf("Next: `orchestra doctor`, `orchestra validate`, `orchestra plan`, then `orchestra run`\n");
  return kExitOk;
}

}  // namespace orchestra
