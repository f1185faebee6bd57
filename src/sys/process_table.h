// The process table: the processes of this machine, seen through /proc. On
// resume and at the end of each attempt, Orchestra finds what an attempt left
// running (by the start time of its leader, and by the attempt key in the
// environment) and kills it. Behind an interface so the executor's tests can
// count and fail these calls without scanning /proc.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

struct uv_loop_s;

namespace orchestra {

/// Signals the group `pgid` leads. ESRCH (nobody left) is a normal outcome, so
/// errors are ignored. The guard matters: kill(0) or kill(-1) would hit our own
/// group or every process we may signal.
void SignalGroup(int pgid, int signal_number);

/// ProcessTable looks up and kills processes of earlier or ended attempts.
class ProcessTable {
 public:
  virtual ~ProcessTable() = default;
  /// ProcessStartTime below.
  virtual int64_t StartTime(int pid) = 0;
  /// KillStaleProcessGroup below.
  virtual bool KillStaleGroup(int64_t pid, int64_t start_time) = 0;
  /// KillProcessesWithEnvironment below for all `entries` in one scan, on
  /// the caller's thread: how many processes matched each, in their order.
  virtual std::vector<int> KillWithEnvironment(const std::vector<std::string>& entries) = 0;
  /// Reports how many processes matched each of the entries, in their order.
  using KillDone = std::function<void(const std::vector<int>& found)>;
  /// KillProcessesWithEnvironment for all `entries` in one scan, off the
  /// caller's event loop where there is one: `done` runs on the loop's thread
  /// once every matching process has been sent SIGKILL (it may run before
  /// this returns, when the table has no loop to defer to).
  virtual void KillWithEnvironmentLater(std::vector<std::string> entries, KillDone done) = 0;
  /// FindProcessesWithEnvironment below for all `entries` in one pass.
  virtual std::vector<std::vector<int>> FindWithEnvironment(const std::vector<std::string>& entries) = 0;
};

/// SystemProcessTable is the real one, over /proc and kill(2). With a loop,
/// KillWithEnvironmentLater scans on libuv's thread pool and reports on the
/// loop (which it keeps alive meanwhile); without one it scans at once.
class SystemProcessTable : public ProcessTable {
 public:
  explicit SystemProcessTable(uv_loop_s* loop = nullptr) : loop_(loop) {}
  int64_t StartTime(int pid) override;
  bool KillStaleGroup(int64_t pid, int64_t start_time) override;
  std::vector<int> KillWithEnvironment(const std::vector<std::string>& entries) override;
  void KillWithEnvironmentLater(std::vector<std::string> entries, KillDone done) override;
  std::vector<std::vector<int>> FindWithEnvironment(const std::vector<std::string>& entries) override;

 private:
  uv_loop_s* loop_;
};

/// The start time of `pid` from /proc/<pid>/stat (clock ticks since boot), or 0
/// if there is no such process. With the pid it identifies a process uniquely.
int64_t ProcessStartTime(int pid);

/// True when /proc/<pid>/environ holds `entry` ("NAME=value") as one whole
/// item. A process shows the environment it was exec'd with.
bool EnvironmentHolds(int pid, const std::string& entry);

/// Kills the process group `pgid` (SIGKILL) if its leader `pid` is still the
/// process that started at `start_time`, or if the group has members left.
/// Returns true if something was killed.
bool KillStaleProcessGroup(int64_t pid, int64_t start_time);

/// The processes (other than this one) whose environment holds exactly
/// `entry`, in one pass of /proc; nothing is signalled. Finds a supervisor
/// whose pid the orchestrator died before recording.
std::vector<int> FindProcessesWithEnvironment(const std::string& entry);
/// The same for several entries in one pass: the holders of each, in order.
std::vector<std::vector<int>> FindProcessesWithEnvironment(const std::vector<std::string>& entries);

/// Kills (SIGKILL) every process whose environment holds exactly `entry`
/// ("KEY=VALUE"), and its process group. Agents inherit the entry, so this
/// reaches what an attempt started even after it left its process group
/// (setsid, daemons) or after the orchestrator died before recording a pid.
/// Returns how many processes matched.
int KillProcessesWithEnvironment(const std::string& entry);

/// The same for several entries in one scan of /proc (a process matches the
/// first entry it holds). Returns how many processes matched each entry.
/// Costs no sleep unless a process shows an empty environment that may be
/// an execve in progress; kernel threads and zombies are recognised.
std::vector<int> KillProcessesWithEnvironment(const std::vector<std::string>& entries);

}  // namespace orchestra
