#include "cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "read_to_end.h"

namespace orchestra {

namespace {

// The whole of a small file (/proc, cgroupfs), or "" when it cannot be read.
std::string ReadSmallFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  const std::string text = ReadToEnd(fd);
  close(fd);
  return text;
}

bool WriteSmallFile(const std::string& path, const std::string& text, std::string* error) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ssize_t count = -1;
  if (fd >= 0) {
    do {
      count = write(fd, text.data(), text.size());
    } while (count < 0 && errno == EINTR);
  }
  const int saved = errno;
  if (fd >= 0) close(fd);
  if (count == static_cast<ssize_t>(text.size())) return true;
  if (error != nullptr) *error = "cannot write " + path + ": " + std::strerror(saved);
  return false;
}

// Undoes the octal escapes mountinfo uses for spaces and the like ("\040").
std::string Unescape(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const std::string digits = field.substr(i + 1, 3);
      if (digits.size() == 3 && digits.find_first_not_of("01234567") == std::string::npos) {
        out += static_cast<char>(std::stoi(digits, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

double Now() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

}  // namespace

std::string CgroupParentDir(std::string* why_not) {
  // The cgroup2 mount: "<id> <parent> <major:minor> <root> <mount point> ... - cgroup2 ...".
  std::string mount_point, mount_root;
  std::istringstream mounts(ReadSmallFile("/proc/self/mountinfo"));
  for (std::string line; std::getline(mounts, line);) {
    const size_t separator = line.find(" - ");
    if (separator == std::string::npos || line.compare(separator + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, separator));
    std::string id, parent, device;
    fields >> id >> parent >> device >> mount_root >> mount_point;
    mount_root = Unescape(mount_root);
    mount_point = Unescape(mount_point);
    break;
  }
  if (mount_point.empty()) {
    *why_not = "no cgroup2 file system is mounted";
    return "";
  }
  // Our cgroup in the v2 hierarchy: the "0::<path>" line.
  std::string path;
  bool found = false;
  std::istringstream groups(ReadSmallFile("/proc/self/cgroup"));
  for (std::string line; std::getline(groups, line);) {
    if (line.rfind("0::", 0) == 0) {
      path = line.substr(3);
      found = true;
      break;
    }
  }
  if (!found) {
    *why_not = "this process is in no cgroup v2 (/proc/self/cgroup has no 0:: line)";
    return "";
  }
  // Seen from a cgroup namespace or a bind mount of a subtree, the path is
  // relative to the mount's root.
  if (mount_root != "/" && path.rfind(mount_root, 0) == 0) path = path.substr(mount_root.size());
  if (path.empty() || path.front() != '/') path = "/" + path;
  std::string dir = mount_point + (path == "/" ? "" : path);
  if (access(dir.c_str(), W_OK) != 0) {
    *why_not = "cannot create cgroups in " + dir + ": " + std::strerror(errno);
    return "";
  }
  return dir;
}

std::string DescribeContainment(bool* cgroups) {
  *cgroups = false;
  std::string why_not;
  const std::string parent = CgroupParentDir(&why_not);
  if (!parent.empty()) {
    AttemptCgroup probe;
    if (probe.Create(parent, "orchestra-probe-" + std::to_string(getpid()), &why_not)) {
      probe.Remove(1);
      *cgroups = true;
      return "cgroup v2 (" + parent + ", cgroup.kill)";
    }
  }
  return "process group + attempt-key scan (" + why_not + ")";
}

void RemoveStaleCgroups(const std::string& parent, const std::string& prefix) {
  DIR* dir = opendir(parent.c_str());
  if (dir == nullptr) return;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.rfind(prefix, 0) != 0) continue;
    const int pid = std::atoi(name.c_str() + prefix.size());
    if (pid <= 1 || kill(pid, 0) == 0 || errno != ESRCH) continue;  // its supervisor may live
    rmdir((parent + "/" + name).c_str());
  }
  closedir(dir);
}

bool AttemptCgroup::Create(const std::string& parent, const std::string& name, std::string* error) {
  dir_.clear();
  for (int suffix = 1; suffix < 100; ++suffix) {
    const std::string dir = parent + "/" + name + (suffix == 1 ? "" : "-" + std::to_string(suffix));
    if (mkdir(dir.c_str(), 0755) != 0) {
      if (errno == EEXIST) {
        rmdir(dir.c_str());  // a leftover of a supervisor killed outright, if it is empty
        if (mkdir(dir.c_str(), 0755) != 0) continue;
      } else {
        *error = "cannot create a cgroup in " + parent + ": " + std::strerror(errno);
        return false;
      }
    }
    if (access((dir + "/cgroup.kill").c_str(), W_OK) != 0) {
      *error = "cgroup.kill is not available (Linux 5.14 or later has it)";
      rmdir(dir.c_str());
      return false;
    }
    dir_ = dir;
    return true;
  }
  *error = "cannot create a cgroup in " + parent + ": every name is taken";
  return false;
}

bool AttemptCgroup::Join(int pid, std::string* error) const {
  return WriteSmallFile(dir_ + "/cgroup.procs", std::to_string(pid), error);
}

std::vector<int> AttemptCgroup::Processes() const {
  std::vector<int> pids;
  std::istringstream text(ReadSmallFile(dir_ + "/cgroup.procs"));
  for (int pid = 0; text >> pid;) pids.push_back(pid);
  return pids;
}

void AttemptCgroup::Signal(int signal_number) const {
  for (int pid : Processes()) {
    if (pid > 1) kill(pid, signal_number);
  }
}

bool AttemptCgroup::Kill() const { return WriteSmallFile(dir_ + "/cgroup.kill", "1", nullptr); }

bool AttemptCgroup::Remove(double timeout_seconds) {
  if (dir_.empty()) return true;
  // cgroup.events says "populated 0" once the last process is gone; a change
  // to it wakes poll() with POLLPRI.
  const std::string events_path = dir_ + "/cgroup.events";
  const double deadline = Now() + timeout_seconds;
  for (;;) {
    if (rmdir(dir_.c_str()) == 0 || errno == ENOENT) {
      dir_.clear();
      return true;
    }
    if (errno != EBUSY) return false;
    const double left = deadline - Now();
    if (left <= 0) return false;
    const int fd = open(events_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buffer[256];
    const ssize_t count = read(fd, buffer, sizeof buffer - 1);
    const bool populated = count > 0 && std::strstr(std::string(buffer, count).c_str(), "populated 1") != nullptr;
    if (populated) {
      pollfd watch{fd, POLLPRI, 0};
      poll(&watch, 1, static_cast<int>(left * 1000) + 1);
    }
    close(fd);
  }
}

}  // namespace orchestra
