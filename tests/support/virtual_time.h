// Virtual time for executor tests: a clock that only moves when told, and
// timers that fire on the next loop turn after moving that clock by their
// delay. A 5-second retry backoff then takes microseconds, and the durations
// the executor records are exact.
#pragma once

#include <memory>
#include <vector>

#include "clock.h"
#include "timers.h"

namespace orchestra::testing {

/// ManualClock reads a time that moves only by Advance.
class ManualClock : public Clock {
 public:
  explicit ManualClock(double now = 1'700'000'000) : now_(now) {}
  double Now() const override { return now_; }
  void Sleep(double seconds) const override { now_ += seconds; }
  void Advance(double seconds) { now_ += seconds; }

 private:
  mutable double now_;
};

/// InstantTimers runs one-shot timers at once (on the next loop turn),
/// advancing `clock` by their delay first, and records the delays asked for.
/// Repeating timers (the display tick) are real libuv timers.
class InstantTimers : public Timers {
 public:
  InstantTimers(uv_loop_s* loop, ManualClock* clock) : real_(loop), clock_(clock) {}
  int64_t Start(double delay_seconds, Callback callback) override {
    delays_.push_back(delay_seconds);
    return real_.Start(0, [this, delay_seconds, callback = std::move(callback)] {
      clock_->Advance(delay_seconds);
      callback();
    });
  }
  int64_t Repeat(double interval_seconds, Callback callback) override {
    return real_.Repeat(interval_seconds, std::move(callback));
  }
  void Cancel(int64_t id) override { real_.Cancel(id); }
  const std::vector<double>& delays() const { return delays_; }

 private:
  UvTimers real_;
  ManualClock* clock_;
  std::vector<double> delays_;
};

/// EventTimers is discrete-event virtual time: one-shot timers wait in a
/// queue by due time, and whenever the loop has nothing to do at once (no
/// idle handle, no pending callback, no real timer due: uv_backend_timeout is
/// not 0), the earliest fires with `clock` set to its due time. So processes
/// that "run" for hours (FakeProcessRunner's Script::seconds) overlap as real
/// ones do, and every step between their ends takes no time at all.
/// Repeating timers (the display tick) are real libuv timers.
class EventTimers : public Timers {
 public:
  EventTimers(uv_loop_s* loop, ManualClock* clock);
  ~EventTimers() override;
  EventTimers(const EventTimers&) = delete;
  EventTimers& operator=(const EventTimers&) = delete;
  int64_t Start(double delay_seconds, Callback callback) override;
  int64_t Repeat(double interval_seconds, Callback callback) override;
  void Cancel(int64_t id) override;

 private:
  struct State;  // the queue and the libuv prepare handle that fires it
  std::unique_ptr<State> state_;
};

}  // namespace orchestra::testing
