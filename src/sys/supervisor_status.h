// Supervisor status: how an agent run by orchestra-supervise ended, recorded by
// the supervisor once the attempt log is complete, and read by the
// orchestrator that started it, or by the one that resumed after it
// (docs/reliability.md). One "key=value" a line. Where the file system has
// user extended attributes (ext4, xfs, btrfs, tmpfs since Linux 6.6) it is the
// log's attribute `user.orchestra.status`: no inode, no folder entry, one
// atomic setxattr; elsewhere a status file beside the log (temporary file,
// rename). Neither is synced: it must survive the orchestrator's death, which
// the page cache does; after a power loss an attempt whose end was not yet
// committed to the state is requeued, as if its supervisor had died.
// No dependencies beyond libc: orchestra-supervise links this file.
#pragma once

#include <cstdint>
#include <string>

namespace orchestra {

/// SupervisorStatus is the content of one status file.
struct SupervisorStatus {
  int exit_code = -1;          // valid when term_signal == 0 and spawn_error is empty
  int term_signal = 0;         // the signal that ended the agent, 0 if it exited
  bool timed_out = false;      // stopped by the supervisor at timeout_seconds
  double timeout_seconds = 0;  // the limit it ran under (0: none)
  std::string spawn_error;     // set when the agent could not be started
  double started_at = 0;       // Unix time (seconds) of the agent's start...
  double ended_at = 0;         // ...and of its leader's exit
  int64_t output_bytes = 0;    // what the agent printed (before redaction and the cap)
  int64_t log_offset = 0;      // where the agent's output starts in the log
  int leftovers = 0;           // processes of the attempt still alive at the leader's exit, killed
  std::string containment;     // "cgroup" or "process group"

  double duration_seconds() const { return ended_at > started_at ? ended_at - started_at : 0; }
};

/// The status file of the attempt whose log is `log_path`: its name with
/// ".log" replaced by ".status" (or ".status" added).
std::string StatusPathFor(const std::string& log_path);

/// The extended attribute of the attempt log that holds the status.
inline constexpr const char* kStatusAttribute = "user.orchestra.status";

/// Records `status` for the attempt whose log is `log_path`: as the log's
/// attribute kStatusAttribute (one setxattr, atomic), or where the log takes
/// no attribute (a file system without them, no log: /dev/null), in the file
/// `status_path`, atomically (a temporary file beside it, renamed). Not
/// synced (see above). False with `*error` on failure.
bool WriteSupervisorStatus(const std::string& log_path, const std::string& status_path,
                           const SupervisorStatus& status, std::string* error);

/// Forgets a recorded status (the attribute of `log_path` and the file
/// `status_path`), so that a stale one never passes for a new process's end.
void ClearSupervisorStatus(const std::string& log_path, const std::string& status_path);

/// Reads the status recorded for the attempt whose log is `log_path`: the
/// log's attribute, else the file `status_path`. False when neither exists
/// (`*error` empty) or what exists cannot be read or parsed (`*error` says why).
bool ReadSupervisorStatus(const std::string& log_path, const std::string& status_path, SupervisorStatus* status,
                          std::string* error);

}  // namespace orchestra
