// The scheduler: decides which workstream runs next on which agent. Pure logic
// over the graph: no processes, no clock, no database. The executor reports
// what happened (an attempt finished, a retry delay ran out) and asks for work.
#pragma once

#include <array>
#include <set>
#include <string>
#include <vector>

#include "graph.h"

namespace orchestra {

/// The scheduler's view of one workstream's state.
enum class SchedulingState {
  kExcluded,   // not selected for this run
  kWaiting,    // some dependency has not completed
  kReady,      // may start as soon as an eligible agent is idle
  kRunning,    // an attempt is in progress
  kRetryWait,  // failed; waiting out its backoff before it is ready again
  kCompleted,
  kFailed,     // out of attempts
  kBlocked,    // a dependency failed (transitively)
};

/// What the scheduler needs to know of each workstream and agent. Index i of
/// each per-workstream vector is graph node i.
struct SchedulingInputs {
  std::vector<int> priorities;                 // higher first
  std::vector<double> estimates;               // hours, for critical-path order
  std::vector<int> max_attempts;               // failures allowed before `failed`
  std::vector<std::string> agent_ids;          // the pool
  std::vector<std::vector<bool>> eligible;     // eligible[agent][workstream]
  /// Optional: pairs that must never run at the same time (overlapping file
  /// scopes); conflicts[w] lists the workstreams w excludes. Empty: none.
  std::vector<std::vector<int>> conflicts;
  /// Optional: a planner's order (lower first) replacing the default order
  /// among ready workstreams. Empty: priority, bottom level, id.
  std::vector<int> rank;
  /// Optional: the group of each agent (its agent type), for SetGroupLimit.
  /// Empty: every agent in group 0.
  std::vector<int> agent_groups;
  /// Optional: per workstream, the group of the type it runs with whatever
  /// agent takes it (a route), or -1 for the agent's own group. Empty: all -1.
  std::vector<int> workstream_groups;
};

/// One decision: start `attempt` of `workstream` on `agent`.
struct Assignment {
  int workstream = -1;
  int agent = -1;
  int attempt = 0;  // 1-based, counting every attempt since the last reset
};

/// What an attempt's end did to the graph.
struct FinishResult {
  enum class Outcome { kCompleted, kRetry, kFailed, kRequeued } outcome = Outcome::kCompleted;
  int failures = 0;          // failures so far, this one included
  std::vector<int> blocked;  // dependents that became blocked (outcome kFailed)
};

/// Scheduler holds the state of a run as the graph sees it and picks work:
/// among the ready workstreams an idle agent may take, highest priority first,
/// then the longest remaining path to the end of the graph (critical path
/// first), then id (or a planner's rank when given). A workstream in conflict
/// with a running one waits. Each workstream is assigned to the idle eligible agent
/// with the fewest eligible workstreams overall, which keeps the agents that
/// can do more free for work only they can do.
class Scheduler {
 public:
  Scheduler(const Graph& graph, SchedulingInputs inputs);

  /// Restores stored state before `Begin`: `attempts` made since the last
  /// reset, of which `failures` failed.
  void RestoreCompleted(int workstream);
  void RestoreFailed(int workstream, int attempts, int failures);
  void RestoreBlocked(int workstream);
  void RestorePending(int workstream, int attempts, int failures);

  /// Limits the run to `targets` and everything they depend on; the rest is
  /// excluded. Without a call every workstream is selected.
  void Select(const std::vector<int>& targets);

  /// What `Begin` changed relative to the restored state, for the caller to record.
  struct BeginResult {
    std::vector<int> blocked;    // a dependency failed, but they were stored as pending
    std::vector<int> unblocked;  // stored as blocked, but no dependency has failed any more
  };

  /// Computes readiness after restoring: a workstream is blocked exactly when
  /// something it depends on (transitively) has failed.
  BeginResult Begin();

  /// Assigns ready workstreams to idle agents that may run them, best first.
  /// The returned workstreams are running; the agents are busy.
  std::vector<Assignment> Dispatch();

  /// An attempt ended. `succeeded` false counts as a failure: the workstream
  /// retries (kRetryWait) while failures < max_attempts and `retryable`, else
  /// fails and blocks its transitive dependents.
  FinishResult Finish(int workstream, bool succeeded, bool retryable = true);
  /// What Finish would return (outcome and failures; no `blocked`), changing
  /// nothing: a worker learns whether the shared state accepts an end before
  /// its scheduler takes it.
  FinishResult Preview(int workstream, bool succeeded, bool retryable = true) const;

  /// An attempt was stopped by us (interrupt, pause, abandoned): not counted as
  /// a failure; the workstream is ready again.
  FinishResult Requeue(int workstream);

  /// An attempt was turned away for now (the provider's rate limit): not a
  /// failure; the workstream waits (kRetryWait) until RetryDue.
  FinishResult Postpone(int workstream);

  /// How many more attempts the agents of `group` may start: -1 no limit, 0
  /// none for now (a pause, a rate, a concurrency cap; the caller lifts it).
  /// Each dispatch to the group uses one up. `lasting`: the limit will not lift
  /// during this run (the group's agents are out), so Finished() does not wait
  /// for them.
  void SetGroupLimit(int group, int starts_left, bool lasting = false);

  /// An attempt already in progress when the run began (continued from an
  /// orchestrator that stopped, docs/state.md): `workstream`, ready, runs on
  /// `agent`, idle, as if dispatched, without a new attempt number. False
  /// (nothing changes) when either is not free for it.
  bool Claim(int workstream, int agent);

  /// An assignment that could not even be recorded (the state was busy): as
  /// if it had never been dispatched, attempt number included.
  void Undispatch(int workstream);

  // Several workers share the plan (docs/state.md "Workers"): what the others
  // did, as the shared state shows it. None of these touches a workstream
  // running here.
  /// A waiting or ready workstream runs on another worker: it counts as
  /// running (Finished waits for it), with no agent here.
  void HoldElsewhere(int workstream);
  /// A workstream held elsewhere is free again (pending in the shared state):
  /// ready, or waiting for its dependencies.
  void ReleaseElsewhere(int workstream);
  /// A workstream not running here was completed elsewhere: its dependents may run.
  void CompleteElsewhere(int workstream);
  /// A workstream not running here failed (or was blocked) elsewhere: its
  /// dependents are blocked (returned), as after Finish.
  std::vector<int> FailElsewhere(int workstream, bool blocked);
  bool held_elsewhere(int workstream) const { return !elsewhere_.empty() && elsewhere_[workstream]; }

  /// A retrying workstream's backoff ran out: it is ready again.
  void RetryDue(int workstream);

  /// Replaces the planner's rank (a re-plan during the run). The ready set is
  /// rebuilt, since its order changes; nothing else does.
  void SetRank(std::vector<int> rank);
  const std::vector<int>& rank() const { return inputs_.rank; }

  /// True when nothing is running or waiting for a retry and no idle agent can
  /// take a ready workstream: the run cannot make further progress.
  bool Finished() const;

  SchedulingState state(int workstream) const { return states_[workstream]; }
  int attempts(int workstream) const { return attempts_[workstream]; }
  int failures(int workstream) const { return failures_[workstream]; }
  /// The agent running `workstream`, or -1.
  int agent_of(int workstream) const { return agent_of_[workstream]; }
  int running_count() const { return running_count_; }
  int CountIn(SchedulingState state) const;
  /// How many selected workstreams are in `state`, kept as states change (O(1)).
  int SelectedIn(SchedulingState state) const;
  /// Of the selected workstreams still waiting, ready, running or retrying:
  /// the sum of their estimates (hours), and the longest bottom level among
  /// them (0 when none). Kept as states change, for progress at every event.
  double UnfinishedHours() const { return unfinished_hours_; }
  double LongestUnfinishedPath() const;
  const std::vector<double>& bottom_levels() const { return bottom_levels_; }
  const std::string& agent_id(int agent) const { return inputs_.agent_ids[agent]; }
  int agent_count() const { return static_cast<int>(inputs_.agent_ids.size()); }

 private:
  /// Orders the ready set: priority, then bottom level, then id.
  struct ReadyOrder {
    const Scheduler* scheduler;
    bool operator()(int a, int b) const;
  };

  enum class Restored { kPending, kCompleted, kFailed, kBlocked };

  void MakeReadyIfDependenciesDone(int workstream);
  std::vector<int> BlockDependents(int workstream);
  int PickAgent(int workstream) const;
  /// The group an attempt of `workstream` on `agent` counts against.
  int GroupOf(int agent, int workstream) const;
  bool ConflictsWithRunning(int workstream) const;
  /// Every state change goes through here, keeping the counts below.
  void SetState(int workstream, SchedulingState state);
  /// Recounts the selected workstreams by state (after a selection).
  void CountSelected();
  double EstimateOf(int workstream) const;

  const Graph& graph_;
  SchedulingInputs inputs_;
  std::vector<double> bottom_levels_;
  std::vector<int> eligible_counts_;  // per agent
  std::vector<Restored> restored_;
  std::vector<bool> selected_;
  std::vector<SchedulingState> states_;
  std::vector<int> attempts_;
  std::vector<int> failures_;
  std::vector<int> agent_of_;
  std::vector<int> busy_with_;  // per agent: workstream or -1
  std::vector<int> group_starts_left_;  // per group: -1 no limit
  std::vector<bool> group_out_;         // per group: limited for the rest of the run
  std::set<int, ReadyOrder> ready_;
  int running_count_ = 0;
  std::vector<bool> elsewhere_;  // per workstream: running on another worker
  int elsewhere_count_ = 0;
  int retry_wait_count_ = 0;
  // Progress without a walk over every workstream:
  std::array<int, static_cast<size_t>(SchedulingState::kBlocked) + 1> selected_counts_{};
  double unfinished_hours_ = 0;
  std::vector<int> by_bottom_level_;           // nodes, longest bottom level first
  std::vector<int> position_by_bottom_level_;  // per node: its index in by_bottom_level_
  mutable size_t longest_cursor_ = 0;          // no unfinished node before it in by_bottom_level_
};

}  // namespace orchestra
