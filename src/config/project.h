// The project: config, workstreams and graph, loaded and validated together.
// Every command that looks at the plan starts here.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "diagnostic.h"
#include "graph.h"
#include "workstream.h"

namespace orchestra {

/// Where to find things, from the command line.
struct ProjectOptions {
  std::string directory = ".";    // -C: the project folder
  std::string config_file;        // --config; default orchestra.toml if present
  std::string workstreams_dir;    // --workstreams overrides [paths] workstreams
  std::string state_path;         // --state overrides [paths] state ([state] url with a postgresql:// URL)
  int agents = 0;                 // --agents N: N untracked agents of the default type
};

/// Project is the validated plan: every command after validation reads it.
struct Project {
  Config config;
  std::vector<Workstream> workstreams;  // sorted by id; node i of `graph`
  std::unique_ptr<Graph> graph;
  /// Per node: the index in config.routes of the route deciding its type, or
  /// -1 (empty when the project was built without LoadProject).
  std::vector<int> route_of;
  /// The workstream files read (LoadProject; empty for a plan loaded from
  /// the state): name in the workstreams folder -> ContentFingerprint of the
  /// text loaded. The run's watch of the folder starts from it.
  std::map<std::string, std::string> workstream_files;

  /// The agent type that runs `workstream` (a node) on `agent`: the type of
  /// the route matching it, else the agent's own; null when unknown.
  const AgentType* TypeFor(int workstream, const AgentConfig& agent) const;
  /// The kind of TypeFor, or null.
  const AgentKind* KindFor(int workstream, const AgentConfig& agent) const;
  /// True when `[[routes]]` decides the type of some workstream.
  bool HasRoutes() const { return !config.routes.empty(); }

  /// Absolute path of the state database, logs folder and reports folder.
  std::string StatePath() const { return config.ProjectPath(config.state_path); }
  /// Where the state lives: the PostgreSQL URL when one is set, else StatePath().
  std::string State() const { return config.state_url.empty() ? StatePath() : config.state_url; }
  std::string LogsDir() const { return config.ProjectPath(config.logs_dir); }
  std::string ReportsDir() const { return config.ProjectPath(config.reports_dir); }
};

/// `path` relative to the current folder when it lies inside it, else absolute:
/// how files are named in diagnostics and messages.
std::string DisplayPath(const std::string& path);

/// Loads only the config (for commands that need paths but not the plan).
bool LoadProjectConfig(const ProjectOptions& options, Config* config, Diagnostics* diagnostics);

/// Loads the config and workstreams, validates them and builds the graph.
/// Returns false when any error was reported (warnings alone pass).
bool LoadProject(const ProjectOptions& options, Project* project, Diagnostics* diagnostics);

/// One workstream file's name and text, wherever it was read from (a plan
/// submitted to the state keeps them: `orchestra worker` runs from those).
struct WorkstreamSource {
  std::string file;
  std::string text;
};

/// LoadProject with the workstreams parsed from `sources` instead of the
/// workstreams folder; the same checks and the same diagnostics.
bool LoadProjectFrom(const ProjectOptions& options, const std::vector<WorkstreamSource>& sources, Project* project,
                     Diagnostics* diagnostics);

}  // namespace orchestra
