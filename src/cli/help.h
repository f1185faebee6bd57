// Help in every form the shell and the system expect, all generated from the
// one CLI11 app that cli.cc builds from its command table: `orchestra help`,
// the short help of a bare `orchestra`, the --help footer (examples and exit
// codes), `orchestra completion bash|zsh|fish` and `orchestra man` (roff).
// A command or option added to the table appears in all of them.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace orchestra {

/// The shells `orchestra completion` writes a script for.
inline constexpr const char* kShells[] = {"bash", "zsh", "fish"};

/// The end of `orchestra --help` and of the man page's EXAMPLES and EXIT
/// STATUS: a few examples, then the exit codes (the table in README.md).
std::string HelpFooter();

/// What a bare `orchestra` prints: the usage line, the commands with their
/// descriptions, and where the rest is.
std::string ShortHelp(const CLI::App& app);

/// `orchestra help`: the same text as `orchestra --help`.
std::string FullHelp(const CLI::App& app);

/// The completion script for `shell` (bash, zsh or fish) completing the
/// commands, the global options and each command's options.
std::string CompletionScript(const CLI::App& app, const std::string& shell);

/// The man page orchestra(1) in roff (man(7) macros).
std::string ManPage(const CLI::App& app, const std::string& version);

}  // namespace orchestra
