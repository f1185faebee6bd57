// The one temporary folder of the tests: unit and integration tests alike
// create their scratch files in a TempDir, never at a fixed path.
#pragma once

#include <string>

namespace orchestra::testing {

/// TempDir is a fresh folder under /tmp (orchestra-test-XXXXXX), removed with
/// everything in it when the TempDir goes. It throws when the folder cannot
/// be created, which fails the test that asked for it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  /// `path()/relative`.
  std::string operator/(const std::string& relative) const { return path_ + "/" + relative; }
  /// Writes `text` (as is, byte for byte) to `path()/relative`, creating the
  /// folders on the way; returns the file's path.
  std::string Write(const std::string& relative, const std::string& text) const;

 private:
  std::string path_;
};

}  // namespace orchestra::testing
