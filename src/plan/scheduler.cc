#include "scheduler.h"

#include <algorithm>

namespace orchestra {

Scheduler::Scheduler(const Graph& graph, SchedulingInputs inputs)
    : graph_(graph),
      inputs_(std::move(inputs)),
      bottom_levels_(graph.BottomLevels(inputs_.estimates)),
      eligible_counts_(inputs_.agent_ids.size(), 0),
      restored_(graph.size(), Restored::kPending),
      selected_(graph.size(), true),
      states_(graph.size(), SchedulingState::kWaiting),
      attempts_(graph.size(), 0),
      failures_(graph.size(), 0),
      agent_of_(graph.size(), -1),
      busy_with_(inputs_.agent_ids.size(), -1),
      ready_(ReadyOrder{this}) {
  for (size_t agent = 0; agent < inputs_.agent_ids.size(); ++agent) {
    eligible_counts_[agent] = static_cast<int>(
        std::count(inputs_.eligible[agent].begin(), inputs_.eligible[agent].end(), true));
  }
  int groups = 1;
  for (int group : inputs_.agent_groups) groups = std::max(groups, group + 1);
  for (int group : inputs_.workstream_groups) groups = std::max(groups, group + 1);
  group_starts_left_.assign(groups, -1);
  group_out_.assign(groups, false);
}

int Scheduler::GroupOf(int agent, int workstream) const {
  if (!inputs_.workstream_groups.empty() && inputs_.workstream_groups[workstream] >= 0) {
    return inputs_.workstream_groups[workstream];
  }
  return inputs_.agent_groups.empty() ? 0 : inputs_.agent_groups[agent];
}

void Scheduler::SetGroupLimit(int group, int starts_left, bool lasting) {
  group_starts_left_[group] = starts_left;
  group_out_[group] = lasting && starts_left == 0;
}

bool Scheduler::ReadyOrder::operator()(int a, int b) const {
  const SchedulingInputs& inputs = scheduler->inputs_;
  if (!inputs.rank.empty()) {
    if (inputs.rank[a] != inputs.rank[b]) return inputs.rank[a] < inputs.rank[b];
    return a < b;
  }
  if (inputs.priorities[a] != inputs.priorities[b]) {
    return inputs.priorities[a] > inputs.priorities[b];
  }
  const std::vector<double>& bottom = scheduler->bottom_levels_;
  if (bottom[a] != bottom[b]) return bottom[a] > bottom[b];
  return scheduler->graph_.id(a) < scheduler->graph_.id(b);
}

void Scheduler::RestoreCompleted(int workstream) { restored_[workstream] = Restored::kCompleted; }

void Scheduler::RestoreFailed(int workstream, int attempts, int failures) {
  restored_[workstream] = Restored::kFailed;
  attempts_[workstream] = attempts;
  failures_[workstream] = failures;
}

void Scheduler::RestoreBlocked(int workstream) { restored_[workstream] = Restored::kBlocked; }

void Scheduler::RestorePending(int workstream, int attempts, int failures) {
  restored_[workstream] = Restored::kPending;
  attempts_[workstream] = attempts;
  failures_[workstream] = failures;
}

void Scheduler::Select(const std::vector<int>& targets) {
  std::fill(selected_.begin(), selected_.end(), false);
  for (int node : graph_.WithDependencies(targets)) selected_[node] = true;
}

Scheduler::BeginResult Scheduler::Begin() {
  BeginResult result;
  std::vector<bool> has_failed_dependency(graph_.size(), false);
  for (int node : graph_.TopologicalOrder()) {
    for (int dependency : graph_.dependencies(node)) {
      if (restored_[dependency] == Restored::kFailed || has_failed_dependency[dependency]) {
        has_failed_dependency[node] = true;
      }
    }
  }
  for (int node = 0; node < graph_.size(); ++node) {
    switch (restored_[node]) {
      case Restored::kCompleted:
        states_[node] = SchedulingState::kCompleted;
        continue;
      case Restored::kFailed:
        states_[node] = SchedulingState::kFailed;
        continue;
      case Restored::kBlocked:
        if (!has_failed_dependency[node]) result.unblocked.push_back(node);
        break;
      case Restored::kPending:
        if (has_failed_dependency[node]) result.blocked.push_back(node);
        break;
    }
    if (has_failed_dependency[node]) {
      states_[node] = SchedulingState::kBlocked;
    } else if (!selected_[node]) {
      states_[node] = SchedulingState::kExcluded;
    } else {
      states_[node] = SchedulingState::kWaiting;
    }
  }
  for (int node = 0; node < graph_.size(); ++node) MakeReadyIfDependenciesDone(node);
  return result;
}

void Scheduler::MakeReadyIfDependenciesDone(int workstream) {
  if (states_[workstream] != SchedulingState::kWaiting) return;
  for (int dependency : graph_.dependencies(workstream)) {
    if (states_[dependency] != SchedulingState::kCompleted) return;
  }
  states_[workstream] = SchedulingState::kReady;
  ready_.insert(workstream);
}

int Scheduler::PickAgent(int workstream) const {
  int best = -1;
  for (int agent = 0; agent < agent_count(); ++agent) {
    if (busy_with_[agent] >= 0 || !inputs_.eligible[agent][workstream]) continue;
    if (group_starts_left_[GroupOf(agent, workstream)] == 0) continue;
    if (best < 0 || eligible_counts_[agent] < eligible_counts_[best]) best = agent;
  }
  return best;
}

bool Scheduler::ConflictsWithRunning(int workstream) const {
  if (inputs_.conflicts.empty()) return false;
  for (int other : inputs_.conflicts[workstream]) {
    if (states_[other] == SchedulingState::kRunning) return true;
  }
  return false;
}

std::vector<Assignment> Scheduler::Dispatch() {
  std::vector<Assignment> assignments;
  int idle = agent_count() - running_count_;
  for (auto it = ready_.begin(); it != ready_.end() && idle > 0;) {
    const int workstream = *it;
    const int agent = ConflictsWithRunning(workstream) ? -1 : PickAgent(workstream);
    if (agent < 0) {
      ++it;
      continue;
    }
    it = ready_.erase(it);
    states_[workstream] = SchedulingState::kRunning;
    agent_of_[workstream] = agent;
    busy_with_[agent] = workstream;
    int& starts_left = group_starts_left_[GroupOf(agent, workstream)];
    if (starts_left > 0) --starts_left;
    ++running_count_;
    --idle;
    assignments.push_back({workstream, agent, ++attempts_[workstream]});
  }
  return assignments;
}

FinishResult Scheduler::Finish(int workstream, bool succeeded, bool retryable) {
  FinishResult result;
  busy_with_[agent_of_[workstream]] = -1;
  agent_of_[workstream] = -1;
  --running_count_;
  if (succeeded) {
    states_[workstream] = SchedulingState::kCompleted;
    result.outcome = FinishResult::Outcome::kCompleted;
    result.failures = failures_[workstream];
    for (int dependent : graph_.dependents(workstream)) MakeReadyIfDependenciesDone(dependent);
    return result;
  }
  result.failures = ++failures_[workstream];
  if (retryable && failures_[workstream] < inputs_.max_attempts[workstream]) {
    states_[workstream] = SchedulingState::kRetryWait;
    ++retry_wait_count_;
    result.outcome = FinishResult::Outcome::kRetry;
    return result;
  }
  states_[workstream] = SchedulingState::kFailed;
  result.outcome = FinishResult::Outcome::kFailed;
  result.blocked = BlockDependents(workstream);
  return result;
}

FinishResult Scheduler::Postpone(int workstream) {
  busy_with_[agent_of_[workstream]] = -1;
  agent_of_[workstream] = -1;
  --running_count_;
  states_[workstream] = SchedulingState::kRetryWait;
  ++retry_wait_count_;
  FinishResult result;
  result.outcome = FinishResult::Outcome::kRetry;
  result.failures = failures_[workstream];
  return result;
}

void Scheduler::Undispatch(int workstream) {
  Requeue(workstream);
  --attempts_[workstream];
}

FinishResult Scheduler::Requeue(int workstream) {
  busy_with_[agent_of_[workstream]] = -1;
  agent_of_[workstream] = -1;
  --running_count_;
  states_[workstream] = SchedulingState::kReady;
  ready_.insert(workstream);
  FinishResult result;
  result.outcome = FinishResult::Outcome::kRequeued;
  result.failures = failures_[workstream];
  return result;
}

std::vector<int> Scheduler::BlockDependents(int workstream) {
  std::vector<int> blocked;
  for (int dependent : graph_.TransitiveDependents(workstream)) {
    const SchedulingState state = states_[dependent];
    if (state != SchedulingState::kWaiting && state != SchedulingState::kExcluded) continue;
    states_[dependent] = SchedulingState::kBlocked;
    blocked.push_back(dependent);
  }
  return blocked;
}

void Scheduler::RetryDue(int workstream) {
  if (states_[workstream] != SchedulingState::kRetryWait) return;
  --retry_wait_count_;
  states_[workstream] = SchedulingState::kReady;
  ready_.insert(workstream);
}

void Scheduler::SetRank(std::vector<int> rank) {
  std::vector<int> ready(ready_.begin(), ready_.end());
  ready_.clear();  // its comparator reads the rank: empty it before the rank changes
  inputs_.rank = std::move(rank);
  ready_.insert(ready.begin(), ready.end());
}

bool Scheduler::Finished() const {
  if (running_count_ > 0 || retry_wait_count_ > 0) return false;
  for (int workstream : ready_) {
    for (int agent = 0; agent < agent_count(); ++agent) {
      if (inputs_.eligible[agent][workstream] && !group_out_[GroupOf(agent, workstream)]) return false;
    }
  }
  return true;
}

int Scheduler::CountIn(SchedulingState state) const {
  return static_cast<int>(std::count(states_.begin(), states_.end(), state));
}

}  // namespace orchestra
