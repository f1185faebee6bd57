#include "lock_holders.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <climits>
#include <fstream>

#include "temp_dir.h"

namespace orchestra {
namespace {

TEST(LockHoldersTest, ParsesTheWriteLocksOfProcLocks) {
  const std::vector<FileLock> locks = ParseWriteLocks(
      "1: POSIX  ADVISORY  WRITE 1371 fe:00:10986120 120 120\n"
      "1: -> POSIX  ADVISORY  WRITE 1400 fe:00:10986120 120 120\n"
      "2: POSIX  ADVISORY  READ 1371 fe:00:10986120 123 123\n"
      "3: FLOCK  ADVISORY  WRITE 977 00:1a:42 0 EOF\n"
      "4: garbage\n");
  ASSERT_EQ(locks.size(), 2u);
  EXPECT_EQ(locks[0].pid, 1371);
  EXPECT_EQ(locks[0].device_major, 0xfeu);
  EXPECT_EQ(locks[0].device_minor, 0u);
  EXPECT_EQ(locks[0].inode, 10986120u);
  EXPECT_EQ(locks[0].start, 120u);
  EXPECT_EQ(locks[0].end, 120u);
  EXPECT_EQ(locks[1].pid, 977);
  EXPECT_EQ(locks[1].device_minor, 0x1au);
  EXPECT_EQ(locks[1].end, ULLONG_MAX);
}

TEST(LockHoldersTest, TheWalWriterIsWhoeverLocksByte120OfTheShmFile) {
  testing::TempDir dir;
  std::ofstream(dir / "state.db") << "";
  std::ofstream(dir / "state.db-shm") << "";
  struct stat shm{};
  ASSERT_EQ(stat((dir / "state.db-shm").c_str(), &shm), 0);
  auto lock = [&](int pid, unsigned long long start, unsigned long long end) {
    return FileLock{pid, major(shm.st_dev), minor(shm.st_dev), shm.st_ino, start, end};
  };
  // A reader's lock (123), the checkpointer's (121), ours: none is the writer.
  EXPECT_EQ(SqliteWriteLockHolders(dir / "state.db", {lock(5, 123, 123), lock(6, 121, 121), lock(7, 120, 120)}, 7),
            std::vector<int>{});
  EXPECT_EQ(SqliteWriteLockHolders(dir / "state.db", {lock(5, 120, 120), lock(6, 0, ULLONG_MAX), lock(5, 120, 120)}, 7),
            (std::vector<int>{5, 6}));
  EXPECT_EQ(SqliteWriteLockHolders(dir / "missing.db", {lock(5, 120, 120)}, 7), std::vector<int>{});
}

TEST(LockHoldersTest, NamesAProcessHoldingTheLockForReal) {
  testing::TempDir dir;
  const std::string database = dir / "state.db";
  std::ofstream(database) << "";
  std::ofstream(database + "-shm") << std::string(256, '\0');
  int locked[2], done[2];
  ASSERT_EQ(pipe(locked), 0);
  ASSERT_EQ(pipe(done), 0);
  const pid_t child = fork();
  if (child == 0) {
    const int fd = open((database + "-shm").c_str(), O_RDWR);
    struct flock range{};
    range.l_type = F_WRLCK;
    range.l_whence = SEEK_SET;
    range.l_start = 120;
    range.l_len = 1;
    const char ok = fcntl(fd, F_SETLK, &range) == 0 ? 'y' : 'n';
    if (write(locked[1], &ok, 1) != 1) _exit(1);
    close(done[1]);
    char ignored;
    if (read(done[0], &ignored, 1) < 0) _exit(1);  // holds the lock until the parent is done
    _exit(0);
  }
  char ok = 0;
  ASSERT_EQ(read(locked[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y');
  std::ifstream comm("/proc/" + std::to_string(child) + "/comm");
  std::string name;
  std::getline(comm, name);
  EXPECT_EQ(DescribeSqliteLockHolders(database), name + " (pid " + std::to_string(child) + ")");
  close(done[1]);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_EQ(DescribeSqliteLockHolders(database), "");
  for (int fd : {locked[0], locked[1], done[0]}) close(fd);
}

}  // namespace
}  // namespace orchestra
