#include "shared_fixture.h"
#include "test_paths.h"

#include <filesystem>

#include <gtest/gtest.h>

namespace orchestra::testing {

std::string SharedFixture(const std::string& set) {
  const std::string folder = std::string(ORCHESTRA_SHARED_DIR) + "/fixtures/" + set;
  std::error_code error;
  if (std::filesystem::is_directory(folder, error)) return folder;
  // GTEST_SKIP returns from this lambda only; the caller returns on "".
  [&folder] {
    GTEST_SKIP() << "skipped: " << folder
                 << " is absent (the shared fixtures folder beside the checkout)";
  }();
  return "";
}

}  // namespace orchestra::testing
