// Time for the effectful parts (state store timestamps, durations). The
// scheduler never reads a clock.
#pragma once

#include <string>

namespace orchestra {

/// Clock gives wall-clock time; tests substitute a fixed one.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Seconds since the Unix epoch.
  virtual double Now() const = 0;
  /// Blocks for `seconds` (waiting for a lock before the event loop runs);
  /// a test clock moves its time instead.
  virtual void Sleep(double seconds) const = 0;
};

/// The system's real-time clock.
class SystemClock : public Clock {
 public:
  double Now() const override;
  void Sleep(double seconds) const override;
};

/// `YYYY-MM-DD HH:MM:SS` in UTC, the format of every timestamp in the state.
std::string FormatTimestamp(double seconds_since_epoch);

/// Parses FormatTimestamp's output; returns false on anything else.
bool ParseTimestamp(const std::string& text, double* seconds_since_epoch);

}  // namespace orchestra
