#include "clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

namespace orchestra {

double SystemClock::Now() const {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

void SystemClock::Sleep(double seconds) const {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

std::string FormatTimestamp(double seconds_since_epoch) {
  std::time_t seconds = static_cast<std::time_t>(seconds_since_epoch);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  return text;
}

bool ParseTimestamp(const std::string& text, double* seconds_since_epoch) {
  std::tm utc{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &consumed) != 6 ||
      consumed != static_cast<int>(text.size())) {
    return false;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  *seconds_since_epoch = static_cast<double>(timegm(&utc));
  return true;
}

}  // namespace orchestra
