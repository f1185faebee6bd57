#include "timers.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <vector>

namespace orchestra {
namespace {

/// A loop with UvTimers on it; Run() runs the loop until nothing is pending.
class TimersTest : public ::testing::Test {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    timers_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);  // let the closed handles go
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  void Run() { uv_run(&loop_, UV_RUN_DEFAULT); }

  uv_loop_t loop_;
  std::unique_ptr<UvTimers> timers_ = nullptr;
};

TEST_F(TimersTest, OneShotTimersFireOnceInDelayOrder) {
  timers_ = std::make_unique<UvTimers>(&loop_);
  std::vector<int> fired;
  timers_->Start(0.002, [&] { fired.push_back(2); });
  timers_->Start(0, [&] { fired.push_back(0); });
  timers_->Start(0.001, [&] { fired.push_back(1); });
  EXPECT_TRUE(fired.empty()) << "never from inside Start";
  Run();
  EXPECT_EQ(fired, (std::vector<int>{0, 1, 2}));
}

TEST_F(TimersTest, ACancelledTimerNeverFires) {
  timers_ = std::make_unique<UvTimers>(&loop_);
  bool fired = false;
  const int64_t id = timers_->Start(0, [&] { fired = true; });
  timers_->Cancel(id);
  timers_->Cancel(id);      // twice is harmless
  timers_->Cancel(12345);  // so is an unknown id
  Run();
  EXPECT_FALSE(fired);
}

TEST_F(TimersTest, ARepeatingTimerRunsUntilItCancelsItself) {
  timers_ = std::make_unique<UvTimers>(&loop_);
  int count = 0;
  int64_t id = 0;
  id = timers_->Repeat(0.001, [&] {
    if (++count == 3) timers_->Cancel(id);
  });
  Run();  // returns only once the repeating timer is gone
  EXPECT_EQ(count, 3);
}

TEST_F(TimersTest, ACallbackMayStartAnotherTimer) {
  timers_ = std::make_unique<UvTimers>(&loop_);
  std::vector<int> fired;
  timers_->Start(0, [&] {
    fired.push_back(1);
    timers_->Start(0, [&] { fired.push_back(2); });
  });
  Run();
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
}

TEST_F(TimersTest, DestroyingTheTimersCancelsWhatIsPending) {
  timers_ = std::make_unique<UvTimers>(&loop_);
  bool fired = false;
  timers_->Start(3600, [&] { fired = true; });
  timers_.reset();
  Run();  // would wait an hour if the timer were still there
  EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace orchestra
