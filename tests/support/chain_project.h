// The project the executor tests run: workstreams a -> b -> c in `dir`, on
// two agents (agent-1, agent-2) of one agent type, isolation "none".
#pragma once

#include <memory>
#include <string>

#include "project.h"

namespace orchestra::testing {

/// Fills `project` with the chain a -> b -> c run by two agents of `type`.
inline void MakeChainProject(const std::string& dir, const AgentType& type, Project* project) {
  Config& config = project->config;
  config.project_dir = dir;
  config.config_dir = dir;
  config.isolation = "none";
  config.agent_types[type.name] = type;
  config.agents = {{"agent-1", type.name, "", 0}, {"agent-2", type.name, "", 0}};
  for (const char* id : {"a", "b", "c"}) {
    Workstream workstream;
    workstream.id = id;
    workstream.file = dir + "/" + id + ".json";
    if (!project->workstreams.empty()) workstream.depends_on = {project->workstreams.back().id};
    project->workstreams.push_back(workstream);
  }
  project->graph = std::make_unique<Graph>(project->workstreams);
}

}  // namespace orchestra::testing
