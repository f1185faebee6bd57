// WorkCoordinator: what an executor that is one of several workers sharing a
// PostgreSQL state (`orchestra worker`) does besides running agents. It claims
// each workstream before its attempt starts (the claim is the attempt's start),
// renews the leases of the attempts running here (the heartbeat), reclaims
// expired leases, reads what the other workers did, and records an attempt's
// end only under its fencing token. The executor calls it where it would call
// the store; docs/state.md "Workers" describes the protocol.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "process_table.h"
#include "state_store.h"

namespace orchestra {

/// Who this worker is and how it claims.
struct WorkerOptions {
  std::string worker_id;       // unique per process (host:pid:start time)
  double lease_seconds = 30;   // a claim lapses this long after its last renewal
  std::string track;           // claim only workstreams of this track (empty: any)
  bool records_run = false;    // `orchestra run` on a shared state: a runs row, pause requests apply
  std::string host;            // this host's name, as registered: whose dead workers it may take over
};

/// WorkCoordinator keeps this worker's claims: the fencing token of each
/// attempt it started. Not thread-safe; the executor's loop uses it.
class WorkCoordinator {
 public:
  WorkCoordinator(StateStore* store, WorkerOptions options);

  enum class ClaimResult { kClaimed, kTaken, kError };
  /// Claims `record.workstream_id` and starts its attempt: kClaimed with the
  /// attempt's id and number, kTaken when another worker has it (or the
  /// shared state does not find it ready), kError with `*error`.
  ClaimResult Claim(const AttemptRecord& record, int64_t* attempt_id, int* number, std::string* error);
  /// Records the end of an attempt claimed here, under its fencing token;
  /// `*rejected` when its lease was reclaimed meanwhile (nothing recorded but
  /// the rejection).
  bool Finish(int64_t attempt_id, const AttemptEnd& end, bool* rejected, std::string* error);
  /// Records the changes of an attempt claimed here, under its fencing token;
  /// `*rejected` (nothing recorded) when its lease was reclaimed meanwhile.
  bool RecordChanges(int64_t attempt_id, const std::string& head_commit, const std::string& out_of_scope_paths,
                     const std::string& message, bool* rejected, std::string* error);
  /// StateStore::MoveIntegration for an attempt claimed here, under its
  /// fencing token: the merge of a worker that lost its lease moves nothing.
  bool MoveIntegration(IntegrationMove move, MoveResult* result, std::string* error);
  /// Takes over the attempts left running by this host's dead workers (a
  /// registered pid that is gone, or another process's now; never a worker
  /// that may still run), so they are recovered here at once, their agents'
  /// work adopted or collected; fills `*taken` with their attempt ids.
  bool TakeOverDeadWorkers(ProcessTable* processes, std::vector<int64_t>* taken, std::string* error);
  /// The heartbeat: renews the leases of `running` (attempt ids), reclaims
  /// expired ones and reads every workstream's stored status. `*lost` lists
  /// the running attempts whose lease was reclaimed.
  bool Poll(const std::vector<int64_t>& running, std::vector<WorkstreamRecord>* records,
            std::vector<int64_t>* lost, std::string* error);
  /// How often to Poll: a third of the lease, at most every half second.
  double poll_seconds() const;
  const WorkerOptions& options() const { return options_; }

 private:
  /// The fencing token of `attempt_id`, claimed here; false (`*error`) when not.
  bool TokenOf(int64_t attempt_id, int64_t* token, std::string* error) const;

  StateStore* store_;
  WorkerOptions options_;
  std::map<int64_t, int64_t> tokens_;  // attempt id -> fencing token
};

}  // namespace orchestra
