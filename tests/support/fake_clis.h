// A PATH made for a test: fake agent CLIs (scripts printing a version) and
// links to the few real programs Orchestra needs (git), nothing else, so
// what `doctor` and `init` find does not depend on the machine.
#pragma once

#include <string>
#include <vector>

#include "cli_harness.h"

namespace orchestra::testing {

/// FakeCliPath is a bin folder for the PATH of an orchestra run by a test.
class FakeCliPath {
 public:
  FakeCliPath();
  /// Adds `program`, a script printing `version_line` (for `--version`).
  void AddCli(const std::string& program, const std::string& version_line);
  const std::string& bin() const { return bin_; }

  /// Runs orchestra `args` in `cwd` with an environment holding only PATH (this
  /// folder), HOME and `env` (KEY=VALUE entries).
  CommandResult Run(const std::string& cwd, const std::vector<std::string>& args,
                    const std::vector<std::string>& env = {}) const;

 private:
  TempDir dir_;
  std::string bin_;
};

}  // namespace orchestra::testing
