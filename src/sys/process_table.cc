#include "process_table.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace orchestra {

void SignalGroup(int pgid, int signal_number) {
  if (pgid > 1) kill(-pgid, signal_number);
}

bool EnvironmentHolds(int pid, const std::string& entry) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  for (std::string item; std::getline(in, item, '\0');) {
    if (item == entry) return true;
  }
  return false;
}

int64_t SystemProcessTable::StartTime(int pid) { return ProcessStartTime(pid); }

bool SystemProcessTable::KillStaleGroup(int64_t pid, int64_t start_time) {
  return KillStaleProcessGroup(pid, start_time);
}

int SystemProcessTable::KillWithEnvironment(const std::string& entry) {
  return KillProcessesWithEnvironment(entry);
}

int64_t ProcessStartTime(int pid) {
  if (pid <= 0) return 0;
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  if (!file) return 0;
  std::stringstream contents;
  contents << file.rdbuf();
  const std::string stat = contents.str();
  // Field 2 is the command name in parentheses, and it may itself contain
  // spaces and ')'; the fields after the last ')' are plain numbers.
  const size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos) return 0;
  std::istringstream fields(stat.substr(name_end + 1));
  std::string field;
  for (int number = 3; number < 22; ++number) {
    if (!(fields >> field)) return 0;
  }
  int64_t start_time = 0;
  if (!(fields >> start_time)) return 0;
  return start_time;
}

// Safe against pid reuse: Linux does not hand out a pid while any process still
// uses it as its process group (or session) id. So a group `pid` that has
// members is still the group our leader created, even after the leader died;
// and a live process `pid` with another start time is a stranger, left alone.
bool KillStaleProcessGroup(int64_t pid, int64_t start_time) {
  if (pid <= 1 || pid > INT_MAX) return false;  // kill(0), kill(-1) hit far too much
  const int leader = static_cast<int>(pid);
  const int64_t leader_start_time = ProcessStartTime(leader);
  if (leader_start_time != 0) {
    if (leader_start_time != start_time) return false;
    SignalGroup(leader, SIGKILL);
    kill(leader, SIGKILL);  // in case it left its group
    return true;
  }
  if (kill(-leader, 0) != 0) return false;
  SignalGroup(leader, SIGKILL);
  return true;
}

namespace {

// One scan of /proc: SIGKILL to each process (and its group) whose
// environment holds `entry` and that is not in `killed` yet; adds them there.
int KillMatchingProcesses(const std::string& entry, std::set<int>* killed) {
  int found = 0;
  std::error_code error;
  for (const auto& process : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = process.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const int pid = std::stoi(name);
    if (pid <= 1 || pid == getpid() || killed->count(pid) || !EnvironmentHolds(pid, entry)) continue;
    killed->insert(pid);
    ++found;
    const pid_t group = getpgid(pid);
    if (group > 1 && group != getpgrp()) kill(-group, SIGKILL);
    kill(pid, SIGKILL);
  }
  return found;
}

}  // namespace

int KillProcessesWithEnvironment(const std::string& entry) {
  // A process in the middle of execve shows no environment for a moment, and
  // one may fork while we scan: scan again until a pass finds nothing new
  // (at least twice, at most ten times).
  std::set<int> killed;
  for (int pass = 0; pass < 10; ++pass) {
    const int found = KillMatchingProcesses(entry, &killed);
    if (pass > 0 && found == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return static_cast<int>(killed.size());
}

}  // namespace orchestra
