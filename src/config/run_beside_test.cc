#include "run_beside.h"

#include <atomic>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace orchestra {
namespace {

// The two run at once: each waits for the other's signal, which only
// returns when they overlap (one after the other would wait forever; the
// futures' timeouts turn that into a failure rather than a hang).
TEST(RunBesideTest, TheHelperRunsOnAnotherThreadAtTheSameTime) {
  std::promise<void> helper_started, work_started;
  std::thread::id helper_thread;
  bool helper_saw_work = false, work_saw_helper = false;
  RunBeside(
      [&] {
        helper_thread = std::this_thread::get_id();
        helper_started.set_value();
        helper_saw_work = work_started.get_future().wait_for(std::chrono::seconds(60)) == std::future_status::ready;
      },
      [&] {
        work_started.set_value();
        work_saw_helper = helper_started.get_future().wait_for(std::chrono::seconds(60)) == std::future_status::ready;
      });
  EXPECT_TRUE(helper_saw_work);
  EXPECT_TRUE(work_saw_helper);
  EXPECT_NE(helper_thread, std::this_thread::get_id());
}

TEST(RunBesideTest, TheHelpersExceptionReachesTheCallerAfterTheWork) {
  bool work_done = false;
  try {
    RunBeside([] { throw std::runtime_error("helper"); }, [&] { work_done = true; });
    FAIL() << "no exception";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), "helper");
  }
  EXPECT_TRUE(work_done);
}

TEST(RunBesideTest, TheWorksExceptionWinsAndTheHelperHasEndedBeforeItArrives) {
  std::atomic<bool> helper_ended = false;
  try {
    RunBeside(
        [&] {
          helper_ended = true;
          throw std::runtime_error("helper");
        },
        [] { throw std::runtime_error("work"); });
    FAIL() << "no exception";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), "work");
  }
  EXPECT_TRUE(helper_ended);
}

}  // namespace
}  // namespace orchestra
