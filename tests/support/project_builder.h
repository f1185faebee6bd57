// Builds small Orchestra projects in temporary folders for the integration
// tests: workstream files, an orchestra.toml, and an agent script that records
// when each attempt starts and ends.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli_harness.h"

namespace orchestra::testing {

/// One recorded agent event from events.log.
struct AgentEvent {
  std::string kind;  // "start" or "end"
  std::string id;
  std::string agent;
  int attempt = 0;
  long long time_ns = 0;
  std::string result;  // "ok" / "fail" for ends
};

/// TestProject is a project folder whose agents run `agent.sh`: each attempt
/// appends "start"/"end" lines to events.log, works 0.2 s, or when held waits
/// until the test releases it, and fails while its attempt number is at most
/// `control/<id>.fail`.
class TestProject {
 public:
  TestProject();
  const std::string& path() const { return dir_.path(); }
  std::string operator/(const std::string& relative) const { return dir_ / relative; }

  /// Adds workstreams/<id>.json with these dependencies and extra JSON fields
  /// (`extra` is inserted into the object, e.g. "\"track\": \"x\"").
  void AddWorkstream(const std::string& id, const std::vector<std::string>& depends_on,
                     const std::string& extra = "");
  /// Writes orchestra.toml: the script agent type, `agents` (id -> track, "" =
  /// untracked) and `extra` TOML appended.
  void WriteConfig(const std::vector<std::pair<std::string, std::string>>& agents,
                   const std::string& extra = "");
  /// Makes the attempts of `id` wait, once their "start" line is written,
  /// until Release(id): the test decides when they end, not a clock.
  void Hold(const std::string& id);
  void Release(const std::string& id);
  void SetFailures(const std::string& id, int failures);

  std::vector<AgentEvent> Events() const;
  std::string StatePath() const { return dir_ / ".state/orchestration.db"; }
  /// Status of each workstream from the state database.
  std::map<std::string, std::string> Statuses() const;

 private:
  TempDir dir_;
};

/// Track name -> the workstream names [tracks] lists for it.
using Tracks = std::map<std::string, std::vector<std::string>>;

/// orchestra.toml for the workstreams in `workstreams_dir`: one sim agent
/// "agent-<track>" per track, `tracks` as the [tracks] table, then `extra`.
std::string SimTrackConfig(const std::string& workstreams_dir, const Tracks& tracks,
                           const std::string& extra = "");

}  // namespace orchestra::testing
