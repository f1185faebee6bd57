#include "work_coordinator.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace orchestra {

WorkCoordinator::WorkCoordinator(StateStore* store, WorkerOptions options)
    : store_(store), options_(std::move(options)) {}

WorkCoordinator::ClaimResult WorkCoordinator::Claim(const AttemptRecord& record, int64_t* attempt_id, int* number,
                                                    std::string* error) {
  ClaimRequest request;
  request.worker_id = options_.worker_id;
  request.lease_seconds = options_.lease_seconds;
  request.track = options_.track;
  request.candidates = {record.workstream_id};
  request.attempt = record;
  std::optional<orchestra::Claim> claim;
  if (!store_->ClaimWorkstream(request, &claim, error)) return ClaimResult::kError;
  if (!claim) return ClaimResult::kTaken;
  tokens_[claim->attempt_id] = claim->fencing_token;
  *attempt_id = claim->attempt_id;
  *number = claim->attempt;
  return ClaimResult::kClaimed;
}

bool WorkCoordinator::TokenOf(int64_t attempt_id, int64_t* token, std::string* error) const {
  const auto found = tokens_.find(attempt_id);
  if (found == tokens_.end()) {
    *error = "attempt " + std::to_string(attempt_id) + " was not claimed by this worker";
    return false;
  }
  *token = found->second;
  return true;
}

bool WorkCoordinator::Finish(int64_t attempt_id, const AttemptEnd& end, bool* rejected, std::string* error) {
  int64_t token = 0;
  if (!TokenOf(attempt_id, &token, error) ||
      !store_->FinishClaimedAttempt(attempt_id, token, end, rejected, error)) {
    return false;
  }
  tokens_.erase(attempt_id);
  return true;
}

bool WorkCoordinator::RecordChanges(int64_t attempt_id, const std::string& head_commit,
                                    const std::string& out_of_scope_paths, const std::string& message, bool* rejected,
                                    std::string* error) {
  int64_t token = 0;
  return TokenOf(attempt_id, &token, error) &&
         store_->RecordClaimedChanges(attempt_id, token, head_commit, out_of_scope_paths, message, rejected, error);
}

bool WorkCoordinator::MoveIntegration(IntegrationMove move, MoveResult* result, std::string* error) {
  return TokenOf(move.attempt_id, &move.fencing_token, error) && store_->MoveIntegration(move, result, error);
}

bool WorkCoordinator::TakeOverDeadWorkers(ProcessTable* processes, std::vector<int64_t>* taken,
                                          std::string* error) {
  taken->clear();
  std::vector<WorkerRecord> workers;
  if (!store_->LoadWorkers(&workers, error)) return false;
  for (const WorkerRecord& worker : workers) {
    // Only this host's process table can say a worker is gone; a worker
    // registered without its start time cannot be told from a reused pid.
    if (worker.id == options_.worker_id || worker.host != options_.host || worker.pid_start_time == 0) continue;
    if (worker.pid > 0 && worker.pid <= INT32_MAX &&
        processes->StartTime(static_cast<int>(worker.pid)) == worker.pid_start_time) {
      continue;  // still running (perhaps stopped): its leases decide
    }
    std::vector<orchestra::Claim> claims;
    if (!store_->TakeOverAttempts(worker.id, options_.worker_id, options_.lease_seconds, &claims, error)) return false;
    for (const orchestra::Claim& claim : claims) {
      tokens_[claim.attempt_id] = claim.fencing_token;
      taken->push_back(claim.attempt_id);
    }
  }
  return true;
}

bool WorkCoordinator::Poll(const std::vector<int64_t>& running, std::vector<WorkstreamRecord>* records,
                           std::vector<int64_t>* lost, std::string* error) {
  std::vector<std::string> reclaimed;
  return store_->RenewLeases(options_.worker_id, options_.lease_seconds, running, lost, error) &&
         store_->ReclaimExpiredLeases(&reclaimed, error) && store_->LoadWorkstreams(records, error);
}

double WorkCoordinator::poll_seconds() const { return std::min(options_.lease_seconds / 3, 0.5); }

}  // namespace orchestra
