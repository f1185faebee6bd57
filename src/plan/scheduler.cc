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
  by_bottom_level_.resize(graph.size());
  for (int node = 0; node < graph.size(); ++node) by_bottom_level_[node] = node;
  std::stable_sort(by_bottom_level_.begin(), by_bottom_level_.end(),
                   [this](int a, int b) { return bottom_levels_[a] > bottom_levels_[b]; });
  position_by_bottom_level_.resize(graph.size());
  for (int position = 0; position < graph.size(); ++position) position_by_bottom_level_[by_bottom_level_[position]] = position;
  CountSelected();
}

namespace {

/// Not completed, failed or blocked (nor excluded): what is left of the run.
bool Unfinished(SchedulingState state) {
  return state == SchedulingState::kWaiting || state == SchedulingState::kReady || state == SchedulingState::kRunning ||
         state == SchedulingState::kRetryWait;
}

}  // namespace

void Scheduler::SetState(int workstream, SchedulingState state) {
  const SchedulingState old = states_[workstream];
  states_[workstream] = state;
  if (!selected_[workstream]) return;
  --selected_counts_[static_cast<size_t>(old)];
  ++selected_counts_[static_cast<size_t>(state)];
  const bool was_unfinished = Unfinished(old);
  if (was_unfinished == Unfinished(state)) return;
  const double estimate = EstimateOf(workstream);
  unfinished_hours_ += was_unfinished ? -estimate : estimate;
  if (!was_unfinished) {
    longest_cursor_ = std::min(longest_cursor_, static_cast<size_t>(position_by_bottom_level_[workstream]));
  }
}

double Scheduler::EstimateOf(int workstream) const {
  return static_cast<size_t>(workstream) < inputs_.estimates.size() ? inputs_.estimates[workstream] : 0;
}

void Scheduler::CountSelected() {
  selected_counts_.fill(0);
  unfinished_hours_ = 0;
  longest_cursor_ = 0;
  for (int node = 0; node < graph_.size(); ++node) {
    if (!selected_[node]) continue;
    ++selected_counts_[static_cast<size_t>(states_[node])];
    if (Unfinished(states_[node])) unfinished_hours_ += EstimateOf(node);
  }
}

int Scheduler::SelectedIn(SchedulingState state) const { return selected_counts_[static_cast<size_t>(state)]; }

double Scheduler::LongestUnfinishedPath() const {
  // Nodes finish for good during a run; one that comes back moves the cursor back.
  while (longest_cursor_ < by_bottom_level_.size()) {
    const int node = by_bottom_level_[longest_cursor_];
    if (selected_[node] && Unfinished(states_[node])) return bottom_levels_[node];
    ++longest_cursor_;
  }
  return 0;
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
  CountSelected();
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
        SetState(node, SchedulingState::kCompleted);
        continue;
      case Restored::kFailed:
        SetState(node, SchedulingState::kFailed);
        continue;
      case Restored::kBlocked:
        if (!has_failed_dependency[node]) result.unblocked.push_back(node);
        break;
      case Restored::kPending:
        if (has_failed_dependency[node]) result.blocked.push_back(node);
        break;
    }
    if (has_failed_dependency[node]) {
      SetState(node, SchedulingState::kBlocked);
    } else if (!selected_[node]) {
      SetState(node, SchedulingState::kExcluded);
    } else {
      SetState(node, SchedulingState::kWaiting);
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
  SetState(workstream, SchedulingState::kReady);
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
    SetState(workstream, SchedulingState::kRunning);
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
    SetState(workstream, SchedulingState::kCompleted);
    result.outcome = FinishResult::Outcome::kCompleted;
    result.failures = failures_[workstream];
    for (int dependent : graph_.dependents(workstream)) MakeReadyIfDependenciesDone(dependent);
    return result;
  }
  result.failures = ++failures_[workstream];
  if (retryable && failures_[workstream] < inputs_.max_attempts[workstream]) {
    SetState(workstream, SchedulingState::kRetryWait);
    ++retry_wait_count_;
    result.outcome = FinishResult::Outcome::kRetry;
    return result;
  }
  SetState(workstream, SchedulingState::kFailed);
  result.outcome = FinishResult::Outcome::kFailed;
  result.blocked = BlockDependents(workstream);
  return result;
}

FinishResult Scheduler::Preview(int workstream, bool succeeded, bool retryable) const {
  FinishResult result;
  result.failures = failures_[workstream];
  if (succeeded) return result;
  ++result.failures;
  result.outcome = retryable && result.failures < inputs_.max_attempts[workstream] ? FinishResult::Outcome::kRetry
                                                                                   : FinishResult::Outcome::kFailed;
  return result;
}

FinishResult Scheduler::Postpone(int workstream) {
  busy_with_[agent_of_[workstream]] = -1;
  agent_of_[workstream] = -1;
  --running_count_;
  SetState(workstream, SchedulingState::kRetryWait);
  ++retry_wait_count_;
  FinishResult result;
  result.outcome = FinishResult::Outcome::kRetry;
  result.failures = failures_[workstream];
  return result;
}

bool Scheduler::Claim(int workstream, int agent) {
  if (workstream < 0 || workstream >= graph_.size() || agent < 0 || agent >= agent_count() ||
      states_[workstream] != SchedulingState::kReady || busy_with_[agent] != -1) {
    return false;
  }
  ready_.erase(workstream);
  states_[workstream] = SchedulingState::kRunning;
  agent_of_[workstream] = agent;
  busy_with_[agent] = workstream;
  ++running_count_;
  return true;
}

void Scheduler::Undispatch(int workstream) {
  Requeue(workstream);
  --attempts_[workstream];
}

FinishResult Scheduler::Requeue(int workstream) {
  busy_with_[agent_of_[workstream]] = -1;
  agent_of_[workstream] = -1;
  --running_count_;
  SetState(workstream, SchedulingState::kReady);
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
    SetState(dependent, SchedulingState::kBlocked);
    blocked.push_back(dependent);
  }
  return blocked;
}

void Scheduler::RetryDue(int workstream) {
  if (states_[workstream] != SchedulingState::kRetryWait) return;
  --retry_wait_count_;
  SetState(workstream, SchedulingState::kReady);
  ready_.insert(workstream);
}

void Scheduler::SetRank(std::vector<int> rank) {
  std::vector<int> ready(ready_.begin(), ready_.end());
  ready_.clear();  // its comparator reads the rank: empty it before the rank changes
  inputs_.rank = std::move(rank);
  ready_.insert(ready.begin(), ready.end());
}

void Scheduler::HoldElsewhere(int workstream) {
  const SchedulingState state = states_[workstream];
  if (state != SchedulingState::kWaiting && state != SchedulingState::kReady) return;
  if (elsewhere_.empty()) elsewhere_.assign(graph_.size(), false);
  ready_.erase(workstream);
  SetState(workstream, SchedulingState::kRunning);
  elsewhere_[workstream] = true;
  ++elsewhere_count_;
}

void Scheduler::ReleaseElsewhere(int workstream) {
  if (!held_elsewhere(workstream)) return;
  elsewhere_[workstream] = false;
  --elsewhere_count_;
  SetState(workstream, SchedulingState::kWaiting);
  MakeReadyIfDependenciesDone(workstream);
}

void Scheduler::CompleteElsewhere(int workstream) {
  const SchedulingState state = states_[workstream];
  const bool held = held_elsewhere(workstream);
  if (!held && state != SchedulingState::kWaiting && state != SchedulingState::kReady &&
      state != SchedulingState::kBlocked) {
    return;
  }
  if (held) {
    elsewhere_[workstream] = false;
    --elsewhere_count_;
  }
  ready_.erase(workstream);
  SetState(workstream, SchedulingState::kCompleted);
  for (int dependent : graph_.dependents(workstream)) MakeReadyIfDependenciesDone(dependent);
}

std::vector<int> Scheduler::FailElsewhere(int workstream, bool blocked) {
  const SchedulingState state = states_[workstream];
  const bool held = held_elsewhere(workstream);
  if (!held && state != SchedulingState::kWaiting && state != SchedulingState::kReady) return {};
  if (held) {
    elsewhere_[workstream] = false;
    --elsewhere_count_;
  }
  ready_.erase(workstream);
  SetState(workstream, blocked ? SchedulingState::kBlocked : SchedulingState::kFailed);
  return BlockDependents(workstream);
}

bool Scheduler::Finished() const {
  if (running_count_ > 0 || retry_wait_count_ > 0 || elsewhere_count_ > 0) return false;
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
