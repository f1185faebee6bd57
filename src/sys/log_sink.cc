#include "log_sink.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

namespace orchestra {

std::string FormatByteSize(int64_t bytes) {
  constexpr int64_t kKilobyte = 1024;
  for (auto [unit, size] : {std::pair{"GB", kKilobyte * kKilobyte * kKilobyte},
                            std::pair{"MB", kKilobyte * kKilobyte}, std::pair{"KB", kKilobyte}}) {
    if (bytes >= size && bytes % size == 0) return fmt::format("{} {}", bytes / size, unit);
  }
  return fmt::format("{} bytes", bytes);
}

LogSink::LogSink(int fd, std::vector<std::string> secrets, int64_t max_bytes)
    : fd_(fd),
      redactor_(std::move(secrets)),
      max_bytes_(std::max<int64_t>(max_bytes, 0)),
      head_limit_(max_bytes_ / 2),
      tail_capacity_(static_cast<size_t>(max_bytes_ - head_limit_)) {}

LogSink::~LogSink() {
  Finish();
  if (fd_ >= 0) close(fd_);
}

void LogSink::Write(std::string_view output) {
  if (finished_) return;
  received_ += static_cast<int64_t>(output.size());
  if (redactor_.empty()) return Store(output);
  redacted_.clear();
  redactor_.Feed(output, &redacted_);
  Store(redacted_);
}

void LogSink::Finish() {
  if (finished_) return;
  redacted_.clear();
  redactor_.Flush(&redacted_);
  Store(redacted_);
  finished_ = true;
  if (tail_.empty()) return;
  const int64_t cut = bytes_cut();
  if (cut > 0) {
    WriteAll(fmt::format("{}orchestra: [... {} bytes of output cut (max_log_size {}) ...]\n",
                         head_last_ == '\n' ? "" : "\n", cut, FormatByteSize(max_bytes_)));
  }
  const std::string_view ring = tail_;
  WriteAll(ring.substr(tail_start_));
  WriteAll(ring.substr(0, tail_start_));
  tail_ = std::string();  // gives the memory back
  tail_start_ = 0;
}

void LogSink::Store(std::string_view text) {
  if (text.empty()) return;
  if (max_bytes_ == 0) return WriteAll(text);
  const size_t head = static_cast<size_t>(std::min<int64_t>(head_limit_ - head_written_, text.size()));
  if (head > 0) {
    WriteAll(text.substr(0, head));
    head_written_ += static_cast<int64_t>(head);
    head_last_ = text[head - 1];
  }
  PushTail(text.substr(head));
}

void LogSink::PushTail(std::string_view text) {
  if (text.empty()) return;
  tail_received_ += static_cast<int64_t>(text.size());
  if (tail_capacity_ == 0) return;
  if (tail_.capacity() < tail_capacity_) tail_.reserve(tail_capacity_);  // once: never more
  if (text.size() >= tail_capacity_) {
    tail_.assign(text.substr(text.size() - tail_capacity_));
    tail_start_ = 0;
    return;
  }
  const size_t room = tail_capacity_ - tail_.size();
  const size_t appended = std::min(room, text.size());
  tail_.append(text.substr(0, appended));
  text.remove_prefix(appended);
  while (!text.empty()) {  // full: overwrite the oldest bytes
    const size_t count = std::min(text.size(), tail_capacity_ - tail_start_);
    std::copy_n(text.data(), count, tail_.data() + tail_start_);
    tail_start_ = (tail_start_ + count) % tail_capacity_;
    text.remove_prefix(count);
  }
}

// Best effort: a log that cannot be written (a full disk) must not stop the
// child or the orchestrator; what was lost is lost.
void LogSink::WriteAll(std::string_view text) {
  while (!text.empty() && fd_ >= 0) {
    const ssize_t count = write(fd_, text.data(), text.size());
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return;
    text.remove_prefix(static_cast<size_t>(count));
  }
}

}  // namespace orchestra
