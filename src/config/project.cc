#include "project.h"

#include <filesystem>

#include "git.h"
#include "loader.h"
#include "routes.h"
#include "validate.h"

namespace orchestra {

namespace fs = std::filesystem;

std::string DisplayPath(const std::string& path) {
  const fs::path absolute = fs::absolute(path).lexically_normal();
  std::error_code error;
  const fs::path relative = fs::relative(absolute, fs::current_path(), error);
  if (error || relative.empty() || *relative.begin() == "..") return absolute.string();
  return relative.string();
}

const AgentType* Project::TypeFor(int workstream, const AgentConfig& agent) const {
  const int route = workstream >= 0 && workstream < static_cast<int>(route_of.size()) ? route_of[workstream] : -1;
  return route >= 0 ? config.TypeOf(config.routes[route]) : config.TypeOf(agent);
}

const AgentKind* Project::KindFor(int workstream, const AgentConfig& agent) const {
  const AgentType* type = TypeFor(workstream, agent);
  return type == nullptr ? nullptr : FindAgentKind(type->kind);
}

namespace {

/// Resolves `isolation = "auto"`: worktrees when the project folder is the top
/// level of a git work tree (a folder inside a repository, such as an example
/// in a subfolder, keeps running in place).
bool ResolveIsolation(Config* config, Diagnostics* diagnostics) {
  if (config->isolation == "none") return true;
  SystemGit git;
  std::string top_level;
  std::error_code error;
  const bool at_top = GitTopLevel(&git, config->project_dir, &top_level) &&
                      fs::equivalent(top_level, config->project_dir, error);
  if (config->isolation == "auto") config->isolation = at_top ? "worktree" : "none";
  // The state, logs and reports keep their paths: run/project_files.h keeps
  // them out of `git status`.
  if (config->isolation == "none" || at_top) return true;
  diagnostics->Error(config->file.empty() ? "orchestra.toml" : config->file, 0, 0,
                     "isolation = \"worktree\" needs the project folder to be the top level of a git "
                     "repository (" + config->project_dir + " is not)",
                     "run `git init` and commit, or set isolation = \"none\" in [defaults]");
  return false;
}

}  // namespace

bool LoadProjectConfig(const ProjectOptions& options, Config* config, Diagnostics* diagnostics) {
  std::error_code error;
  const fs::path project_dir = fs::weakly_canonical(fs::absolute(options.directory), error);
  if (error || !fs::is_directory(project_dir)) {
    diagnostics->Error(options.directory, 0, 0, "not a directory", "pass an existing folder to -C");
    return false;
  }
  config->project_dir = project_dir.string();
  config->config_dir = project_dir.string();
  config->agent_types = BuiltinAgentTypes();
  std::string config_file = options.config_file;
  if (config_file.empty() && fs::exists(project_dir / "orchestra.toml")) {
    config_file = (project_dir / "orchestra.toml").string();
  }
  bool ok = true;
  if (!config_file.empty()) {
    fs::path path = fs::path(config_file).is_absolute() ? fs::path(config_file)
                                                       : fs::current_path() / config_file;
    if (!options.config_file.empty() && !fs::exists(path)) {
      diagnostics->Error(config_file, 0, 0, "config file not found",
                         "check the --config path, or leave it out to use the defaults");
      config->file_parsed = false;  // its agents are unknown: no complaint about them
      return false;
    }
    ok = LoadConfig(DisplayPath(path.string()), config, diagnostics);
  }
  if (!options.workstreams_dir.empty()) {
    config->workstreams_dir = fs::absolute(options.workstreams_dir).lexically_normal().string();
  }
  if (options.state_path.rfind("postgresql://", 0) == 0 || options.state_path.rfind("postgres://", 0) == 0) {
    config->state_url = options.state_path;  // a PostgreSQL server, not a file
    config->state_url_origin = "--state";
  } else if (!options.state_path.empty()) {
    config->state_path = fs::absolute(options.state_path).lexically_normal().string();
    config->state_url.clear();  // --state FILE wins over [state] url
  }
  if (options.agents > 0) UseAnonymousAgents(options.agents, config);
  return ResolveIsolation(config, diagnostics) && ok;
}

namespace {

/// LoadProject's steps around `load`, which reads the workstreams.
template <typename Load>
bool LoadProjectWith(const ProjectOptions& options, Project* project, Diagnostics* diagnostics, Load load) {
  bool ok = LoadProjectConfig(options, &project->config, diagnostics);
  ok = CheckAgentTypes(project->config, diagnostics) && ok;
  std::vector<std::string> unloaded_ids;
  ok = load(&unloaded_ids) && ok;
  ok = ValidateProject(project->config, &project->workstreams, diagnostics, unloaded_ids) && ok;
  ok = ResolveRoutes(project->config, project->workstreams, &project->route_of, diagnostics) && ok;
  project->graph = std::make_unique<Graph>(project->workstreams);
  return ok && !diagnostics->HasErrors();
}

}  // namespace

bool LoadProject(const ProjectOptions& options, Project* project, Diagnostics* diagnostics) {
  return LoadProjectWith(options, project, diagnostics, [&](std::vector<std::string>* unloaded_ids) {
    const std::string dir = DisplayPath(project->config.ProjectPath(project->config.workstreams_dir));
    return LoadWorkstreams(dir, &project->workstreams, diagnostics, unloaded_ids, &project->workstream_files);
  });
}

bool LoadProjectFrom(const ProjectOptions& options, const std::vector<WorkstreamSource>& sources, Project* project,
                     Diagnostics* diagnostics) {
  return LoadProjectWith(options, project, diagnostics, [&](std::vector<std::string>* unloaded_ids) {
    std::vector<std::string> warned_fields;
    bool ok = true;
    for (const WorkstreamSource& source : sources) {
      ok = ParseWorkstreamFile(source.file, source.text, &project->workstreams, diagnostics, &warned_fields,
                               unloaded_ids) && ok;
    }
    return ok;  // ValidateProject sorts them by id
  });
}

}  // namespace orchestra
