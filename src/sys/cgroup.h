// Cgroups: where the machine allows it, each attempt's processes are kept in a
// cgroup v2 of their own, so that everything an agent started (even a daemon
// that left its session and cleared its environment) is found and killed with
// one write to cgroup.kill. Where it does not (no cgroup2 mount, a folder we
// may not write, a kernel without cgroup.kill), the process group and the
// attempt-key scan of the process table are what contain an attempt.
// No dependencies beyond libc: orchestra-supervise links this file.
#pragma once

#include <string>
#include <vector>

namespace orchestra {

/// The cgroup v2 folder this process is in (/proc/self/cgroup's "0::" line
/// under the cgroup2 mount found in /proc/self/mountinfo), when we may create
/// cgroups in it; else "" with `*why_not` saying what is missing.
std::string CgroupParentDir(std::string* why_not);

/// What contains an attempt here, as `run` says it: "cgroup v2 (<dir>, cgroup.kill)"
/// when a probe cgroup could be created (and removed) under CgroupParentDir and
/// has cgroup.kill, else "process group + attempt-key scan (<why not a cgroup>)".
/// `*cgroups` says which.
std::string DescribeContainment(bool* cgroups);

/// Removes the empty cgroups "<parent>/<prefix><pid>[-n]" whose process <pid>
/// is gone: what supervisors killed outright (SIGKILL) left behind. A live
/// supervisor's cgroup is never touched, and rmdir never removes a populated one.
void RemoveStaleCgroups(const std::string& parent, const std::string& prefix);

/// One cgroup made for one attempt, removed (once empty) by Remove.
class AttemptCgroup {
 public:
  /// Creates "<parent>/<name>" (or "<name>-2", ... when taken). False with
  /// `*error` when it cannot be created or lacks cgroup.kill (then nothing is left).
  bool Create(const std::string& parent, const std::string& name, std::string* error);
  const std::string& dir() const { return dir_; }
  bool created() const { return !dir_.empty(); }

  /// Moves process `pid` (0: the caller) into it.
  bool Join(int pid, std::string* error) const;
  /// The processes in it now.
  std::vector<int> Processes() const;
  /// Sends `signal_number` to every process in it (SIGTERM before the grace period).
  void Signal(int signal_number) const;
  /// SIGKILL to every process in it and every process that joins it meanwhile.
  bool Kill() const;
  /// Waits (at most `timeout_seconds`) until it is empty, then removes it.
  bool Remove(double timeout_seconds);

 private:
  std::string dir_;
};

}  // namespace orchestra
