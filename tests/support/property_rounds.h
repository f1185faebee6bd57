// How many random rounds a property test takes: all of them in a plain build,
// a quarter under a sanitizer.
//
// A sanitizer build exists to find memory, undefined-behaviour and thread
// errors on the code's paths; a quarter of a property test's random rounds
// takes every path the test reaches, while its full breadth (20,000 damaged
// files, 120 brute-forced schedules) is the plain build's job, where it costs
// seconds instead of minutes (unoptimised and instrumented, the three such
// tests took 196 s of the whole suite's 1,400 under ASan).
#pragma once

#include <algorithm>

namespace orchestra::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif
#else
inline constexpr bool kSanitizerBuild = false;
#endif

/// `rounds` in a plain build, a quarter of them (at least one) under a sanitizer.
constexpr int PropertyRounds(int rounds) { return kSanitizerBuild ? std::max(1, rounds / 4) : rounds; }

}  // namespace orchestra::testing
