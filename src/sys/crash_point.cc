#include "crash_point.h"

#ifdef ORCHESTRA_CRASH_POINTS

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace orchestra {

namespace {

// What ORCHESTRA_CRASH_AT armed: one point, and on which pass it aborts.
std::string armed_name;
long armed_pass = 0;
long passes = 0;

void Say(const std::string& text) {
  // write(2), not stdio: nothing buffered is flushed by abort().
  for (size_t written = 0; written < text.size();) {
    const ssize_t count = write(STDERR_FILENO, text.data() + written, text.size() - written);
    if (count <= 0) return;
    written += static_cast<size_t>(count);
  }
}

void ListCrashPoints() {
  for (const CrashPointInfo& point : kCrashPoints) {
    const char* needs = point.in_recovery && point.worktrees ? "recovery,worktrees"
                        : point.in_recovery                  ? "recovery"
                        : point.worktrees                    ? "worktrees"
                                                             : "-";
    std::printf("%s\t%s\t%s\n", point.name, needs, point.where);
  }
}

}  // namespace

void CrashPoint(CrashPointName point) {
  if (armed_name.empty() || armed_name != point.name || ++passes != armed_pass) return;
  Say("orchestra: crash point " + armed_name + " (pass " + std::to_string(passes) +
      ") reached: aborting (ORCHESTRA_CRASH_AT)\n");
  const rlimit no_core{0, 0};  // a test's crash, not a bug: no core file in the project
  setrlimit(RLIMIT_CORE, &no_core);
  std::abort();
}

void ArmCrashPoint() {
  const char* value = std::getenv("ORCHESTRA_CRASH_AT");
  if (value == nullptr || *value == '\0') return;
  const std::string text = value;
  unsetenv("ORCHESTRA_CRASH_AT");
  if (text == "list") {
    ListCrashPoints();
    std::exit(0);
  }
  const size_t colon = text.find(':');
  const std::string name = text.substr(0, colon);
  long pass = 1;
  if (colon != std::string::npos) {
    char* end = nullptr;
    pass = std::strtol(text.c_str() + colon + 1, &end, 10);
    if (end == text.c_str() + colon + 1 || *end != '\0' || pass < 1) pass = 0;
  }
  bool known = false;
  std::string names;
  for (const CrashPointInfo& point : kCrashPoints) {
    known = known || name == point.name;
    names += std::string(names.empty() ? "" : ", ") + point.name;
  }
  if (!known || pass == 0) {
    Say("orchestra: ORCHESTRA_CRASH_AT=" + text + ": expected name[:nth] (nth from 1) with a name of: " + names +
        " (or `list`)\n");
    std::exit(2);
  }
  armed_name = name;
  armed_pass = pass;
}

}  // namespace orchestra

#endif  // ORCHESTRA_CRASH_POINTS
