#include "lock_holders.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace orchestra {

namespace {

// WAL_WRITE_LOCK: the byte of the -shm file a WAL-mode writer locks.
constexpr unsigned long long kWalWriteLockByte = 120;

bool SameFile(const FileLock& lock, const struct stat& file) {
  return lock.inode == file.st_ino && lock.device_major == major(file.st_dev) &&
         lock.device_minor == minor(file.st_dev);
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::vector<FileLock> ParseWriteLocks(std::string_view proc_locks) {
  std::vector<FileLock> locks;
  std::istringstream lines{std::string(proc_locks)};
  for (std::string line; std::getline(lines, line);) {
    // "1: POSIX  ADVISORY  WRITE 1371 fe:00:10986120 120 120"
    std::istringstream fields(line);
    std::string number, kind, mode, type, pid, file, start, end;
    fields >> number >> kind;
    if (kind == "->") continue;  // a request waiting for the lock above it
    fields >> mode >> type >> pid >> file >> start >> end;
    if (type != "WRITE" || end.empty()) continue;
    FileLock lock;
    unsigned major_number = 0, minor_number = 0;
    unsigned long long inode = 0;
    if (std::sscanf(file.c_str(), "%x:%x:%llu", &major_number, &minor_number, &inode) != 3) continue;
    try {
      lock.pid = std::stoi(pid);
      lock.start = std::stoull(start);
      lock.end = end == "EOF" ? ULLONG_MAX : std::stoull(end);
    } catch (const std::exception&) {
      continue;
    }
    lock.device_major = major_number;
    lock.device_minor = minor_number;
    lock.inode = inode;
    locks.push_back(lock);
  }
  return locks;
}

std::vector<int> SqliteWriteLockHolders(const std::string& database, const std::vector<FileLock>& locks, int self) {
  struct stat db{}, shm{};
  const bool has_db = stat(database.c_str(), &db) == 0;
  const bool has_shm = stat((database + "-shm").c_str(), &shm) == 0;
  std::vector<int> holders;
  for (const FileLock& lock : locks) {
    const bool writes = (has_db && SameFile(lock, db)) ||
                        (has_shm && SameFile(lock, shm) && lock.start <= kWalWriteLockByte &&
                         kWalWriteLockByte <= lock.end);
    if (writes && lock.pid != self && std::find(holders.begin(), holders.end(), lock.pid) == holders.end()) {
      holders.push_back(lock.pid);
    }
  }
  return holders;
}

std::string DescribeSqliteLockHolders(const std::string& database) {
  const std::vector<int> holders =
      SqliteWriteLockHolders(database, ParseWriteLocks(ReadWhole("/proc/locks")), static_cast<int>(getpid()));
  std::string described;
  for (const int pid : holders) {
    std::string name = ReadWhole("/proc/" + std::to_string(pid) + "/comm");
    if (!name.empty() && name.back() == '\n') name.pop_back();
    if (!described.empty()) described += ", ";
    described += (name.empty() ? "process" : name) + " (pid " + std::to_string(pid) + ")";
  }
  return described;
}

}  // namespace orchestra
