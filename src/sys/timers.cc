#include "timers.h"

#include <uv.h>

#include <algorithm>
#include <cmath>

namespace orchestra {

/// Timer is one libuv timer; it frees itself in its close callback.
struct UvTimers::Timer {
  uv_timer_t handle;
  UvTimers* owner = nullptr;
  int64_t id = 0;
  bool repeats = false;
  Callback callback;
};

namespace {

uint64_t Milliseconds(double seconds) {
  return seconds <= 0 ? 0 : static_cast<uint64_t>(std::ceil(seconds * 1000));
}

}  // namespace

void UvTimers::Close(Timer* timer) {
  uv_timer_stop(&timer->handle);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer->handle),
           [](uv_handle_t* closed) { delete static_cast<Timer*>(closed->data); });
}

UvTimers::UvTimers(uv_loop_t* loop) : loop_(loop) {}

UvTimers::~UvTimers() {
  for (auto& [id, timer] : timers_) Close(timer);
}

int64_t UvTimers::Start(double delay_seconds, Callback callback) {
  return Add(delay_seconds, 0, std::move(callback));
}

int64_t UvTimers::Repeat(double interval_seconds, Callback callback) {
  return Add(interval_seconds, interval_seconds, std::move(callback));
}

int64_t UvTimers::Add(double delay_seconds, double interval_seconds, Callback callback) {
  auto* timer = new Timer;
  timer->owner = this;
  timer->id = next_id_++;
  timer->repeats = interval_seconds > 0;
  timer->callback = std::move(callback);
  timer->handle.data = timer;
  uv_timer_init(loop_, &timer->handle);
  timers_[timer->id] = timer;
  uv_timer_start(
      &timer->handle,
      [](uv_timer_t* handle) {
        auto* fired = static_cast<Timer*>(handle->data);
        Callback callback = fired->callback;  // the callback may cancel its own timer
        if (!fired->repeats) fired->owner->Cancel(fired->id);
        callback();
      },
      Milliseconds(delay_seconds), timer->repeats ? std::max<uint64_t>(1, Milliseconds(interval_seconds)) : 0);
  return timer->id;
}

void UvTimers::Cancel(int64_t id) {
  auto found = timers_.find(id);
  if (found == timers_.end()) return;
  Close(found->second);
  timers_.erase(found);
}

}  // namespace orchestra
