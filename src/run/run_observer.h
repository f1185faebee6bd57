// The event stream of a run: every state change, as it is recorded in the
// execution log, goes to the observers (the live display now; the dashboard
// later) together with a snapshot of the run's progress.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "state_store.h"

namespace orchestra {

/// One attempt in progress, for displays.
struct RunningAttempt {
  std::string workstream_id;
  std::string agent_id;
  int attempt = 0;
  double started_at = 0;  // seconds since the epoch
  std::string phase;      // "agent" or "acceptance"
};

/// RunProgress summarises a run at one moment.
struct RunProgress {
  int total = 0;  // workstreams in this run's selection
  int completed = 0;
  int failed = 0;
  int blocked = 0;
  int running = 0;
  int waiting = 0;  // pending: waiting for dependencies, an agent or a retry
  double eta_seconds = -1;  // -1 while unknown
  bool paused = false;
  bool stopping = false;
  bool budget_spent = false;        // budget_usd reached: nothing new starts
  std::optional<double> spent_usd;  // what attempts have cost, when any reported a cost
  /// Agent types whose dispatching waits out a provider's rate limit:
  /// "claude: rate-limited, resuming in 25s".
  std::vector<std::string> type_notes;
  std::vector<RunningAttempt> attempts;
};

/// RunObserver receives each event right after it is committed to the state.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void OnEvent(const LogEntry& event, const RunProgress& progress) = 0;
  /// Called about once a second while agents run, for elapsed-time displays.
  virtual void OnTick(const RunProgress& progress) { (void)progress; }
};

}  // namespace orchestra
