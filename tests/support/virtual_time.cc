#include "virtual_time.h"

#include <uv.h>

#include <map>
#include <utility>

namespace orchestra::testing {

/// The one-shot timers by (due time, id), and an idle handle that fires the
/// earliest once nothing else is ready: no other idle handle active (the
/// executor's group commit, its leftover scan) and no real timer due (a
/// process's reported end). While the queue holds a timer the idle handle
/// keeps the loop from waiting; an empty queue stops it, so uv_run can return.
struct EventTimers::State {
  uv_idle_t pump;
  ManualClock* clock = nullptr;
  UvTimers real;
  std::map<std::pair<double, int64_t>, Callback> queue;
  std::map<int64_t, double> due_of;  // id -> due time, for Cancel
  int64_t next_id = int64_t{1} << 40;  // apart from the real timers' ids
  bool active = false;

  explicit State(uv_loop_s* loop) : real(loop) {}

  void Arm() {
    if (active == !queue.empty()) return;
    active = !queue.empty();
    if (active) {
      uv_idle_start(&pump, [](uv_idle_t* handle) { static_cast<State*>(handle->data)->FireNext(); });
    } else {
      uv_idle_stop(&pump);
    }
  }

  /// True when some other handle has work for this loop turn or the next.
  bool OthersBusy() {
    bool busy = false;
    std::pair<uv_idle_t*, bool*> context{&pump, &busy};
    uv_walk(
        pump.loop,
        [](uv_handle_t* handle, void* arg) {
          auto& [own, found] = *static_cast<std::pair<uv_idle_t*, bool*>*>(arg);
          if (!uv_is_active(handle) || handle == reinterpret_cast<uv_handle_t*>(own)) return;
          if (handle->type == UV_IDLE ||
              (handle->type == UV_TIMER && uv_timer_get_due_in(reinterpret_cast<uv_timer_t*>(handle)) == 0)) {
            *found = true;
          }
        },
        &context);
    return busy;
  }

  void FireNext() {
    if (queue.empty() || OthersBusy()) return;  // what is due now happens first, at this virtual time
    auto earliest = queue.begin();
    const double due = earliest->first.first;
    Callback callback = std::move(earliest->second);
    due_of.erase(earliest->first.second);
    queue.erase(earliest);
    if (due > clock->Now()) clock->Advance(due - clock->Now());
    Arm();
    callback();
  }
};

EventTimers::EventTimers(uv_loop_s* loop, ManualClock* clock) : state_(std::make_unique<State>(loop)) {
  state_->clock = clock;
  uv_idle_init(loop, &state_->pump);
  state_->pump.data = state_.get();
}

EventTimers::~EventTimers() {
  uv_idle_stop(&state_->pump);
  // The handle is freed with its State once libuv has closed it.
  State* state = state_.release();
  uv_close(reinterpret_cast<uv_handle_t*>(&state->pump),
           [](uv_handle_t* closed) { delete static_cast<State*>(closed->data); });
}

int64_t EventTimers::Start(double delay_seconds, Callback callback) {
  const int64_t id = state_->next_id++;
  const double due = state_->clock->Now() + (delay_seconds > 0 ? delay_seconds : 0);
  state_->queue.emplace(std::make_pair(due, id), std::move(callback));
  state_->due_of[id] = due;
  state_->Arm();
  return id;
}

int64_t EventTimers::Repeat(double interval_seconds, Callback callback) {
  return state_->real.Repeat(interval_seconds, std::move(callback));
}

void EventTimers::Cancel(int64_t id) {
  auto found = state_->due_of.find(id);
  if (found == state_->due_of.end()) {
    state_->real.Cancel(id);
    return;
  }
  state_->queue.erase(std::make_pair(found->second, id));
  state_->due_of.erase(found);
  state_->Arm();
}

}  // namespace orchestra::testing
