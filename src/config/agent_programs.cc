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
  for (const AgentConfig& agent : config.agents) {
    const AgentType* type = config.TypeOf(agent);
    const AgentKind* kind = config.KindOf(agent);
    if (type == nullptr || kind == nullptr || !kind->takes_argv() || type->argv.empty()) continue;
    const std::string& program = type->argv[0];
    if (program.find('{') != std::string::npos || CanExecute(program, path_list)) continue;
    if (!reported.insert(type->name).second) continue;
    const bool is_path = program.find('/') != std::string::npos;
    const std::string message =
        is_path ? fmt::format("agent '{}' runs '{}', which {}", agent.id, program,
                              std::filesystem::exists(program) ? "is not an executable file"
                                                               : "does not exist")
                : fmt::format("agent '{}' runs '{}', which is not on PATH", agent.id, program);
    const std::string hint =
        is_path ? fmt::format("fix argv[0] in [agent_types.{}] (a relative path is relative to the config "
                              "file's folder), or `chmod +x` it",
                              type->name)
                : fmt::format("install {}, or fix argv[0] in [agent_types.{}]", program, type->name);
    if (severity == Severity::kError) {
      diagnostics->Error(file, agent.line, agent.line > 0 ? 1 : 0, message, hint);
      ok = false;
    } else {
      diagnostics->Warning(file, agent.line, agent.line > 0 ? 1 : 0, message + "; `orchestra run` would fail",
                           hint);
    }
  }
  return ok;
}

}  // namespace orchestra
