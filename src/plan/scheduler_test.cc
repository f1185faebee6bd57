#include "scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>

namespace orchestra {
namespace {

struct Fixture {
  std::vector<Workstream> workstreams;
  Graph graph;
  SchedulingInputs inputs;

  Fixture(const std::vector<std::pair<std::string, std::vector<std::string>>>& spec, int agents)
      : workstreams(Build(spec)), graph(workstreams) {
    inputs.priorities.assign(workstreams.size(), 0);
    inputs.estimates.assign(workstreams.size(), 1.0);
    inputs.max_attempts.assign(workstreams.size(), 1);
    for (int agent = 0; agent < agents; ++agent) {
      inputs.agent_ids.push_back("agent-" + std::to_string(agent + 1));
      inputs.eligible.push_back(std::vector<bool>(workstreams.size(), true));
    }
  }

  static std::vector<Workstream> Build(
      const std::vector<std::pair<std::string, std::vector<std::string>>>& spec) {
    std::vector<Workstream> workstreams;
    for (const auto& [id, depends_on] : spec) {
      Workstream workstream;
      workstream.id = id;
      workstream.depends_on = depends_on;
      workstreams.push_back(workstream);
    }
    return workstreams;
  }

  int Node(const std::string& id) const { return graph.IndexOf(id); }
};

std::vector<std::string> Ids(const Fixture& fixture, const std::vector<Assignment>& assignments) {
  std::vector<std::string> ids;
  for (const Assignment& assignment : assignments) ids.push_back(fixture.graph.id(assignment.workstream));
  return ids;
}

TEST(SchedulerTest, DispatchesOnlyReadyWorkUpToTheAgentCount) {
  Fixture fixture({{"a", {}}, {"b", {}}, {"c", {}}, {"d", {"a"}}}, 2);
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  std::vector<Assignment> first = scheduler.Dispatch();
  EXPECT_EQ(Ids(fixture, first), (std::vector<std::string>{"a", "b"}));  // a leads a longer path
  EXPECT_TRUE(scheduler.Dispatch().empty());
  scheduler.Finish(first[0].workstream, true);
  EXPECT_EQ(Ids(fixture, scheduler.Dispatch()), (std::vector<std::string>{"c"}));  // ties by id
  scheduler.Finish(first[1].workstream, true);
  EXPECT_EQ(Ids(fixture, scheduler.Dispatch()), (std::vector<std::string>{"d"}));
}

TEST(SchedulerTest, WorkOfOtherWorkersIsHeldThenCompletedReleasedOrFailed) {
  Fixture fixture({{"a", {}}, {"b", {}}, {"c", {"a"}}, {"d", {"b"}}}, 1);
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  scheduler.HoldElsewhere(fixture.Node("a"));
  scheduler.HoldElsewhere(fixture.Node("b"));
  EXPECT_TRUE(scheduler.held_elsewhere(fixture.Node("a")));
  EXPECT_TRUE(scheduler.Dispatch().empty());
  EXPECT_FALSE(scheduler.Finished());  // another worker may yet free them
  scheduler.CompleteElsewhere(fixture.Node("a"));
  EXPECT_EQ(scheduler.state(fixture.Node("c")), SchedulingState::kReady);
  // b's lease was reclaimed: it is ready here again.
  scheduler.ReleaseElsewhere(fixture.Node("b"));
  EXPECT_EQ(Ids(fixture, scheduler.Dispatch()), (std::vector<std::string>{"b"}));
  scheduler.Finish(fixture.Node("b"), true);
  // c failed on another worker before this one took it.
  scheduler.HoldElsewhere(fixture.Node("c"));
  EXPECT_TRUE(scheduler.FailElsewhere(fixture.Node("c"), false).empty());
  EXPECT_EQ(scheduler.state(fixture.Node("c")), SchedulingState::kFailed);
  EXPECT_EQ(Ids(fixture, scheduler.Dispatch()), (std::vector<std::string>{"d"}));
  scheduler.Finish(fixture.Node("d"), true);
  EXPECT_TRUE(scheduler.Finished());
}

TEST(SchedulerTest, OrdersByPriorityThenCriticalPathThenId) {
  Fixture fixture({{"a", {}}, {"b", {}}, {"c", {}}, {"long", {}}, {"tail", {"long"}}}, 1);
  fixture.inputs.priorities[fixture.Node("c")] = 5;
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  std::vector<std::string> order;
  for (int step = 0; step < 5; ++step) {
    std::vector<Assignment> assignments = scheduler.Dispatch();
    ASSERT_EQ(assignments.size(), 1u);
    order.push_back(fixture.graph.id(assignments[0].workstream));
    scheduler.Finish(assignments[0].workstream, true);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"c", "long", "a", "b", "tail"}));
  EXPECT_TRUE(scheduler.Finished());
}

TEST(SchedulerTest, TrackBindingKeepsWorkOnEligibleAgentsAndPrefersSpecialists) {
  // agent-1 may run everything (tracked + untracked); agent-2 only untracked.
  Fixture fixture({{"tracked", {}}, {"untracked", {}}}, 2);
  fixture.inputs.eligible[1][fixture.Node("tracked")] = false;
  fixture.inputs.priorities[fixture.Node("untracked")] = 1;
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  std::vector<Assignment> assignments = scheduler.Dispatch();
  ASSERT_EQ(assignments.size(), 2u);
  // The untracked one goes first but to the specialist, leaving agent-1 for the tracked one.
  EXPECT_EQ(fixture.graph.id(assignments[0].workstream), "untracked");
  EXPECT_EQ(assignments[0].agent, 1);
  EXPECT_EQ(assignments[1].agent, 0);
}

TEST(SchedulerTest, RetriesUntilMaxAttemptsThenFailsAndBlocksTransitiveDependents) {
  Fixture fixture({{"a", {}}, {"b", {"a"}}, {"c", {"b"}}, {"other", {}}}, 1);
  fixture.inputs.max_attempts[fixture.Node("a")] = 2;
  fixture.inputs.priorities[fixture.Node("other")] = -1;
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  Assignment first = scheduler.Dispatch().at(0);
  EXPECT_EQ(first.attempt, 1);
  FinishResult retry = scheduler.Finish(first.workstream, false);
  EXPECT_EQ(retry.outcome, FinishResult::Outcome::kRetry);
  EXPECT_FALSE(scheduler.Finished());
  // While `a` waits out its backoff, other work proceeds.
  Assignment other = scheduler.Dispatch().at(0);
  EXPECT_EQ(fixture.graph.id(other.workstream), "other");
  scheduler.Finish(other.workstream, true);
  scheduler.RetryDue(first.workstream);
  Assignment second = scheduler.Dispatch().at(0);
  EXPECT_EQ(second.attempt, 2);
  FinishResult failed = scheduler.Finish(second.workstream, false);
  EXPECT_EQ(failed.outcome, FinishResult::Outcome::kFailed);
  EXPECT_EQ(failed.blocked, (std::vector<int>{fixture.Node("b"), fixture.Node("c")}));
  EXPECT_TRUE(scheduler.Finished());
  EXPECT_EQ(scheduler.CountIn(SchedulingState::kBlocked), 2);
  EXPECT_EQ(scheduler.CountIn(SchedulingState::kCompleted), 1);
}

TEST(SchedulerTest, RequeueDoesNotCountAsAFailure) {
  Fixture fixture({{"a", {}}}, 1);
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  Assignment first = scheduler.Dispatch().at(0);
  scheduler.Requeue(first.workstream);
  EXPECT_EQ(scheduler.failures(first.workstream), 0);
  Assignment second = scheduler.Dispatch().at(0);
  EXPECT_EQ(second.attempt, 2);
}

TEST(SchedulerTest, UndispatchIsAsIfNeverDispatched) {
  Fixture fixture({{"a", {}}}, 1);
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  Assignment first = scheduler.Dispatch().at(0);
  EXPECT_EQ(first.attempt, 1);
  scheduler.Undispatch(first.workstream);
  EXPECT_EQ(scheduler.state(first.workstream), SchedulingState::kReady);
  Assignment again = scheduler.Dispatch().at(0);
  EXPECT_EQ(again.workstream, first.workstream);
  EXPECT_EQ(again.attempt, 1);
  EXPECT_EQ(again.agent, first.agent);
}

TEST(SchedulerTest, RestoredStateResumesAndRecomputesBlocking) {
  Fixture fixture({{"done", {}}, {"bad", {}}, {"after-done", {"done"}}, {"after-bad", {"bad"}},
                   {"stale-blocked", {"done"}}},
                  2);
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.RestoreCompleted(fixture.Node("done"));
  scheduler.RestoreFailed(fixture.Node("bad"), 1, 1);
  scheduler.RestoreBlocked(fixture.Node("stale-blocked"));
  Scheduler::BeginResult begin = scheduler.Begin();
  EXPECT_EQ(begin.blocked, std::vector<int>{fixture.Node("after-bad")});
  EXPECT_EQ(begin.unblocked, std::vector<int>{fixture.Node("stale-blocked")});
  std::vector<std::string> started = Ids(fixture, scheduler.Dispatch());
  std::sort(started.begin(), started.end());
  EXPECT_EQ(started, (std::vector<std::string>{"after-done", "stale-blocked"}));
}

TEST(SchedulerTest, SelectionRunsTargetsAndTheirDependenciesOnly) {
  Fixture fixture({{"a", {}}, {"b", {"a"}}, {"c", {}}}, 3);
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Select({fixture.Node("b")});
  scheduler.Begin();
  EXPECT_EQ(Ids(fixture, scheduler.Dispatch()), std::vector<std::string>{"a"});
  EXPECT_EQ(scheduler.state(fixture.Node("c")), SchedulingState::kExcluded);
  scheduler.Finish(fixture.Node("a"), true);
  EXPECT_EQ(Ids(fixture, scheduler.Dispatch()), std::vector<std::string>{"b"});
  scheduler.Finish(fixture.Node("b"), true);
  EXPECT_TRUE(scheduler.Finished());
}

TEST(SchedulerTest, WorkNoAgentMayTakeEndsTheRun) {
  Fixture fixture({{"orphan", {}}}, 1);
  fixture.inputs.eligible[0][0] = false;
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  EXPECT_TRUE(scheduler.Dispatch().empty());
  EXPECT_TRUE(scheduler.Finished());
  EXPECT_EQ(scheduler.state(0), SchedulingState::kReady);
}

TEST(SchedulerTest, ConflictingWorkstreamsNeverRunTogether) {
  Fixture fixture({{"a", {}}, {"b", {}}, {"c", {}}}, 3);
  fixture.inputs.conflicts = {{1}, {0}, {}};  // a and b share files
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  EXPECT_EQ(Ids(fixture, scheduler.Dispatch()), (std::vector<std::string>{"a", "c"}));
  EXPECT_FALSE(scheduler.Finished());
  scheduler.Finish(fixture.Node("a"), true);
  EXPECT_EQ(Ids(fixture, scheduler.Dispatch()), std::vector<std::string>{"b"});
}

TEST(SchedulerTest, APlannersRankReplacesTheDefaultOrder) {
  Fixture fixture({{"a", {}}, {"b", {}}, {"c", {}}}, 1);
  fixture.inputs.rank = {2, 0, 1};
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  std::vector<std::string> order;
  for (int step = 0; step < 3; ++step) {
    Assignment assignment = scheduler.Dispatch().at(0);
    order.push_back(fixture.graph.id(assignment.workstream));
    scheduler.Finish(assignment.workstream, true);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"b", "c", "a"}));
}

TEST(SchedulerTest, SetRankReordersTheReadyWork) {
  Fixture fixture({{"a", {}}, {"b", {}}, {"c", {}}, {"d", {}}}, 1);
  fixture.inputs.rank = {0, 1, 2, 3};
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  Assignment first = scheduler.Dispatch().at(0);
  EXPECT_EQ(fixture.graph.id(first.workstream), "a");
  scheduler.SetRank({0, 3, 2, 1});  // d, then c, then b
  scheduler.Finish(first.workstream, true);
  std::vector<std::string> order;
  for (int step = 0; step < 3; ++step) {
    Assignment assignment = scheduler.Dispatch().at(0);
    order.push_back(fixture.graph.id(assignment.workstream));
    scheduler.Finish(assignment.workstream, true);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"d", "c", "b"}));
  EXPECT_TRUE(scheduler.Finished());
}

// Property: on random DAGs with random failures, the scheduler never exceeds
// the pool, never starts work before its dependencies completed, and ends with
// every workstream completed, failed or blocked.
// Also: Preview agrees with the Finish that follows it.
TEST(SchedulerTest, RandomGraphsRespectDependenciesAndPoolSize) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 200; ++trial) {
    const int count = 1 + static_cast<int>(random() % 30);
    std::vector<std::pair<std::string, std::vector<std::string>>> spec;
    for (int node = 0; node < count; ++node) {
      std::vector<std::string> depends_on;
      for (int earlier = 0; earlier < node; ++earlier) {
        if (random() % 5 == 0) depends_on.push_back("n" + std::to_string(earlier));
      }
      spec.push_back({"n" + std::to_string(node), depends_on});
    }
    const int agents = 1 + static_cast<int>(random() % 4);
    Fixture fixture(spec, agents);
    for (int& attempts : fixture.inputs.max_attempts) attempts = 1 + static_cast<int>(random() % 3);
    Scheduler scheduler(fixture.graph, fixture.inputs);
    scheduler.Begin();
    std::vector<int> running;
    while (true) {
      for (const Assignment& assignment : scheduler.Dispatch()) {
        for (int dependency : fixture.graph.dependencies(assignment.workstream)) {
          ASSERT_EQ(scheduler.state(dependency), SchedulingState::kCompleted);
        }
        running.push_back(assignment.workstream);
      }
      ASSERT_LE(static_cast<int>(running.size()), agents);
      if (running.empty()) {
        bool retried = false;
        for (int node = 0; node < count; ++node) {
          if (scheduler.state(node) == SchedulingState::kRetryWait) {
            scheduler.RetryDue(node);
            retried = true;
          }
        }
        if (!retried) break;
        continue;
      }
      const size_t pick = random() % running.size();
      const int finished = running[pick];
      running.erase(running.begin() + static_cast<long>(pick));
      const bool succeeded = random() % 4 != 0, retryable = random() % 5 != 0;
      // Preview says what Finish then does, and changes nothing itself.
      const FinishResult preview = scheduler.Preview(finished, succeeded, retryable);
      ASSERT_EQ(scheduler.state(finished), SchedulingState::kRunning);
      const FinishResult result = scheduler.Finish(finished, succeeded, retryable);
      ASSERT_EQ(preview.outcome, result.outcome);
      ASSERT_EQ(preview.failures, result.failures);
    }
    EXPECT_TRUE(scheduler.Finished());
    EXPECT_EQ(scheduler.CountIn(SchedulingState::kCompleted) + scheduler.CountIn(SchedulingState::kFailed) +
                  scheduler.CountIn(SchedulingState::kBlocked),
              count);
  }
}

/// What Progress needs, counted the slow way: selected workstreams by state,
/// and of the unfinished ones the sum of estimates and the longest bottom level.
void ExpectCountsMatchAWalk(const Scheduler& scheduler, const std::vector<bool>& selected,
                            const std::vector<double>& estimates) {
  std::array<int, 8> counts{};
  double hours = 0;
  double longest = 0;
  for (size_t node = 0; node < selected.size(); ++node) {
    if (!selected[node]) continue;
    const SchedulingState state = scheduler.state(static_cast<int>(node));
    ++counts[static_cast<size_t>(state)];
    if (state == SchedulingState::kWaiting || state == SchedulingState::kReady ||
        state == SchedulingState::kRunning || state == SchedulingState::kRetryWait) {
      hours += estimates[node];
      longest = std::max(longest, scheduler.bottom_levels()[node]);
    }
  }
  for (size_t state = 0; state < counts.size(); ++state) {
    EXPECT_EQ(scheduler.SelectedIn(static_cast<SchedulingState>(state)), counts[state]) << "state " << state;
  }
  EXPECT_NEAR(scheduler.UnfinishedHours(), hours, 1e-9);
  EXPECT_EQ(scheduler.LongestUnfinishedPath(), longest);
}

// Property: the counts kept for progress at every event equal a walk over
// every workstream, through selections, restored failures, retries, requeues.
TEST(SchedulerTest, ProgressCountsKeptAsStatesChangeMatchAWalk) {
  std::mt19937 random(11);
  for (int trial = 0; trial < 100; ++trial) {
    const int count = 1 + static_cast<int>(random() % 25);
    std::vector<std::pair<std::string, std::vector<std::string>>> spec;
    for (int node = 0; node < count; ++node) {
      std::vector<std::string> depends_on;
      for (int earlier = 0; earlier < node; ++earlier) {
        if (random() % 4 == 0) depends_on.push_back("n" + std::to_string(earlier));
      }
      spec.push_back({"n" + std::to_string(node), depends_on});
    }
    Fixture fixture(spec, 1 + static_cast<int>(random() % 4));
    for (double& estimate : fixture.inputs.estimates) estimate = 0.25 * static_cast<double>(1 + random() % 8);
    for (int& attempts : fixture.inputs.max_attempts) attempts = 1 + static_cast<int>(random() % 3);
    Scheduler scheduler(fixture.graph, fixture.inputs);
    std::vector<bool> selected(count, true);
    if (random() % 2 == 0) {
      const std::vector<int> targets{static_cast<int>(random() % count)};
      scheduler.Select(targets);
      std::fill(selected.begin(), selected.end(), false);
      for (int node : fixture.graph.WithDependencies(targets)) selected[node] = true;
    }
    ExpectCountsMatchAWalk(scheduler, selected, fixture.inputs.estimates);
    for (int node = 0; node < count; ++node) {
      if (random() % 6 == 0) scheduler.RestoreFailed(node, 1, 1);
      if (random() % 6 == 0) scheduler.RestoreCompleted(node);
    }
    scheduler.Begin();
    ExpectCountsMatchAWalk(scheduler, selected, fixture.inputs.estimates);
    std::vector<int> running;
    for (int step = 0; step < 200; ++step) {
      for (const Assignment& assignment : scheduler.Dispatch()) running.push_back(assignment.workstream);
      if (running.empty()) {
        if (scheduler.Finished()) break;
        for (int node = 0; node < count; ++node) scheduler.RetryDue(node);
        ExpectCountsMatchAWalk(scheduler, selected, fixture.inputs.estimates);
        continue;
      }
      const size_t pick = random() % running.size();
      const int ended = running[pick];
      running.erase(running.begin() + static_cast<long>(pick));
      switch (random() % 4) {
        case 0:
          scheduler.Requeue(ended);
          break;
        case 1:
          scheduler.Finish(ended, false);
          break;
        default:
          scheduler.Finish(ended, true);
      }
      ExpectCountsMatchAWalk(scheduler, selected, fixture.inputs.estimates);
    }
  }
}

TEST(SchedulerTest, GroupLimitsCapStartsPerAgentTypeAndPostponeCostsNoAttempt) {
  Fixture fixture({{"a", {}}, {"b", {}}, {"c", {}}}, 3);
  fixture.inputs.agent_groups = {0, 0, 1};  // two agents of one type, one of another
  fixture.inputs.max_attempts.assign(3, 1);
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  scheduler.SetGroupLimit(0, 1);  // one more start for group 0
  scheduler.SetGroupLimit(1, 0);  // none for group 1 for now
  std::vector<Assignment> first = scheduler.Dispatch();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_LT(first[0].agent, 2);
  EXPECT_TRUE(scheduler.Dispatch().empty());  // group 0's start is used up
  EXPECT_FALSE(scheduler.Finished());         // something runs
  // A rate limit: the workstream waits, its failure count untouched.
  const FinishResult postponed = scheduler.Postpone(first[0].workstream);
  EXPECT_EQ(postponed.outcome, FinishResult::Outcome::kRetry);
  EXPECT_EQ(scheduler.failures(first[0].workstream), 0);
  EXPECT_EQ(scheduler.state(first[0].workstream), SchedulingState::kRetryWait);
  EXPECT_FALSE(scheduler.Finished());  // it will be due again
  scheduler.RetryDue(first[0].workstream);
  // Group limits that will lift keep the run going even with nothing running.
  EXPECT_TRUE(scheduler.Dispatch().empty());
  EXPECT_FALSE(scheduler.Finished());
  // Lasting limits do not: nothing can take the work.
  scheduler.SetGroupLimit(0, 0, true);
  scheduler.SetGroupLimit(1, 0, true);
  EXPECT_TRUE(scheduler.Finished());
  scheduler.SetGroupLimit(1, -1);
  EXPECT_FALSE(scheduler.Finished());
  std::vector<Assignment> rest = scheduler.Dispatch();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].agent, 2);
  EXPECT_EQ(rest[0].attempt, first[0].workstream == rest[0].workstream ? 2 : 1);
}

// A route fixes a workstream's type whichever agent runs it: its group's limit decides, not the
// agent's, both for starting it and for whether anything can still take it.
TEST(SchedulerTest, AWorkstreamGroupOverridesItsAgentsGroup) {
  Fixture fixture({{"a", {}}, {"b", {}}}, 1);
  fixture.inputs.agent_groups = {0};          // one agent of type 0
  fixture.inputs.workstream_groups = {-1, 1};  // b is routed to type 1
  Scheduler scheduler(fixture.graph, fixture.inputs);
  scheduler.Begin();
  scheduler.SetGroupLimit(1, 0, true);  // type 1 is out for the run
  std::vector<Assignment> first = scheduler.Dispatch();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(fixture.graph.id(first[0].workstream), "a");
  scheduler.Finish(first[0].workstream, true);
  EXPECT_TRUE(scheduler.Dispatch().empty());  // b waits on type 1, though the agent is idle
  EXPECT_TRUE(scheduler.Finished());          // and nothing can take it
  scheduler.SetGroupLimit(0, 0, true);        // type 0 out no longer matters to b...
  scheduler.SetGroupLimit(1, -1);             // ...type 1 back does
  EXPECT_FALSE(scheduler.Finished());
  std::vector<Assignment> rest = scheduler.Dispatch();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(fixture.graph.id(rest[0].workstream), "b");
}

}  // namespace
}  // namespace orchestra
