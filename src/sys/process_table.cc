#include "process_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>
#include <unordered_map>

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

std::vector<int> SystemProcessTable::KillWithEnvironment(const std::vector<std::string>& entries) {
  return KillProcessesWithEnvironment(entries);
}

std::vector<std::vector<int>> SystemProcessTable::FindWithEnvironment(const std::vector<std::string>& entries) {
  return FindProcessesWithEnvironment(entries);
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

// PF_KTHREAD in the flags of /proc/<pid>/stat: a kernel thread, which has no
// environment and never runs our programs.
constexpr unsigned long kKernelThreadFlag = 0x00200000;

// Reads /proc/<pid>/<name> through the open /proc folder `proc` into `buffer`,
// which is reused from call to call. Returns the bytes read, or -1 when the
// file cannot be opened (the process is gone, or not ours to read).
ssize_t ReadProcFile(int proc, int pid, const char* name, std::vector<char>* buffer) {
  char path[64];
  std::snprintf(path, sizeof path, "%d/%s", pid, name);
  const int fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  if (buffer->size() < 16384) buffer->resize(16384);
  size_t size = 0;
  for (;;) {
    if (size == buffer->size()) buffer->resize(2 * size);
    const ssize_t count = read(fd, buffer->data() + size, buffer->size() - size);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    size += static_cast<size_t>(count);
    // These files are generated whole: a read returns short only at their
    // end, so no second read is needed to see the end of the file.
    if (size < buffer->size()) break;
  }
  close(fd);
  return static_cast<ssize_t>(size);
}

// EnvironmentScan kills the processes whose environment holds one of its
// entries, over as many passes of /proc as it is asked for, remembering what
// it killed and which processes can hold no environment.
class EnvironmentScan {
 public:
  explicit EnvironmentScan(const std::vector<std::string>& entries)
      : found_(entries.size(), 0), self_(getpid()), own_group_(getpgrp()) {
    for (size_t i = 0; i < entries.size(); ++i) index_.emplace(entries[i], i);
  }

  // One pass over every process; returns how many it killed.
  int Pass() {
    DIR* dir = opendir("/proc");
    if (dir == nullptr) return 0;
    const int proc = dirfd(dir);
    int killed = 0;
    while (const dirent* entry = readdir(dir)) {
      // /proc lists processes (thread group leaders) only, never their threads.
      if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN) continue;
      const int pid = PidOf(entry->d_name);
      if (pid <= 1 || pid == self_ || killed_.count(pid) || settled_.count(pid)) continue;
      killed += Check(proc, pid);
    }
    closedir(dir);
    return killed;
  }

  // Looks again at the processes that showed an empty environment; returns
  // how many it killed.
  int Recheck() {
    const int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (proc < 0) return 0;
    int killed = 0;
    const std::set<int> uncertain = uncertain_;
    for (int pid : uncertain) killed += Check(proc, pid);
    close(proc);
    return killed;
  }

  bool HasUncertain() const { return !uncertain_.empty(); }
  const std::vector<int>& found() const { return found_; }

 private:
  static int PidOf(const char* name) {
    int pid = 0;
    for (const char* c = name; *c != '\0'; ++c) {
      if (*c < '0' || *c > '9' || pid > INT_MAX / 10 - 1) return 0;
      pid = pid * 10 + (*c - '0');
    }
    return pid;
  }

  // Reads the environment of `pid` and kills it when it holds an entry.
  // Returns 1 if it killed it.
  int Check(int proc, int pid) {
    const ssize_t size = ReadProcFile(proc, pid, "environ", &buffer_);
    uncertain_.erase(pid);
    if (size < 0) return 0;  // gone, or another user's
    if (size == 0) {
      // A kernel thread or a zombie has none; any other process may be in
      // the middle of an execve, its new environment not set up yet.
      if (HoldsNoEnvironment(proc, pid)) {
        settled_.insert(pid);
      } else {
        uncertain_.insert(pid);
      }
      return 0;
    }
    const char* data = buffer_.data();
    size_t start = 0;
    for (size_t end = 0; end <= static_cast<size_t>(size); ++end) {
      if (end < static_cast<size_t>(size) && data[end] != '\0') continue;
      const auto match = index_.find(std::string_view(data + start, end - start));
      start = end + 1;
      if (match == index_.end()) continue;
      killed_.insert(pid);
      ++found_[match->second];
      const pid_t group = getpgid(pid);
      if (group > 1 && group != own_group_) kill(-group, SIGKILL);
      kill(pid, SIGKILL);
      return 1;  // a process carries one attempt's key
    }
    return 0;
  }

  // True for a kernel thread or a zombie (or a process gone meanwhile).
  bool HoldsNoEnvironment(int proc, int pid) {
    const ssize_t size = ReadProcFile(proc, pid, "stat", &buffer_);
    if (size <= 0) return true;
    // The fields after the command name, which ends at the last ')':
    // state, ppid, pgrp, session, tty_nr, tpgid, flags.
    const std::string stat(buffer_.data(), static_cast<size_t>(size));
    const size_t name_end = stat.rfind(')');
    if (name_end == std::string::npos) return false;
    char state = 0;
    unsigned long flags = 0;
    if (std::sscanf(stat.c_str() + name_end + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2) return false;
    return state == 'Z' || state == 'X' || (flags & kKernelThreadFlag) != 0;
  }

  std::unordered_map<std::string_view, size_t> index_;  // entry -> its place in found_
  std::vector<int> found_;
  std::set<int> killed_;     // processes sent SIGKILL
  std::set<int> settled_;    // kernel threads and zombies: nothing to read
  std::set<int> uncertain_;  // showed an empty environment: maybe mid-execve
  std::vector<char> buffer_;
  const int self_;
  const pid_t own_group_;
};

}  // namespace

std::vector<int> KillProcessesWithEnvironment(const std::vector<std::string>& entries) {
  EnvironmentScan scan(entries);
  if (entries.empty()) return scan.found();
  // One may fork while we scan, its child landing where the pass has been:
  // scan again until a pass finds nothing new (at least twice, at most ten times).
  for (int pass = 0; pass < 10; ++pass) {
    if (scan.Pass() == 0 && pass > 0) break;
  }
  // A process in the middle of execve shows no environment for a moment:
  // those are looked at again, a little later, a few times. A process that
  // shows one, found late, may have forked: then a whole pass again.
  for (int round = 0; round < 5 && scan.HasUncertain(); ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (scan.Recheck() > 0) scan.Pass();
  }
  return scan.found();
}

int KillProcessesWithEnvironment(const std::string& entry) {
  return KillProcessesWithEnvironment(std::vector<std::string>{entry})[0];
}

std::vector<std::vector<int>> FindProcessesWithEnvironment(const std::vector<std::string>& entries) {
  std::vector<std::vector<int>> found(entries.size());
  if (entries.empty()) return found;
  std::unordered_map<std::string_view, size_t> index;
  for (size_t at = 0; at < entries.size(); ++at) index.emplace(entries[at], at);
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return found;
  const int proc = dirfd(dir);
  const int self = getpid();
  std::vector<char> buffer;
  while (const dirent* item = readdir(dir)) {
    int pid = 0;
    for (const char* c = item->d_name; *c != '\0' && pid >= 0; ++c) {
      pid = (*c < '0' || *c > '9' || pid > INT_MAX / 10 - 1) ? -1 : pid * 10 + (*c - '0');
    }
    if (pid <= 1 || pid == self) continue;
    const ssize_t size = ReadProcFile(proc, pid, "environ", &buffer);
    for (size_t start = 0, end = 0; size > 0 && end <= static_cast<size_t>(size); ++end) {
      if (end < static_cast<size_t>(size) && buffer[end] != '\0') continue;
      const auto match = index.find(std::string_view(buffer.data() + start, end - start));
      if (match != index.end()) {
        std::vector<int>& holders = found[match->second];
        if (holders.empty() || holders.back() != pid) holders.push_back(pid);
      }
      start = end + 1;
    }
  }
  closedir(dir);
  return found;
}

std::vector<int> FindProcessesWithEnvironment(const std::string& entry) {
  return FindProcessesWithEnvironment(std::vector<std::string>{entry})[0];
}

namespace {

// A scan waiting for, or running on, libuv's thread pool.
struct ScanWork {
  uv_work_t request;
  std::vector<std::string> entries;
  std::vector<int> found;
  ProcessTable::KillDone done;
};

}  // namespace

void SystemProcessTable::KillWithEnvironmentLater(std::vector<std::string> entries, KillDone done) {
  auto work = std::make_unique<ScanWork>();
  work->entries = std::move(entries);
  work->done = std::move(done);
  work->request.data = work.get();
  if (loop_ != nullptr &&
      uv_queue_work(
          loop_, &work->request,
          [](uv_work_t* request) {
            auto* scan = static_cast<ScanWork*>(request->data);
            scan->found = KillProcessesWithEnvironment(scan->entries);
          },
          [](uv_work_t* request, int) {
            std::unique_ptr<ScanWork> scan(static_cast<ScanWork*>(request->data));
            // Never cancelled; if it were, the scan is done here instead.
            if (scan->found.size() != scan->entries.size()) scan->found = KillProcessesWithEnvironment(scan->entries);
            scan->done(scan->found);
          }) == 0) {
    work.release();  // the after-work callback owns it now
    return;
  }
  work->done(KillProcessesWithEnvironment(work->entries));
}

}  // namespace orchestra
