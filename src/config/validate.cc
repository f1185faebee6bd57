// Validation: the checks that need every workstream and the config at once.
// Each check reports and goes on, so one run lists every problem; later checks
// work on what earlier ones kept (the first of two duplicate ids, for one).
#include "validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "graph.h"
#include "id_index.h"

namespace orchestra {
namespace {

constexpr size_t kNearestTrackIds = 5;

std::string Position(const std::string& file, int line, int column) {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

/// Where config-level diagnostics go when there is no config file to point at.
std::string ConfigFile(const Config& config) {
  return config.file.empty() ? "orchestra.toml" : config.file;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

/// How far a [tracks] name is from an id. Track names are short prefixes of
/// long ids ("ws-31" for "ws-30-pipeline-plus-..."), so the distance is taken
/// to the closest dash-delimited prefix of the id, not to the whole id (which
/// would favour whatever id happens to be short).
size_t TrackNameDistance(const std::string& name, const std::string& id) {
  size_t best = EditDistance(name, id);
  for (size_t dash = id.find('-'); dash != std::string::npos; dash = id.find('-', dash + 1)) {
    best = std::min(best, EditDistance(name, id.substr(0, dash)));
  }
  return best;
}

std::vector<std::string> NearestTrackIds(const std::string& name,
                                         const std::vector<std::string>& ids) {
  std::vector<std::pair<size_t, std::string>> ranked;
  for (const std::string& id : ids) ranked.emplace_back(TrackNameDistance(name, id), id);
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> nearest;
  for (size_t i = 0; i < ranked.size() && i < kNearestTrackIds; ++i) nearest.push_back(ranked[i].second);
  return nearest;
}

/// Sorts by id and drops every later workstream with an id already seen,
/// reporting it with the position of the one kept.
void RemoveDuplicateIds(std::vector<Workstream>* workstreams, Diagnostics* diagnostics) {
  // Sorted as positions, then moved once: cheaper than sorting the structs.
  // Files are listed by name, and names usually sort as their ids do.
  const auto out_of_order = std::adjacent_find(workstreams->begin(), workstreams->end(),
                                               [](const Workstream& a, const Workstream& b) { return a.id >= b.id; });
  if (out_of_order == workstreams->end()) return;
  // Sorted by a key of the id's first 8 bytes (big-endian, zero-padded: two
  // keys that differ order as their ids do) and the position, with the ids
  // compared only where the keys are equal: a comparison that reached into
  // each 400-byte Workstream for its id was 5% of `plan` on 100,000.
  struct Key {
    uint64_t prefix;
    size_t position;
  };
  std::vector<Key> keys(workstreams->size());
  for (size_t position = 0; position < keys.size(); ++position) {
    const std::string& id = (*workstreams)[position].id;
    uint64_t prefix = 0;
    for (size_t byte = 0; byte < 8; ++byte) {
      prefix = (prefix << 8) | (byte < id.size() ? static_cast<unsigned char>(id[byte]) : 0u);
    }
    keys[position] = {prefix, position};
  }
  std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    const int order = (*workstreams)[a.position].id.compare((*workstreams)[b.position].id);
    return order != 0 ? order < 0 : a.position < b.position;  // the first read of an id first
  });
  std::vector<size_t> sorted(keys.size());
  for (size_t at = 0; at < keys.size(); ++at) sorted[at] = keys[at].position;
  keys = {};
  // Put in sorted order in place, cycle by cycle (one move per element and
  // no second vector: a copy of 100,000 workstreams into fresh memory was 9%
  // of `plan`, most of it page faults).
  std::vector<Workstream>& all = *workstreams;
  for (size_t start = 0; start < sorted.size(); ++start) {
    if (sorted[start] == start) continue;
    Workstream held = std::move(all[start]);
    size_t at = start;
    while (sorted[at] != start) {
      const size_t from = sorted[at];
      all[at] = std::move(all[from]);
      sorted[at] = at;
      at = from;
    }
    all[at] = std::move(held);
    sorted[at] = at;
  }
  // Then drop the repeats, keeping the first of each id (the sort kept the
  // order they were read in).
  size_t kept = 0;
  for (size_t position = 0; position < all.size(); ++position) {
    if (kept > 0 && all[kept - 1].id == all[position].id) {
      const Workstream& first = all[kept - 1];
      const Workstream& repeat = all[position];
      diagnostics->Error(repeat.file, repeat.line, repeat.column,
                         "duplicate id '" + repeat.id + "': also defined in " +
                             Position(first.file, first.line, first.column),
                         "give each workstream its own id");
      continue;
    }
    if (kept != position) all[kept] = std::move(all[position]);
    ++kept;
  }
  all.erase(all.begin() + static_cast<std::ptrdiff_t>(kept), all.end());
}

void CheckIds(const std::vector<Workstream>& workstreams, Diagnostics* diagnostics) {
  for (const Workstream& workstream : workstreams) {
    if (IsValidWorkstreamId(workstream.id)) continue;
    diagnostics->Error(workstream.file, workstream.line, workstream.column,
                       "invalid workstream id '" + workstream.id + "'",
                       "use letters, digits, '.', '_' and '-'; no leading '.' or '-'");
  }
}

void CheckDependencies(const std::vector<Workstream>& workstreams, const std::vector<std::string>& ids,
                       const IdIndex& known, const std::vector<std::string>& unloaded_ids,
                       Diagnostics* diagnostics) {
  const std::unordered_set<std::string> unloaded(unloaded_ids.begin(), unloaded_ids.end());
  for (const Workstream& workstream : workstreams) {
    for (const std::string& dependency : workstream.depends_on) {
      if (dependency == workstream.id) {
        diagnostics->Error(workstream.file, workstream.line, workstream.column,
                           workstream.id + " depends on itself",
                           "remove '" + dependency + "' from depends_on");
      } else if (!unloaded.empty() && unloaded.count(dependency)) {
        diagnostics->Error(workstream.file, workstream.line, workstream.column,
                           workstream.id + " depends on '" + dependency + "', which failed to load",
                           "fix the errors reported for '" + dependency + "'");
      } else if (known.Find(dependency, ids) < 0) {
        std::vector<std::string> others;  // never suggest the workstream itself
        for (const std::string& id : ids) {
          if (id != workstream.id) others.push_back(id);
        }
        const std::string nearest = NearestId(dependency, others);
        diagnostics->Error(workstream.file, workstream.line, workstream.column,
                           workstream.id + " depends on unknown workstream '" + dependency + "'",
                           nearest.empty() ? "" : "did you mean '" + nearest + "'?");
      }
    }
  }
}

// Kahn's count: true when some node can never be ordered, i.e. sits on or
// after a cycle. Linear, so a graph without cycles (nearly always) never pays
// for the search that spells cycles out.
bool HasCycle(const std::vector<std::vector<int>>& dependencies) {
  const size_t count = dependencies.size();
  std::vector<int> waiting(count), start(count + 1, 0), dependents;
  for (size_t node = 0; node < count; ++node) {
    waiting[node] = static_cast<int>(dependencies[node].size());
    for (int dependency : dependencies[node]) ++start[dependency + 1];
  }
  for (size_t node = 0; node < count; ++node) start[node + 1] += start[node];
  dependents.resize(start[count]);
  std::vector<int> fill(start.begin(), start.end() - 1);
  for (size_t node = 0; node < count; ++node) {
    for (int dependency : dependencies[node]) dependents[fill[dependency]++] = static_cast<int>(node);
  }
  std::vector<int> ready;
  for (size_t node = 0; node < count; ++node) {
    if (waiting[node] == 0) ready.push_back(static_cast<int>(node));
  }
  size_t ordered = 0;
  while (!ready.empty()) {
    const int node = ready.back();
    ready.pop_back();
    ++ordered;
    for (int at = start[node]; at < start[node + 1]; ++at) {
      if (--waiting[dependents[at]] == 0) ready.push_back(dependents[at]);
    }
  }
  return ordered != count;
}

void CheckCycles(const std::vector<Workstream>& workstreams, const std::vector<std::string>& ids,
                 const IdIndex& index, Diagnostics* diagnostics) {
  // Self-dependencies are reported on their own; left in, a self-loop would
  // stand for its whole component and hide a longer cycle through the node.
  // Unknown ids are left out (reported above), repeated ones kept once.
  std::vector<std::vector<int>> dependencies(workstreams.size());
  for (size_t node = 0; node < workstreams.size(); ++node) {
    for (const std::string& dependency : workstreams[node].depends_on) {
      const int found = index.Find(dependency, ids);
      if (found < 0 || found == static_cast<int>(node)) continue;
      std::vector<int>& edges = dependencies[node];
      if (std::find(edges.begin(), edges.end(), found) == edges.end()) edges.push_back(found);
    }
  }
  if (!HasCycle(dependencies)) return;
  const Graph graph(ids, dependencies);
  for (const std::vector<std::string>& cycle : graph.FindCycles()) {
    const Workstream& first = workstreams[graph.IndexOf(cycle.front())];
    diagnostics->Error(first.file, first.line, first.column,
                       fmt::format("dependency cycle: {}", fmt::join(cycle, " -> ")),
                       "remove one of these depends_on entries");
  }
}

/// Where [tracks] put a workstream, and which entry said so.
struct TrackAssignment {
  std::string track;
  const TrackEntry* entry;
};

/// Matches every [tracks] name to an id; reports names matching no or several
/// ids and ids put in two tracks.
std::map<std::string, TrackAssignment> ResolveTracks(const Config& config,
                                                     const std::vector<std::string>& ids,
                                                     Diagnostics* diagnostics) {
  std::map<std::string, TrackAssignment> assignments;
  const std::string file = ConfigFile(config);
  for (const TrackEntry& entry : config.tracks) {
    for (const std::string& name : entry.names) {
      std::string id;
      std::vector<std::string> candidates;
      if (!MatchTrackName(name, ids, &id, &candidates)) {
        if (candidates.empty()) {
          diagnostics->Error(file, entry.line, entry.column,
                             "track '" + entry.track + "': '" + name + "' matches no workstream",
                             fmt::format("nearest ids: {}", fmt::join(NearestTrackIds(name, ids), ", ")));
        } else {
          diagnostics->Error(file, entry.line, entry.column,
                             fmt::format("track '{}': '{}' matches several workstreams: {}", entry.track, name,
                                         fmt::join(candidates, ", ")),
                             "write the full id");
        }
        continue;
      }
      auto [assigned, inserted] = assignments.emplace(id, TrackAssignment{entry.track, &entry});
      if (!inserted && assigned->second.track != entry.track) {
        diagnostics->Error(file, entry.line, entry.column,
                           "workstream '" + id + "' is in two tracks: '" +
                               assigned->second.track + "' and '" + entry.track + "'",
                           "list it in one track only");
      }
    }
  }
  return assignments;
}

void AssignTracks(const Config& config, std::vector<Workstream>* workstreams,
                  const std::vector<std::string>& ids, Diagnostics* diagnostics) {
  const std::map<std::string, TrackAssignment> assignments = ResolveTracks(config, ids, diagnostics);
  for (Workstream& workstream : *workstreams) {
    auto assigned = assignments.find(workstream.id);
    if (assigned == assignments.end()) continue;
    const TrackAssignment& assignment = assigned->second;
    if (workstream.track.empty()) {
      workstream.track = assignment.track;
    } else if (workstream.track != assignment.track) {
      diagnostics->Error(workstream.file, workstream.line, workstream.column,
                         workstream.id + " sets track '" + workstream.track + "' but [tracks] in " +
                             Position(ConfigFile(config), assignment.entry->line,
                                      assignment.entry->column) +
                             " puts it in '" + assignment.track + "'",
                         "keep one of the two");
    }
  }
}

/// Reports tracks with work but no agent; returns them so the per-workstream
/// check does not repeat the same problem for each of their workstreams.
std::set<std::string> CheckTrackAgents(const Config& config,
                                       const std::vector<Workstream>& workstreams,
                                       Diagnostics* diagnostics) {
  std::map<std::string, std::vector<const Workstream*>> by_track;
  for (const Workstream& workstream : workstreams) {
    if (!workstream.track.empty()) by_track[workstream.track].push_back(&workstream);
  }
  std::set<std::string> unserved;
  for (const auto& group : by_track) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const std::string& track = group.first;
    const std::vector<const Workstream*>& members = group.second;
    const bool served = std::any_of(config.agents.begin(), config.agents.end(),
                                    [&](const AgentConfig& agent) { return agent.track == track; });
    if (served) continue;
    unserved.insert(track);
    std::string file = members.front()->file;
    int line = members.front()->line, column = members.front()->column;
    for (const TrackEntry& entry : config.tracks) {
      if (entry.track != track) continue;
      file = ConfigFile(config);
      line = entry.line;
      column = entry.column;
      break;
    }
    const size_t count = members.size();
    diagnostics->Error(file, line, column,
                       "track '" + track + "' has " + std::to_string(count) +
                           (count == 1 ? " workstream" : " workstreams") +
                           " but no agent is bound to it",
                       "add an [[agents]] entry with track = \"" + track + "\"");
  }
  for (const AgentConfig& agent : config.agents) {
    if (agent.track.empty() || by_track.count(agent.track)) continue;
    diagnostics->Warning(ConfigFile(config), agent.line, agent.line > 0 ? 1 : 0,
                         "agent '" + agent.id + "' is bound to track '" + agent.track +
                             "', which has no workstreams",
                         "check the track name; the agent still runs untracked work");
  }
  return unserved;
}

std::string TypesOf(const std::vector<const AgentConfig*>& agents) {
  std::set<std::string> types;
  for (const AgentConfig* agent : agents) types.insert(agent->type);
  return fmt::format("{}", fmt::join(types, ", "));
}

/// Says why no agent can run `workstream`, narrowing the pool the way
/// AgentCanRun does: track first, then the `agent` type, then the tool.
void ReportUnrunnable(const Config& config, const Workstream& workstream,
                      Diagnostics* diagnostics) {
  std::vector<const AgentConfig*> pool;
  for (const AgentConfig& agent : config.agents) {
    if (workstream.track.empty() || agent.track == workstream.track) pool.push_back(&agent);
  }
  const std::string agents_named =
      workstream.track.empty() ? "the agents" : "the agents of track '" + workstream.track + "'";
  const std::string track_clause =
      workstream.track.empty() ? "" : " and track = \"" + workstream.track + "\"";
  const bool type_available =
      workstream.agent_type.empty() ||
      std::any_of(pool.begin(), pool.end(),
                  [&](const AgentConfig* agent) { return agent->type == workstream.agent_type; });
  if (!type_available) {
    diagnostics->Error(workstream.file, workstream.line, workstream.column,
                       workstream.id + " requires agent type '" + workstream.agent_type + "' but " +
                           agents_named + " are of type " + TypesOf(pool),
                       "add an [[agents]] entry with type = \"" + workstream.agent_type + "\"" +
                           track_clause + ", or change its agent field");
    return;
  }
  diagnostics->Error(workstream.file, workstream.line, workstream.column,
                     workstream.id + " names tool '" + workstream.tool +
                         "' and honor_tool is on, but " + agents_named + " are of type " +
                         TypesOf(pool),
                     "add an [[agents]] entry with type = \"" + workstream.tool + "\"" +
                         track_clause + ", or set honor_tool = false");
}

void CheckAgents(const Config& config, const std::vector<Workstream>& workstreams,
                 Diagnostics* diagnostics) {
  // Without agents nothing can be matched; CheckAgentsConfigured says so. An
  // unparsed config's agents and tracks are unknown: its own error says why.
  if (workstreams.empty() || config.agents.empty() || !config.file_parsed) return;
  const std::set<std::string> unserved_tracks = CheckTrackAgents(config, workstreams, diagnostics);
  for (const Workstream& workstream : workstreams) {
    if (unserved_tracks.count(workstream.track)) continue;
    const bool runnable =
        std::any_of(config.agents.begin(), config.agents.end(),
                    [&](const AgentConfig& agent) { return AgentCanRun(config, agent, workstream); });
    if (!runnable) ReportUnrunnable(config, workstream, diagnostics);
  }
}

void ApplyDefaults(const Config& config, std::vector<Workstream>* workstreams) {
  for (Workstream& workstream : *workstreams) {
    if (!workstream.estimate_hours) {
      workstream.estimate_hours = config.estimate_hours;
      workstream.estimate_source = EstimateSource::kDefault;
    }
    if (!workstream.timeout_seconds) workstream.timeout_seconds = config.timeout_seconds;
    if (!workstream.max_attempts) workstream.max_attempts = config.max_attempts;
  }
}

}  // namespace

bool ValidateProject(const Config& config, std::vector<Workstream>* workstreams, Diagnostics* diagnostics,
                     const std::vector<std::string>& unloaded_ids) {
  const int errors_before = diagnostics->ErrorCount();
  RemoveDuplicateIds(workstreams, diagnostics);
  std::vector<std::string> ids;
  ids.reserve(workstreams->size());
  for (const Workstream& workstream : *workstreams) ids.push_back(workstream.id);
  CheckIds(*workstreams, diagnostics);
  const IdIndex index(ids);
  CheckDependencies(*workstreams, ids, index, unloaded_ids, diagnostics);
  CheckCycles(*workstreams, ids, index, diagnostics);
  AssignTracks(config, workstreams, ids, diagnostics);
  CheckAgents(config, *workstreams, diagnostics);
  ApplyDefaults(config, workstreams);
  return diagnostics->ErrorCount() == errors_before;
}

bool CheckAgentsConfigured(const Config& config, const std::vector<Workstream>& workstreams,
                           Severity severity, Diagnostics* diagnostics) {
  // A config that could not be parsed has its own error; its agents are unknown.
  if (workstreams.empty() || !config.agents.empty() || !config.file_parsed) return true;
  if (severity == Severity::kWarning) {
    diagnostics->Warning(ConfigFile(config), 0, 0,
                         "no agents configured: `orchestra run` will need [[agents]] in "
                         "orchestra.toml or --agents N");
    return true;
  }
  diagnostics->Error(ConfigFile(config), 0, 0,
                     "no agents configured: add [[agents]] to orchestra.toml or pass --agents N");
  return false;
}

bool CheckAgentTypes(const Config& config, Diagnostics* diagnostics) {
  const std::string file = ConfigFile(config);
  bool ok = true;
  for (const AgentConfig& agent : config.agents) {
    auto found = config.agent_types.find(agent.type);
    if (found == config.agent_types.end()) continue;  // the config loader reports it
    const AgentType& type = found->second;
    const AgentKind* kind = FindAgentKind(type.kind);
    if (kind == nullptr) continue;  // likewise
    std::vector<AgentTypeProblem> problems;
    kind->Check(type, &problems);
    for (const AgentTypeProblem& problem : problems) {
      diagnostics->Error(file, agent.line, 1, problem.message, problem.hint);
      ok = false;
    }
  }
  for (const Route& route : config.routes) {
    const AgentType* type = config.TypeOf(route);
    const AgentKind* kind = type == nullptr ? nullptr : FindAgentKind(type->kind);
    if (kind == nullptr) continue;  // the config loader reports it
    std::vector<AgentTypeProblem> problems;
    kind->Check(*type, &problems);
    for (const AgentTypeProblem& problem : problems) {
      diagnostics->Error(file, route.line, route.column, "route " + route.Patterns() + ": " + problem.message,
                         problem.hint);
      ok = false;
    }
  }
  return ok;
}

bool MatchTrackName(const std::string& name, const std::vector<std::string>& ids,
                    std::string* match, std::vector<std::string>* candidates) {
  candidates->clear();
  if (std::find(ids.begin(), ids.end(), name) != ids.end()) {
    *match = name;
    return true;
  }
  // The '-' keeps "ws-2" from matching "ws-22-...".
  const std::string prefix = name + "-";
  for (const std::string& id : ids) {
    if (id.starts_with(prefix)) candidates->push_back(id);
  }
  if (candidates->size() != 1) return false;
  *match = candidates->front();
  candidates->clear();
  return true;
}

std::string NearestId(const std::string& name, const std::vector<std::string>& ids) {
  // A short name for a long id ("ws-22" for "ws-22-pipeline-plus-...") is the
  // likeliest mistake, and edit distance alone would never find it.
  std::string match;
  std::vector<std::string> candidates;
  if (MatchTrackName(name, ids, &match, &candidates)) return match;
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  std::string nearest;
  size_t nearest_distance = limit + 1;
  for (const std::string& id : ids) {
    const size_t distance = EditDistance(name, id);
    if (distance < nearest_distance) {
      nearest = id;
      nearest_distance = distance;
    }
  }
  return nearest;
}

bool AgentCanRun(const Config& config, const AgentConfig& agent, const Workstream& workstream) {
  const bool track_fits = workstream.track.empty() || agent.track == workstream.track;
  const bool type_fits = workstream.agent_type.empty() || agent.type == workstream.agent_type;
  const bool tool_fits = !config.honor_tool || workstream.tool.empty() || agent.type == workstream.tool;
  return track_fits && type_fits && tool_fits;
}

}  // namespace orchestra
