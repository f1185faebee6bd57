// Lock holders: who holds the write lock of an SQLite database, read from
// /proc/locks, so that "the state database is locked" can name the process
// (`sqlite3 (pid 4242)`) instead of guessing.
//
// SQLite takes POSIX advisory locks (fcntl). In WAL mode (Orchestra's state)
// the writer holds a write lock on byte 120 of the `-shm` file (WAL_WRITE_LOCK);
// in rollback-journal mode it holds a write lock on the database file itself
// (RESERVED, PENDING, EXCLUSIVE bytes). /proc/locks lists each lock with its
// owner's pid, the file's device and inode, and the byte range.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orchestra {

/// One write lock on a file, as /proc/locks lists it.
struct FileLock {
  int pid = 0;
  unsigned device_major = 0, device_minor = 0;
  unsigned long long inode = 0;
  unsigned long long start = 0;
  unsigned long long end = 0;  // inclusive; ULLONG_MAX for "EOF" (to the end)
};

/// The write locks in `proc_locks` (the text of /proc/locks): POSIX, OFD and
/// FLOCK locks of type WRITE; blocked requests (`->` lines) are not locks held.
std::vector<FileLock> ParseWriteLocks(std::string_view proc_locks);

/// The pids, other than `self`, holding the write lock of the SQLite database
/// at `database` (see above), found in `locks`; each once, in their order.
std::vector<int> SqliteWriteLockHolders(const std::string& database, const std::vector<FileLock>& locks, int self);

/// Who holds the write lock of the SQLite database at `database`, for a
/// message: "sqlite3 (pid 4242)", several joined with ", "; "" when unknown
/// (not a file, no /proc/locks, or the lock is already gone).
std::string DescribeSqliteLockHolders(const std::string& database);

}  // namespace orchestra
