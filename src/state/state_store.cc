#include "state_store.h"

#include <iterator>

namespace orchestra {
namespace {

// The stored names of each enum, indexed by its value. They are part of the
// database format (docs/state.md): users query them, so never rename one.
constexpr const char* kStatusNames[] = {"pending", "running", "completed", "failed", "blocked"};
constexpr const char* kOutcomeNames[] = {"running",     "succeeded", "failed",  "timed_out",
                                         "interrupted", "abandoned", "conflict",
                                         "rate_limited", "fatal",     "stalled"};
constexpr const char* kRunStateNames[] = {"running", "paused",      "completed",   "failed",
                                          "interrupted", "crashed", "budget_spent"};

template <typename Enum, size_t kCount>
bool ParseName(const char* const (&names)[kCount], const std::string& name, Enum* value) {
  for (size_t index = 0; index < kCount; ++index) {
    if (name == names[index]) {
      *value = static_cast<Enum>(index);
      return true;
    }
  }
  return false;
}

}  // namespace

const char* StatusName(WorkstreamStatus status) {
  return kStatusNames[static_cast<size_t>(status)];
}

bool ParseStatus(const std::string& name, WorkstreamStatus* status) {
  return ParseName(kStatusNames, name, status);
}

const char* OutcomeName(AttemptOutcome outcome) {
  return kOutcomeNames[static_cast<size_t>(outcome)];
}

bool CountsAsFailure(AttemptOutcome outcome) {
  return outcome == AttemptOutcome::kFailed || outcome == AttemptOutcome::kTimedOut ||
         outcome == AttemptOutcome::kConflict || outcome == AttemptOutcome::kFatal ||
         outcome == AttemptOutcome::kStalled;
}

bool ParseOutcome(const std::string& name, AttemptOutcome* outcome) {
  return ParseName(kOutcomeNames, name, outcome);
}

const char* RunStateName(RunState state) { return kRunStateNames[static_cast<size_t>(state)]; }

bool ParseRunState(const std::string& name, RunState* state) {
  return ParseName(kRunStateNames, name, state);
}

static_assert(std::size(kStatusNames) == static_cast<size_t>(WorkstreamStatus::kBlocked) + 1);
static_assert(std::size(kOutcomeNames) == static_cast<size_t>(AttemptOutcome::kStalled) + 1);
static_assert(std::size(kRunStateNames) == static_cast<size_t>(RunState::kBudgetSpent) + 1);

}  // namespace orchestra
