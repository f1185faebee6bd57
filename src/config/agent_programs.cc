#include "agent_programs.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace orchestra {

namespace {

bool IsExecutableFile(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

bool CanExecute(const std::string& program, const std::string& path_list) {
  if (program.find('/') != std::string::npos) return IsExecutableFile(program);
  std::istringstream folders(path_list);
  for (std::string folder; std::getline(folders, folder, ':');) {
    if (IsExecutableFile(std::filesystem::path(folder.empty() ? "." : folder) / program)) return true;
  }
  return false;
}

bool CheckAgentPrograms(const Config& config, Severity severity, Diagnostics* diagnostics) {
  const char* path_variable = std::getenv("PATH");
  const std::string path_list = path_variable ? path_variable : "";
  const std::string file = config.file.empty() ? "orchestra.toml" : config.file;
  std::set<std::string> reported;  // one report per type
  bool ok = true;
  // Who runs which type, and where the file says so: the agents, then the routes.
  struct User {
    const AgentType* type;
    std::string who;
    int line;
  };
  std::vector<User> users;
  for (const AgentConfig& agent : config.agents) {
    users.push_back({config.TypeOf(agent), "agent '" + agent.id + "'", agent.line});
  }
  for (const Route& route : config.routes) {
    users.push_back({config.TypeOf(route), "route " + route.Patterns(), route.line});
  }
  for (const User& user : users) {
    const AgentType* type = user.type;
    const AgentKind* kind = type == nullptr ? nullptr : FindAgentKind(type->kind);
    if (type == nullptr || kind == nullptr || !kind->takes_argv() || type->argv.empty()) continue;
    const std::string& program = type->argv[0];
    if (program.find('{') != std::string::npos || CanExecute(program, path_list)) continue;
    if (!reported.insert(type->name).second) continue;
    const bool is_path = program.find('/') != std::string::npos;
    const std::string message =
        is_path ? fmt::format("{} runs '{}', which {}", user.who, program,
                              std::filesystem::exists(program) ? "is not an executable file"
                                                               : "does not exist")
                : fmt::format("{} runs '{}', which is not on PATH", user.who, program);
    const std::string where = type->name.starts_with("argv:") ? "the route's argv" : "[agent_types." + type->name + "]";
    const std::string hint =
        is_path ? fmt::format("fix argv[0] in {} (a relative path is relative to the config "
                              "file's folder), or `chmod +x` it",
                              where)
                : fmt::format("install {}, or fix argv[0] in {}", program, where);
    if (severity == Severity::kError) {
      diagnostics->Error(file, user.line, user.line > 0 ? 1 : 0, message, hint);
      ok = false;
    } else {
      diagnostics->Warning(file, user.line, user.line > 0 ? 1 : 0, message + "; `orchestra run` would fail",
                           hint);
    }
  }
  return ok;
}

}  // namespace orchestra
