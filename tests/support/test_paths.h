// Where the tests find the built binaries and the files of the checkout.
// The values live in one file CMake generates per build (tests/CMakeLists.txt,
// test_paths.cc in the build folder), not in compile definitions: then no
// other test object depends on where the checkout or the build is, and ccache
// shares them between clones at different paths (CI's clean clone, sanitizer
// builds). The names keep the spelling of the definitions they replace.
#pragma once

namespace orchestra::test_paths {

extern const char kBinary[];          // the orchestra binary
extern const char kSupervise[];       // orchestra-supervise
extern const char kModelServer[];     // tests/model_server's binary
extern const char kSourceDir[];       // the checkout
extern const char kSharedDir[];       // ../shared beside the checkout (may be absent)
extern const char kTestFixturesDir[]; // tests/fixtures

}  // namespace orchestra::test_paths

#define ORCHESTRA_BINARY (::orchestra::test_paths::kBinary)
#define ORCHESTRA_SUPERVISE (::orchestra::test_paths::kSupervise)
#define ORCHESTRA_MODEL_SERVER (::orchestra::test_paths::kModelServer)
#define ORCHESTRA_SOURCE_DIR (::orchestra::test_paths::kSourceDir)
#define ORCHESTRA_SHARED_DIR (::orchestra::test_paths::kSharedDir)
#define ORCHESTRA_TEST_FIXTURES_DIR (::orchestra::test_paths::kTestFixturesDir)
