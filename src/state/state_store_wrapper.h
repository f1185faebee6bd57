// StateStoreWrapper: a StateStore that forwards every call to another one, so
// a test overrides only the call it wants to fail or observe (LevelDB's
// EnvWrapper). Fault-injection tests of the executor and of recovery build on it.
#pragma once

#include "state_store.h"

namespace orchestra {

/// StateStoreWrapper forwards each call to `target`, which it does not own.
class StateStoreWrapper : public StateStore {
 public:
  explicit StateStoreWrapper(StateStore* target) : target_(target) {}

  bool SyncWorkstreams(const std::vector<std::pair<std::string, std::string>>& id_tracks, std::string* error) override {
    return target_->SyncWorkstreams(id_tracks, error);
  }
  bool LoadWorkstreams(std::vector<WorkstreamRecord>* records, std::string* error) override {
    return target_->LoadWorkstreams(records, error);
  }
  bool LoadAttempts(const std::string& workstream_id, std::vector<AttemptRecord>* attempts, std::string* error) override {
    return target_->LoadAttempts(workstream_id, attempts, error);
  }
  bool CountCompleted(int64_t* completed, std::string* error) override {
    return target_->CountCompleted(completed, error);
  }
  bool LoadAttemptUsage(std::vector<AttemptRecord>* attempts, std::string* error) override {
    return target_->LoadAttemptUsage(attempts, error);
  }
  bool LoadLog(const std::string& workstream_id, int limit, std::vector<LogEntry>* entries, std::string* error) override {
    return target_->LoadLog(workstream_id, limit, entries, error);
  }
  bool StartAttempt(const AttemptRecord& attempt, int64_t* attempt_id, std::string* error) override {
    return target_->StartAttempt(attempt, attempt_id, error);
  }
  bool RunningAttempts(std::vector<AttemptRecord>* attempts, std::string* error) override {
    return target_->RunningAttempts(attempts, error);
  }
  bool SetAttemptPid(int64_t attempt_id, int64_t pid, int64_t pid_start_time, std::string* error) override {
    return target_->SetAttemptPid(attempt_id, pid, pid_start_time, error);
  }
  bool RecordChanges(int64_t attempt_id, const std::string& head_commit, const std::string& out_of_scope_paths, const std::string& message, std::string* error) override {
    return target_->RecordChanges(attempt_id, head_commit, out_of_scope_paths, message, error);
  }
  bool RecordMerge(int64_t attempt_id, const std::string& merge_commit, const std::string& message, std::string* error) override {
    return target_->RecordMerge(attempt_id, merge_commit, message, error);
  }
  bool FinishAttempt(int64_t attempt_id, const AttemptEnd& end, std::string* error) override {
    return target_->FinishAttempt(attempt_id, end, error);
  }
  bool MarkBlocked(const std::vector<std::string>& workstream_ids, const std::string& reason, std::string* error) override {
    return target_->MarkBlocked(workstream_ids, reason, error);
  }
  bool ResetToPending(const std::vector<std::string>& workstream_ids, const std::string& event_type, const std::string& message, std::string* error) override {
    return target_->ResetToPending(workstream_ids, event_type, message, error);
  }
  bool AppendLog(const std::string& workstream_id, const std::string& agent_id, const std::string& event_type, const std::string& message, std::string* error) override {
    return target_->AppendLog(workstream_id, agent_id, event_type, message, error);
  }
  bool BeginRun(int64_t pid, int64_t* run_id, std::string* error) override {
    return target_->BeginRun(pid, run_id, error);
  }
  bool CloseCrashedRuns(std::string* error) override { return target_->CloseCrashedRuns(error); }
  bool EndRun(int64_t run_id, RunState state, std::string* error) override {
    return target_->EndRun(run_id, state, error);
  }
  bool LatestRun(RunRecord* run, bool* found, std::string* error) override {
    return target_->LatestRun(run, found, error);
  }
  bool RequestPause(std::string* error) override {
    return target_->RequestPause(error);
  }
  bool ResetAll(std::string* error) override {
    return target_->ResetAll(error);
  }

  bool BeginGroup(std::string* error) override { return target_->BeginGroup(error); }
  bool CommitGroup(std::string* error) override { return target_->CommitGroup(error); }

  bool LastCallWasBusy() const override { return target_->LastCallWasBusy(); }

  AttemptLogStore* attempt_logs() override { return target_->attempt_logs(); }

 protected:
  StateStore* target() const { return target_; }

  bool SubmitPlan(const std::vector<PlanEntry>& entries, int64_t* submission_id, PlanChanges* changes,
                  std::string* error) override {
    return target_->SubmitPlan(entries, submission_id, changes, error);
  }
  bool LoadPlan(std::vector<PlanEntry>* entries, int64_t* submission_id, std::string* error) override {
    return target_->LoadPlan(entries, submission_id, error);
  }
  bool LatestSubmission(int64_t* submission_id, std::string* error) override {
    return target_->LatestSubmission(submission_id, error);
  }
  bool RegisterWorker(const WorkerRecord& worker, std::string* error) override {
    return target_->RegisterWorker(worker, error);
  }
  bool LoadWorkers(std::vector<WorkerRecord>* workers, std::string* error) override {
    return target_->LoadWorkers(workers, error);
  }
  bool TakeOverAttempts(const std::string& from_worker, const std::string& to_worker, double lease_seconds,
                        std::vector<Claim>* taken, std::string* error) override {
    return target_->TakeOverAttempts(from_worker, to_worker, lease_seconds, taken, error);
  }
  bool ClaimWorkstream(const ClaimRequest& request, std::optional<Claim>* claim, std::string* error) override {
    return target_->ClaimWorkstream(request, claim, error);
  }
  bool RenewLeases(const std::string& worker_id, double lease_seconds, const std::vector<int64_t>& attempt_ids,
                   std::vector<int64_t>* lost, std::string* error) override {
    return target_->RenewLeases(worker_id, lease_seconds, attempt_ids, lost, error);
  }
  bool RecordClaimedChanges(int64_t attempt_id, int64_t fencing_token, const std::string& head_commit,
                            const std::string& out_of_scope_paths, const std::string& message, bool* rejected,
                            std::string* error) override {
    return target_->RecordClaimedChanges(attempt_id, fencing_token, head_commit, out_of_scope_paths, message, rejected,
                                         error);
  }
  bool FinishClaimedAttempt(int64_t attempt_id, int64_t fencing_token, const AttemptEnd& end, bool* rejected,
                            std::string* error) override {
    return target_->FinishClaimedAttempt(attempt_id, fencing_token, end, rejected, error);
  }
  bool ReclaimExpiredLeases(std::vector<std::string>* reclaimed, std::string* error) override {
    return target_->ReclaimExpiredLeases(reclaimed, error);
  }
  bool IntegrationHead(const std::string& branch, std::string* head, std::string* error) override {
    return target_->IntegrationHead(branch, head, error);
  }
  bool StartIntegration(const std::string& branch, const std::string& head, std::string* current,
                        std::string* error) override {
    return target_->StartIntegration(branch, head, current, error);
  }
  bool MoveIntegration(const IntegrationMove& move, MoveResult* result, std::string* error) override {
    return target_->MoveIntegration(move, result, error);
  }
  bool AdvanceIntegration(const std::string& branch, const std::string& old_head, const std::string& new_head,
                          const std::string& message, bool* moved, std::string* error) override {
    return target_->AdvanceIntegration(branch, old_head, new_head, message, moved, error);
  }
  bool TryLockMerges(bool* acquired, std::string* error) override { return target_->TryLockMerges(acquired, error); }
  bool UnlockMerges(std::string* error) override { return target_->UnlockMerges(error); }

 private:
  StateStore* target_;
};

}  // namespace orchestra
