#include "help.h"

#include <CLI/CLI.hpp>
#include <algorithm>

#include <fmt/format.h>

namespace orchestra {

namespace {

/// One example of the --help footer and the man page.
struct Example {
  const char* command;
  const char* what;
};

const Example kExamples[] = {
    {"orchestra validate", "check the workstreams and orchestra.toml"},
    {"orchestra plan", "what is left to do, in which order, and when it ends"},
    {"orchestra run --agents 2", "run it on two simulated agents (a second run resumes)"},
    {"orchestra status ws-3", "why ws-3 failed: its attempts, log and prompt files"},
    {"orchestra retry --failed", "put the failed ones back to pending for the next run"},
    {"orchestra help run", "the options of one command"},
};

/// One exit code; the meanings are those of README.md's "Exit codes" table.
struct ExitCodeRow {
  int code;
  const char* meaning;
};

const ExitCodeRow kExitCodes[] = {
    {0, "every selected workstream completed (or the run was paused on request)"},
    {1, "some workstream failed or is blocked (see `orchestra status`); or `run`/`sync` found your branch and "
        "the integration branch in conflict (nothing ran)"},
    {2, "invalid input or usage: nothing was run"},
    {3, "another orchestrator holds the state (the message names its pid)"},
    {130, "interrupted (SIGINT/SIGTERM); `orchestra run` resumes"},
};

/// One option as the completion scripts and the man page need it.
struct OptionInfo {
  std::vector<std::string> names;  // "-f", "--follow"
  std::string value;               // its value's name ("FILE"); empty for a flag
  std::string description;
};

std::vector<OptionInfo> Options(const CLI::App& app) {
  std::vector<OptionInfo> options;
  for (const CLI::Option* option : app.get_options()) {
    OptionInfo info;
    for (const std::string& name : option->get_snames()) info.names.push_back("-" + name);
    for (const std::string& name : option->get_lnames()) info.names.push_back("--" + name);
    if (info.names.empty()) continue;  // a positional argument
    if (option->get_type_size_max() > 0) info.value = option->get_type_name();
    info.description = option->get_description();
    options.push_back(std::move(info));
  }
  return options;
}

/// The positional arguments as a synopsis writes them ("[ids...]", "id").
std::vector<std::string> Positionals(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    if (!option->get_snames().empty() || !option->get_lnames().empty()) continue;
    std::string name = option->get_name(true);
    if (option->get_items_expected_max() > 1) name += "...";
    names.push_back(option->get_required() ? name : "[" + name + "]");
  }
  return names;
}

/// The commands --help lists (internal ones have no group).
std::vector<const CLI::App*> VisibleCommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* command) { return !command->get_group().empty(); });
}

std::string Join(const std::vector<std::string>& words, const std::string& separator) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : separator) + word;
  return text;
}

/// The option names of `app`; a command's own, without -h and --help (the
/// global ones include them).
std::string OptionNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const OptionInfo& option : Options(app)) {
    for (const std::string& name : option.names) {
      if (app.get_parent() == nullptr || (name != "-h" && name != "--help")) names.push_back(name);
    }
  }
  return Join(names, " ");
}

std::string CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : VisibleCommands(app)) names.push_back(command->get_name());
  return Join(names, " ");
}

/// The commands as a shell case pattern "validate|plan|...".
std::string CommandPattern(const CLI::App& app) {
  std::string pattern = CommandNames(app);
  std::replace(pattern.begin(), pattern.end(), ' ', '|');
  return pattern;
}

/// The options of `app` (and the global ones) that take a value, as a
/// shell case pattern "-C|--config|...".
std::string ValueOptionPattern(const CLI::App& app) {
  std::vector<std::string> names;
  auto add = [&](const CLI::App& from) {
    for (const OptionInfo& option : Options(from)) {
      if (!option.value.empty()) names.insert(names.end(), option.names.begin(), option.names.end());
    }
  };
  add(app);
  for (const CLI::App* command : VisibleCommands(app)) add(*command);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return Join(names, "|");
}

/// What a command's positional argument completes to, beyond options.
std::string PositionalWords(const CLI::App& app, const CLI::App& command) {
  if (command.get_name() == "help") return CommandNames(app);
  if (command.get_name() == "completion") return Join({std::begin(kShells), std::end(kShells)}, " ");
  return "";
}

/// `text` in single quotes for sh and zsh.
std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// `text` in single quotes for fish, where \ and ' are escaped with \.
std::string FishQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

std::string BashCompletion(const CLI::App& app) {
  const std::string globals = OptionNames(app);
  std::string cases = fmt::format("    '') arguments={}; options={} ;;\n", ShellQuote(CommandNames(app)),
                                  ShellQuote(globals));
  for (const CLI::App* command : VisibleCommands(app)) {
    std::string options = OptionNames(*command);
    options += (options.empty() ? "" : " ") + globals;
    cases += fmt::format("    {}) arguments={}; options={} ;;\n", command->get_name(),
                         ShellQuote(PositionalWords(app, *command)), ShellQuote(options));
  }
  return fmt::format(
      "# bash completion for orchestra (generated by `orchestra completion bash`)\n"
      "_orchestra() {{\n"
      "  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} command= arguments options i\n"
      "  COMPREPLY=()\n"
      "  case $prev in\n"
      "    {}) return ;;  # a value: file names (-o default)\n"
      "  esac\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case ${{COMP_WORDS[i]}} in\n"
      "      {}) command=${{COMP_WORDS[i]}}; break ;;\n"
      "    esac\n"
      "  done\n"
      "  case $command in\n"
      "{}"
      "  esac\n"
      "  if [[ $cur == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
      "  else\n"
      "    COMPREPLY=($(compgen -W \"$arguments\" -- \"$cur\"))\n"
      "  fi\n"
      "}}\n"
      "complete -o default -F _orchestra orchestra\n",
      ValueOptionPattern(app), CommandPattern(app), cases);
}

std::string ZshCompletion(const CLI::App& app) {
  std::string commands;
  for (const CLI::App* command : VisibleCommands(app)) {
    commands += "    " + ShellQuote(command->get_name() + ":" + command->get_description()) + "\n";
  }
  const std::string globals = OptionNames(app);
  std::string cases = fmt::format(
      "    ('')\n"
      "      if [[ $PREFIX == -* ]]; then compadd -- {}; else _describe -t commands 'orchestra command' commands; fi\n"
      "      ;;\n"
      "    (help) _describe -t commands 'orchestra command' commands ;;\n",
      globals);
  for (const CLI::App* command : VisibleCommands(app)) {
    if (command->get_name() == "help") continue;
    std::string options = OptionNames(*command);
    options += (options.empty() ? "" : " ") + globals;
    const std::string arguments = PositionalWords(app, *command);
    cases += fmt::format("    ({}) if [[ $PREFIX == -* ]]; then compadd -- {}; else {}; fi ;;\n", command->get_name(),
                         options, arguments.empty() ? "_files" : "compadd -- " + arguments);
  }
  return fmt::format(
      "#compdef orchestra\n"
      "# zsh completion for orchestra (generated by `orchestra completion zsh`)\n"
      "_orchestra() {{\n"
      "  local -a commands\n"
      "  commands=(\n"
      "{}"
      "  )\n"
      "  case ${{words[CURRENT-1]}} in\n"
      "    ({}) _files; return ;;\n"
      "  esac\n"
      "  local command= i\n"
      "  for (( i = 2; i < CURRENT; i++ )); do\n"
      "    case ${{words[i]}} in\n"
      "      ({}) command=${{words[i]}}; break ;;\n"
      "    esac\n"
      "  done\n"
      "  case $command in\n"
      "{}"
      "  esac\n"
      "}}\n"
      "_orchestra \"$@\"\n",
      commands, ValueOptionPattern(app), CommandPattern(app), cases);
}

/// One `complete` line per name of `option`, under `condition` (may be empty).
std::string FishOption(const OptionInfo& option, const std::string& condition) {
  std::string line = "complete -c orchestra";
  if (!condition.empty()) line += " -n " + FishQuote(condition);
  for (const std::string& name : option.names) {
    line += name.rfind("--", 0) == 0 ? " -l " + name.substr(2) : " -s " + name.substr(1);
  }
  if (!option.value.empty()) line += " -r -F";
  return line + " -d " + FishQuote(option.description) + "\n";
}

std::string FishCompletion(const CLI::App& app) {
  std::string text =
      "# fish completion for orchestra (generated by `orchestra completion fish`)\n"
      "complete -c orchestra -f\n";
  for (const CLI::App* command : VisibleCommands(app)) {
    text += fmt::format("complete -c orchestra -n __fish_use_subcommand -a {} -d {}\n", command->get_name(),
                        FishQuote(command->get_description()));
  }
  for (const OptionInfo& option : Options(app)) text += FishOption(option, "");
  for (const CLI::App* command : VisibleCommands(app)) {
    const std::string condition = "__fish_seen_subcommand_from " + command->get_name();
    const std::string words = PositionalWords(app, *command);
    if (!words.empty()) {
      text += fmt::format("complete -c orchestra -n {} -a {}\n", FishQuote(condition), FishQuote(words));
    }
    for (const OptionInfo& option : Options(*command)) text += FishOption(option, condition);
  }
  return text;
}

/// `text` for roff: backslashes and hyphens escaped, no line starting a request.
std::string Roff(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '\\') {
      escaped += "\\e";
    } else if (c == '-') {
      escaped += "\\-";
    } else {
      escaped += c;
    }
    if (c == '\n') escaped += "\\&";
  }
  if (!escaped.empty() && (escaped[0] == '.' || escaped[0] == '\'')) escaped = "\\&" + escaped;
  return escaped;
}

std::string RoffOptions(const CLI::App& app) {
  std::string text;
  for (const OptionInfo& option : Options(app)) {
    std::vector<std::string> names;
    for (const std::string& name : option.names) names.push_back("\\fB" + Roff(name) + "\\fR");
    text += ".TP\n" + Join(names, ", ");
    if (!option.value.empty()) text += " \\fI" + Roff(option.value) + "\\fR";
    text += "\n" + Roff(option.description) + "\n";
  }
  return text;
}

}  // namespace

std::string HelpFooter() {
  std::string text = "Examples:\n";
  for (const Example& example : kExamples) text += fmt::format("  {:<26}  {}\n", example.command, example.what);
  text += "\nExit codes:\n";
  for (const ExitCodeRow& row : kExitCodes) text += fmt::format("  {:<3}  {}\n", row.code, row.meaning);
  return text;
}

std::string ShortHelp(const CLI::App& app) {
  std::string text = app.get_description() + "\n\nUsage: orchestra [OPTIONS] COMMAND [ARGS]\n\nCommands:\n";
  for (const CLI::App* command : VisibleCommands(app)) {
    text += fmt::format("  {:<11} {}\n", command->get_name(), command->get_description());
  }
  return text + "\n`orchestra help COMMAND` shows a command's options, `orchestra --help` the global ones.\n";
}

std::string FullHelp(const CLI::App& app) {
  // Not app.help(): once `help` is parsed that would describe `help` itself.
  return app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
}

std::string CompletionScript(const CLI::App& app, const std::string& shell) {
  if (shell == "zsh") return ZshCompletion(app);
  if (shell == "fish") return FishCompletion(app);
  return BashCompletion(app);
}

std::string ManPage(const CLI::App& app, const std::string& version) {
  std::string description = app.get_description();
  const std::string prefix = "orchestra: ";
  if (description.rfind(prefix, 0) == 0) description = description.substr(prefix.size());
  std::string text = fmt::format(
      ".TH ORCHESTRA 1 \"\" \"orchestra {}\" \"User Commands\"\n"
      ".SH NAME\norchestra \\- {}\n"
      ".SH SYNOPSIS\n.B orchestra\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n"
      ".SH DESCRIPTION\nOrchestra plans and runs workstreams, each a task for an AI coding agent, in the order\n"
      "their dependencies allow, on as many agents as are configured, and keeps its state in SQLite:\n"
      "a run that stops resumes where it was. Global options may come before or after the command.\n"
      ".SH OPTIONS\n{}"
      ".SH COMMANDS\n",
      Roff(version), Roff(description), RoffOptions(app));
  for (const CLI::App* command : VisibleCommands(app)) {
    std::string synopsis = "orchestra " + command->get_name();
    for (const std::string& positional : Positionals(*command)) synopsis += " " + positional;
    text += fmt::format(".SS \"{}\"\n{}\n{}", Roff(synopsis), Roff(command->get_description()),
                        RoffOptions(*command));
  }
  text += ".SH EXAMPLES\n";
  for (const Example& example : kExamples) {
    text += fmt::format(".TP\n\\fB{}\\fR\n{}\n", Roff(example.command), Roff(example.what));
  }
  text += ".SH EXIT STATUS\n";
  for (const ExitCodeRow& row : kExitCodes) text += fmt::format(".TP\n\\fB{}\\fR\n{}\n", row.code, Roff(row.meaning));
  text += ".SH SEE ALSO\n\\fBgit\\fR(1); README.md and docs/guide.md in the Orchestra sources\n";
  return text;
}

}  // namespace orchestra
