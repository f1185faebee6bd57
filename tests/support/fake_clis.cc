#include "fake_clis.h"
#include "test_paths.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace orchestra::testing {

namespace fs = std::filesystem;

namespace {

/// `program` in a folder of the test's own PATH; "" when none has it.
std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream folders(path ? path : "");
  for (std::string folder; std::getline(folders, folder, ':');) {
    const fs::path candidate = fs::path(folder) / program;
    std::error_code error;
    if (!folder.empty() && fs::is_regular_file(candidate, error)) return candidate.string();
  }
  return "";
}

}  // namespace

FakeCliPath::FakeCliPath() : bin_(dir_ / "bin") {
  fs::create_directories(bin_);
  const std::string git = FindOnPath("git");
  if (!git.empty()) fs::create_symlink(git, fs::path(bin_) / "git");
}

void FakeCliPath::AddCli(const std::string& program, const std::string& version_line) {
  WriteFile(bin_ + "/" + program, "#!/bin/sh\necho '" + version_line + "'\n", true);
}

CommandResult FakeCliPath::Run(const std::string& cwd, const std::vector<std::string>& args,
                               const std::vector<std::string>& env) const {
  std::vector<std::string> argv{"/usr/bin/env", "-i", "PATH=" + bin_, "HOME=" + dir_.path()};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(ORCHESTRA_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(cwd, argv);
}

}  // namespace orchestra::testing
