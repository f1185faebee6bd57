// Routes: which `[[routes]]` entry of orchestra.toml decides the agent type of
// each workstream, resolved once the workstreams are loaded.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "diagnostic.h"
#include "workstream.h"

namespace orchestra {

/// True when `pattern` names `id`: a glob (with * or ?) matching the whole id,
/// else a [tracks]-style short id (MatchTrackName against `ids`).
bool RoutePatternMatches(const std::string& pattern, const std::string& id, const std::vector<std::string>& ids);

/// For each workstream (in the order of `workstreams`), the index in
/// config.routes of the first route matching it, or -1. Reports as errors a
/// route matching no workstream and a short id matching several; as warnings
/// a workstream matched by two routes (the first wins). Returns false on errors.
bool ResolveRoutes(const Config& config, const std::vector<Workstream>& workstreams, std::vector<int>* route_of,
                   Diagnostics* diagnostics);

}  // namespace orchestra
