#include "state_store.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(StateStoreTest, OnlyTheAttemptsEndsThatAreItsOwnUseUpAnAttempt) {
  std::string counted;
  for (AttemptOutcome outcome :
       {AttemptOutcome::kRunning, AttemptOutcome::kSucceeded, AttemptOutcome::kFailed, AttemptOutcome::kTimedOut,
        AttemptOutcome::kInterrupted, AttemptOutcome::kAbandoned, AttemptOutcome::kConflict,
        AttemptOutcome::kRateLimited, AttemptOutcome::kFatal, AttemptOutcome::kStalled}) {
    if (CountsAsFailure(outcome)) counted += std::string(OutcomeName(outcome)) + " ";
  }
  EXPECT_EQ(counted, "failed timed_out conflict fatal stalled ");
}

}  // namespace
}  // namespace orchestra
