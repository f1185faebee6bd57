#include "attempt_log_copier.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "log_tail.h"

namespace orchestra {
namespace {

/// The most read from a log file at once: one chunk of the store.
constexpr int64_t kReadBytes = 1 << 20;

/// Bytes [offset, offset + max_bytes) of the file at `path`, fewer at its end; "" when unreadable.
std::string ReadPiece(const std::string& path, int64_t offset, int64_t max_bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string bytes(static_cast<size_t>(max_bytes), '\0');
  size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t count = pread(fd, bytes.data() + filled, bytes.size() - filled, static_cast<off_t>(offset) + static_cast<off_t>(filled));
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    filled += static_cast<size_t>(count);
  }
  close(fd);
  bytes.resize(filled);
  return bytes;
}

}  // namespace

AttemptLogCopier::AttemptLogCopier(AttemptLogStore* logs, double interval_seconds)
    : logs_(logs), interval_seconds_(interval_seconds) {}

void AttemptLogCopier::Watch(int64_t attempt_id, const std::string& log_path) {
  watched_[attempt_id] = Watched{log_path, 0};
}

void AttemptLogCopier::Tick(double now) {
  if (watched_.empty() || now - last_copy_ < interval_seconds_) return;
  last_copy_ = now;
  for (auto& [attempt_id, log] : watched_) {
    std::string ignored;  // tried again at the next tick, and at the attempt's end
    CopyGrown(attempt_id, &log, &ignored);
  }
}

bool AttemptLogCopier::Finish(int64_t attempt_id, const std::string& log_path, std::string* error) {
  Watched log;
  const auto found = watched_.find(attempt_id);
  if (found != watched_.end()) {
    log = found->second;
    watched_.erase(found);
  } else {
    log.path = log_path;
    if (!logs_->StoredSize(attempt_id, &log.copied, error)) return false;
  }
  return CopyGrown(attempt_id, &log, error);
}

int64_t AttemptLogCopier::copied(int64_t attempt_id) const {
  const auto found = watched_.find(attempt_id);
  return found == watched_.end() ? -1 : found->second.copied;
}

bool AttemptLogCopier::CopyGrown(int64_t attempt_id, Watched* log, std::string* error) {
  for (int64_t size = FileSize(log->path); log->copied < size;) {
    const std::string bytes = ReadPiece(log->path, log->copied, std::min(kReadBytes, size - log->copied));
    if (bytes.empty()) return true;
    if (!logs_->AppendChunk(attempt_id, log->copied, bytes, error)) return false;
    log->copied += static_cast<int64_t>(bytes.size());
  }
  return true;
}

}  // namespace orchestra
