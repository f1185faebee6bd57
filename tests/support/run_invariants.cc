#include "run_invariants.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "cli_harness.h"
#include "orchestrator_lock.h"
#include "test_state.h"

namespace orchestra::testing {

namespace {

/// Rows of one query on the state (StateRows: the SQLite file, or the
/// project's database in the PostgreSQL pass); a failure becomes a violation.
std::vector<std::vector<std::string>> Rows(const std::string& state_path, const std::string& sql,
                                           std::vector<std::string>* violations) {
  std::vector<std::vector<std::string>> rows;
  std::string error;
  if (!StateRows(state_path, sql, &rows, &error)) violations->push_back("query failed: " + error);
  return rows;
}

void CheckState(const std::string& db, const InvariantOptions& options, std::vector<std::string>* violations) {
  // A SQLite file's own check; a PostgreSQL server checks its pages itself.
  const auto integrity = StateIsPostgres() ? std::vector<std::vector<std::string>>{{"ok"}}
                                           : Rows(db, "PRAGMA integrity_check", violations);
  if (integrity.size() != 1 || integrity[0][0] != "ok") {
    std::string said;
    for (const auto& row : integrity) said += row[0] + "; ";
    violations->push_back("PRAGMA integrity_check: " + said);
  }
  std::map<std::string, std::string> status;
  for (const auto& row : Rows(db, "SELECT workstream_id, status FROM workstream_status", violations)) {
    status[row[0]] = row[1];
  }
  // The audit trail: completed events, and the last start of each workstream.
  std::map<std::string, std::vector<long long>> completed_events;
  for (const auto& row :
       Rows(db, "SELECT workstream_id, id FROM execution_log WHERE event_type = 'completed' ORDER BY id", violations)) {
    completed_events[row[0]].push_back(std::stoll(row[1]));
  }
  std::map<std::string, long long> last_start;
  for (const auto& row : Rows(db,
                              "SELECT workstream_id, MAX(id) FROM execution_log WHERE event_type = 'started' "
                              "GROUP BY workstream_id",
                              violations)) {
    last_start[row[0]] = std::stoll(row[1]);
  }
  // The attempts of each workstream, oldest first.
  std::map<std::string, std::vector<std::string>> outcomes;
  for (const auto& row : Rows(db, "SELECT workstream_id, outcome FROM attempts ORDER BY id", violations)) {
    outcomes[row[0]].push_back(row[1]);
  }
  for (const auto& [id, state] : status) {
    const std::vector<long long>& completions = completed_events[id];
    if (completions.size() > 1) {
      violations->push_back(id + ": " + std::to_string(completions.size()) + " completed events in execution_log");
    }
    if (state == "completed" && completions.empty()) {
      violations->push_back(id + ": completed in workstream_status but no completed event in execution_log");
    }
    if (state != "completed" && !completions.empty()) {
      violations->push_back(id + ": a completed event in execution_log but workstream_status says " + state);
    }
    if (!completions.empty() && last_start.count(id) && last_start[id] > completions.front()) {
      violations->push_back(id + ": an attempt started after it completed (ran again)");
    }
    const std::vector<std::string>& tries = outcomes[id];
    const auto succeeded = static_cast<size_t>(std::count(tries.begin(), tries.end(), "succeeded"));
    if (state == "completed" && (succeeded != 1 || tries.back() != "succeeded")) {
      violations->push_back(id + ": completed, but " + std::to_string(succeeded) +
                            " succeeded attempt(s), the newest " + (tries.empty() ? "none" : tries.back()));
    }
    if (state != "completed" && succeeded != 0) {
      violations->push_back(id + ": " + state + " with a succeeded attempt");
    }
    if (state == "running") violations->push_back(id + ": still running in workstream_status");
    if (std::count(tries.begin(), tries.end(), "running") != 0) {
      violations->push_back(id + ": an attempt still running in attempts");
    }
    if (options.all_completed && state != "completed") violations->push_back(id + ": " + state + ", not completed");
  }
  for (const auto& row : Rows(db, "SELECT id FROM runs WHERE state = 'running'", violations)) {
    violations->push_back("run " + row[0] + " still recorded as running");
  }
}

/// True when a process holds the lock of `state_path` (in the PostgreSQL
/// pass, the advisory lock of the project's database); takes and drops it otherwise.
bool LockHeld(const std::string& state_path) {
  const std::string url = PostgresStateOfFile(state_path);
  if (!url.empty()) return OrchestratorLock::Holder(url).held;
  const int fd = open((state_path + ".lock").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;  // never created: nobody holds it
  const bool held = flock(fd, LOCK_EX | LOCK_NB) != 0;
  if (!held) flock(fd, LOCK_UN);
  close(fd);
  return held;
}

}  // namespace

std::vector<int> AgentProcessesOf(const std::string& state_path) {
  const std::string marker = "ORCHESTRA_ATTEMPT_KEY=" + state_path + "#";
  std::vector<int> found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || !ProcessAlive(static_cast<pid_t>(pid))) continue;
    std::ifstream environ("/proc/" + std::string(entry->d_name) + "/environ", std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
    std::istringstream entries(text);
    for (std::string variable; std::getline(entries, variable, '\0');) {
      if (variable.rfind(marker, 0) == 0) {
        found.push_back(static_cast<int>(pid));
        break;
      }
    }
  }
  closedir(proc);
  return found;
}

std::vector<std::string> RunInvariantViolations(const std::string& project_dir, const std::string& state_path,
                                                const InvariantOptions& options) {
  std::vector<std::string> violations;
  CheckState(state_path, options, &violations);
  for (int pid : AgentProcessesOf(state_path)) {
    violations.push_back("agent process " + std::to_string(pid) + " of " + project_dir + " is still alive");
  }
  if (LockHeld(state_path)) violations.push_back("the lock " + state_path + ".lock is still held");
  return violations;
}

}  // namespace orchestra::testing
