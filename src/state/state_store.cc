#include "state_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <iterator>
#include <map>

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

PlanChanges DiffPlans(const std::vector<PlanEntry>& stored, const std::vector<PlanEntry>& entries) {
  std::map<std::string, std::string> before, after;
  for (const PlanEntry& entry : stored) before[entry.workstream_id] = entry.content_hash;
  for (const PlanEntry& entry : entries) after[entry.workstream_id] = entry.content_hash;
  PlanChanges changes;
  for (const auto& [id, hash] : after) {
    const auto found = before.find(id);
    if (found == before.end()) {
      changes.added.push_back(id);
    } else if (found->second != hash) {
      changes.edited.push_back(id);
    }
  }
  for (const auto& [id, hash] : before) {
    if (after.count(id) == 0) changes.removed.push_back(id);
  }
  return changes;
}

std::string ContentHash(const std::string& text) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char digits[17];
  std::snprintf(digits, sizeof digits, "%016" PRIx64, hash);
  return digits;
}

}  // namespace orchestra
