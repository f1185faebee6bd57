// The larger shared fixtures live in ../shared/fixtures beside the checkout:
// CI has them, a bare clone does not. Tests that read them skip there, naming
// the folder; what they cover is also tested on our own small fixtures under
// tests/fixtures (ORCHESTRA_TEST_FIXTURES_DIR), which every checkout has.
#pragma once

#include <string>

namespace orchestra::testing {

/// The shared fixture set `set` ("stg", "upstream-workstreams"):
/// ORCHESTRA_SHARED_DIR/fixtures/<set>. When that folder is absent it marks the
/// running test skipped, with "skipped: <folder> is absent (the shared fixtures
/// folder beside the checkout)", and returns "": the test must return at once.
///
///   const std::string stg = SharedFixture("stg");
///   if (stg.empty()) return;  // skipped
std::string SharedFixture(const std::string& set);

}  // namespace orchestra::testing
