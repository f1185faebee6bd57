#include "routes.h"

#include <fnmatch.h>

#include <fmt/format.h>

#include "validate.h"

namespace orchestra {

namespace {

bool IsGlob(const std::string& pattern) { return pattern.find_first_of("*?") != std::string::npos; }

}  // namespace

bool RoutePatternMatches(const std::string& pattern, const std::string& id, const std::vector<std::string>& ids) {
  if (IsGlob(pattern)) return fnmatch(pattern.c_str(), id.c_str(), 0) == 0;
  std::string match;
  std::vector<std::string> candidates;
  return MatchTrackName(pattern, ids, &match, &candidates) && match == id;
}

bool ResolveRoutes(const Config& config, const std::vector<Workstream>& workstreams, std::vector<int>* route_of,
                   Diagnostics* diagnostics) {
  route_of->assign(workstreams.size(), -1);
  // An unparsed config's routes are unknown: its own error says why.
  if (config.routes.empty() || !config.file_parsed) return true;
  const std::string file = config.file.empty() ? "orchestra.toml" : config.file;
  std::vector<std::string> ids;
  for (const Workstream& workstream : workstreams) ids.push_back(workstream.id);
  bool ok = true;
  for (size_t index = 0; index < config.routes.size(); ++index) {
    const Route& route = config.routes[index];
    if (route.workstreams.empty()) continue;  // LoadConfig said so
    bool matched_any = false;
    for (const std::string& pattern : route.workstreams) {
      std::string match;
      std::vector<std::string> candidates;
      if (!IsGlob(pattern) && !MatchTrackName(pattern, ids, &match, &candidates) && candidates.size() > 1) {
        diagnostics->Error(file, route.line, route.column,
                           fmt::format("route {}: '{}' matches several workstreams: {}", route.Patterns(), pattern,
                                       fmt::join(candidates, ", ")),
                           "write the full id, or a glob such as \"" + pattern + "-*\"");
        ok = false;
      }
    }
    for (size_t node = 0; node < workstreams.size(); ++node) {
      const std::string& id = workstreams[node].id;
      bool matches = false;
      for (const std::string& pattern : route.workstreams) matches = matches || RoutePatternMatches(pattern, id, ids);
      if (!matches) continue;
      matched_any = true;
      const int first = (*route_of)[node];
      if (first < 0) {
        (*route_of)[node] = static_cast<int>(index);
        continue;
      }
      const Route& winner = config.routes[first];
      diagnostics->Warning(file, route.line, route.column,
                           fmt::format("workstream '{}' is matched by two routes: {} (line {}) and {} (line {}); "
                                       "the first one wins",
                                       id, winner.Patterns(), winner.line, route.Patterns(), route.line),
                           "narrow the patterns so each workstream matches one route");
    }
    if (!matched_any) {
      diagnostics->Error(file, route.line, route.column,
                         fmt::format("route {} matches no workstream", route.Patterns()),
                         "check the ids against the workstreams folder (short ids and globs with * and ? work)");
      ok = false;
    }
  }
  return ok;
}

}  // namespace orchestra
