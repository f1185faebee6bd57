#include "lock_backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace orchestra {
namespace {

TEST(LockBackoffTest, StartsAt50MillisecondsAndDoublesUpTo2Seconds) {
  LockBackoff backoff;
  std::vector<double> waits;
  double waited = 0;
  for (int i = 0; i < 9; ++i) {
    waits.push_back(backoff.Next(waited, 1800));
    waited += waits.back();
  }
  EXPECT_EQ(waits, (std::vector<double>{0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2, 2, 2}));
}

TEST(LockBackoffTest, NeverWaitsPastThePatienceLeft) {
  LockBackoff backoff;
  for (int i = 0; i < 8; ++i) backoff.Next(0, 1800);  // at the 2 s cap now
  EXPECT_EQ(backoff.Next(29.5, 30), 0.5);
  EXPECT_EQ(backoff.Next(30, 30), 0);
  EXPECT_EQ(backoff.Next(31, 30), 0);
}

TEST(LockBackoffTest, ResetStartsAgainFromTheFirstWait) {
  LockBackoff backoff;
  backoff.Next(0, 1800);
  backoff.Next(0.05, 1800);
  backoff.Reset();
  EXPECT_EQ(backoff.Next(0, 1800), 0.05);
  EXPECT_EQ(backoff.Next(0.05, 1800), 0.1);
}

}  // namespace
}  // namespace orchestra
