#include "sim_project.h"

#include <fmt/format.h>

#include <random>
#include <set>
#include <sstream>

#include "test_state.h"
#include "test_paths.h"

namespace orchestra::testing {

SimProject::SimProject(const SimProjectOptions& options, const std::string& dir)
    : path_(dir.empty() ? temp_.path() : dir) {
  std::mt19937_64 random(options.seed);
  for (int i = 0; i < options.workstreams; ++i) ids_.push_back(fmt::format("w{:02}", i));
  for (int i = 0; i < options.workstreams; ++i) {
    std::set<std::string> depends_on;
    for (int pick = 0; pick < 2 && i > 0; ++pick) {
      if (random() % 3 != 0) depends_on.insert(ids_[random() % i]);
    }
    std::string list;
    for (const std::string& dependency : depends_on) list += (list.empty() ? "\"" : ", \"") + dependency + "\"";
    WriteFile(path_ + "/workstreams/" + ids_[i] + ".json",
              fmt::format("{{\"id\": \"{}\", \"title\": \"Work {}\", \"depends_on\": [{}]}}\n", ids_[i], i, list));
  }
  std::string failing;
  for (int i = 0; i < options.failing_first; ++i) {
    failing += (failing.empty() ? "\"" : ", \"") + ids_[random() % ids_.size()] + "\"";
  }
  std::string config = fmt::format(
      "[defaults]\nbackoff = \"0s\"\nkill_grace = \"1s\"\nmax_attempts = 3\n\n"
      "[agent_types.quick]\nkind = \"sim\"\ntime_scale = {}\nfail = [{}]\nfail_attempts = 1\n{}\n",
      options.time_scale, failing, options.agent_type_extra);
  for (int agent = 1; agent <= options.agents; ++agent) {
    config += fmt::format("[[agents]]\nid = \"agent-{}\"\ntype = \"quick\"\n\n", agent);
  }
  WriteFile(path_ + "/orchestra.toml", config + options.extra_config);
  if (options.git) {
    for (const std::vector<std::string>& git :
         {std::vector<std::string>{"git", "init", "-q", "-b", "main"},
          {"git", "config", "user.name", "Test User"},
          {"git", "config", "user.email", "user@example.com"},
          {"git", "add", "-A"},
          {"git", "commit", "-q", "--no-verify", "-m", "the project"}}) {
      const CommandResult result = RunCommand(path_, git);
      if (result.exit_code != 0) throw std::runtime_error("git failed in " + path_ + ": " + result.err);
    }
  }
}

CommandResult SimProject::Run(const std::string& crash_at) const {
  std::vector<std::string> argv{"env"};
  if (!crash_at.empty()) argv.push_back("ORCHESTRA_CRASH_AT=" + crash_at);
  argv.push_back(ORCHESTRA_BINARY);
  const std::vector<std::string> args = WithTestState(path_, {"run"});  // --state in the PostgreSQL pass
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(path_, argv);
}

std::vector<ListedCrashPoint> ListCrashPoints() {
  const CommandResult listed = RunCommand("/", {"env", "ORCHESTRA_CRASH_AT=list", ORCHESTRA_BINARY, "--version"});
  std::vector<ListedCrashPoint> points;
  if (listed.exit_code != 0) return points;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    const size_t first = line.find('\t');
    const size_t second = line.find('\t', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;  // `orchestra --version`: no points
    ListedCrashPoint point;
    point.name = line.substr(0, first);
    const std::string needs = line.substr(first + 1, second - first - 1);
    point.in_recovery = needs.find("recovery") != std::string::npos;
    point.worktrees = needs.find("worktrees") != std::string::npos;
    point.where = line.substr(second + 1);
    points.push_back(point);
  }
  return points;
}

std::string CrashPointMessage(const std::string& name, int pass) {
  return fmt::format("orchestra: crash point {} (pass {}) reached: aborting (ORCHESTRA_CRASH_AT)\n", name, pass);
}

}  // namespace orchestra::testing
