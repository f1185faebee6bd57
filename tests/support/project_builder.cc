#include "project_builder.h"

#include <sstream>

namespace orchestra::testing {

namespace {

const char kAgentScript[] = R"SH(#!/bin/sh
# Test agent: records its start and end, waits when held, fails on request.
dir=$(cd "$(dirname "$0")" && pwd)
id="$ORCHESTRA_WORKSTREAM_ID"
echo "start $id $ORCHESTRA_AGENT_ID $ORCHESTRA_ATTEMPT $(date +%s%N)" >> "$dir/events.log"
if [ -f "$dir/control/$id.hold" ]; then
  # Until the test releases it (at most 60 s, should the test be gone).
  for i in $(seq 6000); do [ -f "$dir/control/$id.release" ] && break; sleep 0.01; done
else
  sleep 0.2
fi
fails=0
[ -f "$dir/control/$id.fail" ] && fails=$(cat "$dir/control/$id.fail")
if [ "$ORCHESTRA_ATTEMPT" -le "$fails" ]; then
  echo "end $id $ORCHESTRA_AGENT_ID $ORCHESTRA_ATTEMPT $(date +%s%N) fail" >> "$dir/events.log"
  echo "agent: failing on purpose"
  exit 3
fi
echo "end $id $ORCHESTRA_AGENT_ID $ORCHESTRA_ATTEMPT $(date +%s%N) ok" >> "$dir/events.log"
)SH";

}  // namespace

TestProject::TestProject() {
  WriteFile(dir_ / "agent.sh", kAgentScript, true);
  WriteFile(dir_ / "events.log", "");
}

void TestProject::AddWorkstream(const std::string& id, const std::vector<std::string>& depends_on,
                                const std::string& extra) {
  std::string deps;
  for (const std::string& dependency : depends_on) deps += (deps.empty() ? "\"" : ", \"") + dependency + "\"";
  std::string text = "{\n  \"id\": \"" + id + "\",\n  \"tasks\": [\"do " + id + "\"],\n  \"depends_on\": [" +
                     deps + "]";
  if (!extra.empty()) text += ",\n  " + extra;
  text += "\n}\n";
  WriteFile(dir_ / ("workstreams/" + id + ".json"), text);
}

void TestProject::WriteConfig(const std::vector<std::pair<std::string, std::string>>& agents,
                              const std::string& extra) {
  std::string text =
      "[defaults]\nbackoff = \"0.1s\"\nkill_grace = \"1s\"\nmax_attempts = 3\n\n"
      "[agent_types.script]\nkind = \"command\"\nargv = [\"./agent.sh\", \"{id}\"]\n\n";
  for (const auto& [agent, track] : agents) {
    text += "[[agents]]\nid = \"" + agent + "\"\ntype = \"script\"\n";
    if (!track.empty()) text += "track = \"" + track + "\"\n";
    text += "\n";
  }
  text += extra;
  WriteFile(dir_ / "orchestra.toml", text);
}

void TestProject::Hold(const std::string& id) { WriteFile(dir_ / ("control/" + id + ".hold"), ""); }

void TestProject::Release(const std::string& id) {
  WriteFile(dir_ / ("control/" + id + ".release"), "");
}

void TestProject::SetFailures(const std::string& id, int failures) {
  WriteFile(dir_ / ("control/" + id + ".fail"), std::to_string(failures));
}

std::vector<AgentEvent> TestProject::Events() const {
  std::vector<AgentEvent> events;
  for (const std::string& line : ReadLines(dir_ / "events.log")) {
    std::istringstream in(line);
    AgentEvent event;
    in >> event.kind >> event.id >> event.agent >> event.attempt >> event.time_ns >> event.result;
    events.push_back(event);
  }
  return events;
}

std::map<std::string, std::string> TestProject::Statuses() const {
  std::map<std::string, std::string> statuses;
  CommandResult result = Sqlite3(StatePath(), "SELECT workstream_id, status FROM workstream_status");
  std::istringstream in(result.out);
  for (std::string line; std::getline(in, line);) {
    const size_t bar = line.find('|');
    if (bar != std::string::npos) statuses[line.substr(0, bar)] = line.substr(bar + 1);
  }
  return statuses;
}

std::string SimTrackConfig(const std::string& workstreams_dir, const Tracks& tracks,
                           const std::string& extra) {
  std::string text = "[paths]\nworkstreams = \"" + workstreams_dir + "\"\n\n";
  for (const auto& [track, names] : tracks) {
    text += "[[agents]]\nid = \"agent-" + track + "\"\ntype = \"sim\"\ntrack = \"" + track + "\"\n\n";
  }
  text += "[tracks]\n";
  for (const auto& [track, names] : tracks) {
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "\"" : ", \"") + name + "\"";
    text += track + " = [" + list + "]\n";
  }
  return text + "\n" + extra;
}

}  // namespace orchestra::testing
