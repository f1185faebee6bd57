// Lock backoff: how long a state change held up by another process's write
// lock on the state database waits before it is tried again.
#pragma once

namespace orchestra {

/// LockBackoff is the retry policy for a change that met the lock: the first
/// retry after 50 ms, each further one after twice the wait before it, at
/// most 2 s, and never past the patience left (`state_lock_timeout`). A lock
/// held for a moment (a `sqlite3` query) is noticed within tens of
/// milliseconds; one held for minutes (a forgotten shell in a transaction)
/// costs one try every 2 s instead of two a second.
///
/// No jitter: the other side is one process holding the lock as long as it
/// likes, not a crowd of writers retrying in step, so spreading the tries out
/// would buy nothing, and the waits stay the same from run to run.
///
/// Pure: the caller passes how long the change has waited (from its clock).
class LockBackoff {
 public:
  static constexpr double kFirstWaitSeconds = 0.05;
  static constexpr double kMaxWaitSeconds = 2;

  /// The wait before the next try of a change that has waited `waited`
  /// seconds so far and may wait `patience` in all; then the wait after it
  /// doubles (up to kMaxWaitSeconds). 0 when no patience is left.
  double Next(double waited, double patience);
  /// A change got through: the next lock starts again from the first wait.
  void Reset() { wait_ = kFirstWaitSeconds; }

 private:
  double wait_ = kFirstWaitSeconds;
};

}  // namespace orchestra
