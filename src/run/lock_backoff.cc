#include "lock_backoff.h"

#include <algorithm>

namespace orchestra {

double LockBackoff::Next(double waited, double patience) {
  const double wait = std::clamp(patience - waited, 0.0, wait_);
  wait_ = std::min(wait_ * 2, kMaxWaitSeconds);
  return wait;
}

}  // namespace orchestra
