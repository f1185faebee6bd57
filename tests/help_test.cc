// Integration tests of the command line's conventions: `orchestra help`, the
// short help of a bare `orchestra`, the --help footer, the shell completion
// scripts and the man page, all generated from the one command table.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "test_paths.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

/// True when `program` is on the PATH.
bool Installed(const std::string& program) {
  return RunCommand("/", {"sh", "-c", "command -v " + program}).exit_code == 0;
}

TEST(HelpTest, HelpCommandPrintsTheSameAsTheHelpFlag) {
  TempDir folder;
  const CommandResult flag = RunOrchestra(folder.path(), {"--help"});
  const CommandResult command = RunOrchestra(folder.path(), {"help"});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;
  EXPECT_EQ(command.exit_code, 0) << command.err;
  EXPECT_EQ(command.out, flag.out);
  EXPECT_EQ(command.err, "");
  for (const char* name : {"run", "status", "logs", "completion"}) {
    const CommandResult of_flag = RunOrchestra(folder.path(), {name, "--help"});
    const CommandResult of_command = RunOrchestra(folder.path(), {"help", name});
    EXPECT_EQ(of_flag.exit_code, 0) << name;
    EXPECT_EQ(of_command.exit_code, 0) << name;
    EXPECT_EQ(of_command.out, of_flag.out) << name;
  }
  const CommandResult unknown = RunOrchestra(folder.path(), {"help", "frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.out, "");
  EXPECT_EQ(unknown.err, "orchestra: unknown command 'frobnicate' (see `orchestra help`)\n");
}

TEST(HelpTest, UsageNamesOrchestraNotTheBinarysPath) {
  TempDir folder;
  const CommandResult help = RunOrchestra(folder.path(), {"--help"});
  EXPECT_EQ(help.out.find(ORCHESTRA_BINARY), std::string::npos) << help.out;
  EXPECT_EQ(help.out.substr(0, help.out.find("\n\n", help.out.find('\n') + 1)),
            "orchestra: run a dependency graph of workstreams on a pool of AI coding agents\n"
            "Usage: orchestra [OPTIONS] [SUBCOMMAND]");
  const CommandResult run = RunOrchestra(folder.path(), {"help", "run"});
  EXPECT_EQ(run.out.substr(0, run.out.find('\n')), "Run (or resume) the plan");
  EXPECT_EQ(run.out.substr(run.out.find('\n') + 1, run.out.find('\n', run.out.find('\n') + 1) - run.out.find('\n') - 1),
            "Usage: orchestra run [OPTIONS] [ids...]");
  const CommandResult wrong = RunOrchestra(folder.path(), {"status", "--frobnicate"});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_EQ(wrong.err.find(ORCHESTRA_BINARY), std::string::npos) << wrong.err;
}

TEST(HelpTest, BareOrchestraPrintsAShortHelpAndExitsZero) {
  TempDir folder;
  const CommandResult bare = RunOrchestra(folder.path(), {});
  EXPECT_EQ(bare.exit_code, 0) << bare.err;
  EXPECT_EQ(bare.err, "");
  EXPECT_EQ(bare.out,
            "orchestra: run a dependency graph of workstreams on a pool of AI coding agents\n"
            "\n"
            "Usage: orchestra [OPTIONS] COMMAND [ARGS]\n"
            "\n"
            "Commands:\n"
            "  init        Write a starting orchestra.toml for the agent CLIs found\n"
            "  doctor      Check agent CLIs, API keys, git and the state; exit 1 if agents lack something\n"
            "  validate    Check workstreams and config; exit 2 on errors\n"
            "  plan        Show waves, critical path and agent order without running\n"
            "  run         Run (or resume) the plan\n"
      "  submit      Load the workstreams into the shared state for workers; report what changed\n"
      "  worker      Claim and run workstreams of the submitted plan (one of several; worktree isolation off)\n"
            "  status      Show each workstream's state, or one workstream's in detail\n"
            "  logs        Print a workstream's latest attempt log\n"
            "  retry       Put failed workstreams (and what they blocked) back to pending\n"
            "  reset       Forget all progress\n"
            "  pause       Ask the running orchestrator to start nothing new and exit\n"
            "  report      Write the run's report: HTML, Markdown or JSON, finished or live\n"
            "  graph       Print the dependency graph (DOT, Mermaid or SVG)\n"
            "  serve       Serve the live dashboard (read-only web page and JSON API)\n"
            "  sync        Bring your current branch into the integration branch\n"
            "  land        Bring the integration branch into your current branch\n"
            "  clean       Remove kept worktrees and merged orchestra/<id> branches\n"
            "  diff        Show what a workstream changed\n"
            "  help        Show the help of orchestra or of one command (same as --help)\n"
            "  completion  Print a shell completion script (bash, zsh or fish)\n"
            "  man         Print the man page orchestra(1) (roff)\n"
            "\n"
            "`orchestra help COMMAND` shows a command's options, `orchestra --help` the global ones.\n");
  // Options without a command are still a usage error.
  EXPECT_EQ(RunOrchestra(folder.path(), {"--json"}).exit_code, 2);
}

TEST(HelpTest, HelpFooterHasExamplesAndTheExitCodesOfTheReadme) {
  TempDir folder;
  const std::string help = RunOrchestra(folder.path(), {"--help"}).out;
  const std::string footer = help.substr(help.find("\nExamples:\n") + 1);
  EXPECT_EQ(footer,
            "Examples:\n"
            "  orchestra validate          check the workstreams and orchestra.toml\n"
            "  orchestra plan              what is left to do, in which order, and when it ends\n"
            "  orchestra run --agents 2    run it on two simulated agents (a second run resumes)\n"
            "  orchestra status ws-3       why ws-3 failed: its attempts, log and prompt files\n"
            "  orchestra retry --failed    put the failed ones back to pending for the next run\n"
            "  orchestra help run          the options of one command\n"
            "\n"
            "Exit codes:\n"
            "  0    every selected workstream completed (or the run was paused on request)\n"
            "  1    some workstream failed or is blocked (see `orchestra status`); or `run`/`sync` found your "
            "branch and the integration branch in conflict (nothing ran)\n"
            "  2    invalid input or usage: nothing was run\n"
            "  3    another orchestrator holds the state (the message names its pid)\n"
            "  130  interrupted (SIGINT/SIGTERM); `orchestra run` resumes\n"
            "\n");
  // Every row of README.md's table, word for word.
  std::ifstream readme(std::string(ORCHESTRA_SOURCE_DIR) + "/README.md");
  const std::regex row(R"(^\| (\d+) \| (.*) \|$)");
  int rows = 0;
  for (std::string line; std::getline(readme, line);) {
    std::smatch match;
    if (!std::regex_match(line, match, row)) continue;
    ++rows;
    char expected[512];
    std::snprintf(expected, sizeof expected, "\n  %-3s  %s\n", match[1].str().c_str(), match[2].str().c_str());
    EXPECT_NE(footer.find(expected), std::string::npos) << "README row not in --help: " << line;
  }
  EXPECT_EQ(rows, 5);
}

TEST(HelpTest, BashCompletionParsesAndCompletesCommandsAndOptions) {
  TempDir folder;
  const CommandResult script = RunOrchestra(folder.path(), {"completion", "bash"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  WriteFile(folder / "orchestra.bash", script.out);
  const CommandResult syntax = RunCommand(folder.path(), {"bash", "-n", "orchestra.bash"});
  EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
  EXPECT_EQ(syntax.err, "");
  // What the shell offers: COMP_WORDS as bash fills it for the word being typed.
  auto complete = [&](const std::string& words, int current) {
    const std::string program = "source ./orchestra.bash; COMP_WORDS=(" + words + "); COMP_CWORD=" +
                                std::to_string(current) + "; _orchestra; echo \"${COMPREPLY[*]}\"";
    return RunCommand(folder.path(), {"bash", "-c", program}).out;
  };
  EXPECT_EQ(complete("orchestra p", 1), "plan pause\n");
  EXPECT_EQ(complete("orchestra plan --a", 2), "--all --agents\n");
  EXPECT_EQ(complete("orchestra --json status --", 3), "--help --version --workstreams --config --state --agents --json\n");
  EXPECT_EQ(complete("orchestra logs -", 2),
            "--attempt -f --follow -h --help --version -C --workstreams --config --state --agents --json\n");
  EXPECT_EQ(complete("orchestra completion ''", 2), "bash zsh fish\n");
  EXPECT_EQ(complete("orchestra help di", 2), "diff\n");
  EXPECT_EQ(complete("orchestra plan --gantt ''", 3), "\n");  // a file name: the shell's own completion
}

TEST(HelpTest, ZshAndFishCompletionsParse) {
  TempDir folder;
  for (const char* shell : {"zsh", "fish"}) {
    const CommandResult script = RunOrchestra(folder.path(), {"completion", shell});
    ASSERT_EQ(script.exit_code, 0) << script.err;
    EXPECT_NE(script.out.find("generated by `orchestra completion " + std::string(shell) + "`"), std::string::npos);
    for (const char* option : {"--gantt", "--follow", "--failed", "--stat"}) {
      EXPECT_NE(script.out.find(shell == std::string("fish") ? std::string("-l ") + (option + 2) : option),
                std::string::npos)
          << shell << " " << option;
    }
    if (!Installed(shell)) {
      std::printf("skipped: %s is not installed, so `%s -n` cannot check the script\n", shell, shell);
      continue;
    }
    const std::string file = folder / (std::string("orchestra.") + shell);
    WriteFile(file, script.out);
    const CommandResult syntax = RunCommand(folder.path(), {shell, "-n", file});
    EXPECT_EQ(syntax.exit_code, 0) << shell << ": " << syntax.err;
    EXPECT_EQ(syntax.err, "") << shell;
  }
  const CommandResult unknown = RunOrchestra(folder.path(), {"completion", "tcsh"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.out, "");
}

TEST(HelpTest, ManPageRendersWithItsSections) {
  TempDir folder;
  const CommandResult man = RunOrchestra(folder.path(), {"man"});
  ASSERT_EQ(man.exit_code, 0) << man.err;
  EXPECT_EQ(man.out.substr(0, man.out.find('\n')), ".TH ORCHESTRA 1 \"\" \"orchestra " ORCHESTRA_VERSION "\" \"User Commands\"");
  for (const char* section : {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXAMPLES", "EXIT STATUS"}) {
    EXPECT_NE(man.out.find(std::string("\n.SH ") + section + "\n"), std::string::npos) << section;
  }
  EXPECT_NE(man.out.find("\n.SS \"orchestra status [ids...]\"\n"), std::string::npos) << man.out;
  EXPECT_NE(man.out.find("\n.SS \"orchestra logs id\"\n"), std::string::npos) << man.out;
  // No text line may start a roff request by accident.
  std::istringstream lines(man.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '.') continue;
    EXPECT_TRUE(std::regex_match(line, std::regex(R"(\.(TH|SH|SS|TP|B) .*|\.TP)"))) << line;
  }
  if (!Installed("groff")) {
    std::printf("skipped rendering: groff is not installed\n");
    return;
  }
  WriteFile(folder / "orchestra.1", man.out);
  const CommandResult rendered =
      RunCommand(folder.path(), {"sh", "-c", "groff -man -Tutf8 -ww orchestra.1 | col -b 2>/dev/null || true"});
  EXPECT_EQ(rendered.exit_code, 0);
  EXPECT_EQ(rendered.err, "") << "groff warned";
  EXPECT_NE(rendered.out.find("NAME\n       orchestra"), std::string::npos) << rendered.out;
  EXPECT_NE(rendered.out.find("orchestra completion shell"), std::string::npos) << rendered.out;
  EXPECT_NE(rendered.out.find("EXIT STATUS"), std::string::npos) << rendered.out;
}

TEST(HelpTest, TheBuildGeneratesTheCompletionsAndManPageAndInstallsThem) {
  TempDir folder;
  const std::string share = fs::path(ORCHESTRA_BINARY).parent_path() / "share";
  EXPECT_EQ(ReadFile(share + "/bash-completion/completions/orchestra"),
            RunOrchestra(folder.path(), {"completion", "bash"}).out);
  EXPECT_EQ(ReadFile(share + "/zsh/site-functions/_orchestra"), RunOrchestra(folder.path(), {"completion", "zsh"}).out);
  EXPECT_EQ(ReadFile(share + "/fish/vendor_completions.d/orchestra.fish"),
            RunOrchestra(folder.path(), {"completion", "fish"}).out);
  EXPECT_EQ(ReadFile(share + "/man/man1/orchestra.1"), RunOrchestra(folder.path(), {"man"}).out);

  const CommandResult install = RunCommand(
      folder.path(), {"cmake", "--install", fs::path(ORCHESTRA_BINARY).parent_path().string(), "--prefix", folder / "usr"});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  for (const char* file : {"bin/orchestra", "share/bash-completion/completions/orchestra",
                           "share/zsh/site-functions/_orchestra", "share/fish/vendor_completions.d/orchestra.fish",
                           "share/man/man1/orchestra.1"}) {
    EXPECT_TRUE(fs::exists(folder / (std::string("usr/") + file))) << file;
  }
}

}  // namespace
}  // namespace orchestra::testing
