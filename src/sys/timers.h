// Timers: callbacks after a delay, on the event loop the executor runs on.
// Retry backoff and the display's tick go through this interface, so tests can
// run them in virtual time (tests/support/instant_timers.h) instead of waiting.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

struct uv_loop_s;
struct uv_timer_s;

namespace orchestra {

/// Timers schedules callbacks. Callbacks run on the loop's thread, never from
/// inside Start or Repeat.
class Timers {
 public:
  using Callback = std::function<void()>;
  virtual ~Timers() = default;
  /// Calls `callback` once, `delay_seconds` from now. Returns an id for Cancel.
  virtual int64_t Start(double delay_seconds, Callback callback) = 0;
  /// Calls `callback` every `interval_seconds` until cancelled.
  virtual int64_t Repeat(double interval_seconds, Callback callback) = 0;
  /// Stops a timer; nothing happens for an id that already fired or is unknown.
  virtual void Cancel(int64_t id) = 0;
};

/// UvTimers are libuv timers on `loop`. A pending timer keeps the loop alive,
/// so cancel them all (or destroy this) before expecting uv_run to return.
/// Not thread-safe.
class UvTimers : public Timers {
 public:
  explicit UvTimers(uv_loop_s* loop);
  ~UvTimers() override;
  UvTimers(const UvTimers&) = delete;
  UvTimers& operator=(const UvTimers&) = delete;
  int64_t Start(double delay_seconds, Callback callback) override;
  int64_t Repeat(double interval_seconds, Callback callback) override;
  void Cancel(int64_t id) override;

 private:
  struct Timer;
  int64_t Add(double delay_seconds, double interval_seconds, Callback callback);
  static void Close(Timer* timer);
  uv_loop_s* loop_;
  int64_t next_id_ = 1;
  std::map<int64_t, Timer*> timers_;
};

}  // namespace orchestra
