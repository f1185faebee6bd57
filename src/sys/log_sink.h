// Log sink: where a child's output goes on its way to the attempt log. Secrets
// are replaced by "[redacted]" before anything is written, and the log is
// capped: an agent that prints 1 GB leaves its first and last few megabytes and
// one line saying how much was cut, and the orchestrator's memory stays flat.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "secrets.h"

namespace orchestra {

/// "50 MB", "1 KB", "1536 bytes": a size as max_log_size is written.
std::string FormatByteSize(int64_t bytes);

/// LogSink writes one child's output to its log file descriptor.
///
/// With `max_bytes` > 0, at most that many bytes of (redacted) output reach the
/// log: the head (the first half) is written as it arrives; after it, the
/// output goes to a ring buffer holding the last half, written by Finish with,
/// when anything was cut between the two, one marker line
/// "orchestra: [... N bytes of output cut (max_log_size 10 MB) ...]". So past
/// the head, the log shows nothing more until the process ends.
///
/// The descriptor should be opened with O_APPEND: lines others append to the
/// same file meanwhile (the orchestrator's notes) are never overwritten, and
/// land where they are written, before a tail still in the buffer.
class LogSink {
 public:
  /// Takes ownership of `fd` (closed by the destructor).
  LogSink(int fd, std::vector<std::string> secrets, int64_t max_bytes);
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  /// Output as the child printed it, in pieces of any size.
  void Write(std::string_view output);
  /// The end of the output: writes what was held back (a possible start of a
  /// secret, the tail, the marker). Later calls do nothing.
  void Finish();

  /// Bytes the child printed so far, before redaction: a stall detector
  /// compares it over time.
  int64_t bytes_received() const { return received_; }
  /// Bytes of (redacted) output left out of the log so far.
  int64_t bytes_cut() const {
    return tail_received_ - std::min<int64_t>(tail_received_, static_cast<int64_t>(tail_capacity_));
  }
  /// The most the ring buffer ever holds: the memory a child's output costs
  /// (plus one read and less than one secret held back).
  size_t tail_capacity() const { return tail_capacity_; }
  /// What is held in memory now, not yet in the log.
  size_t buffered_bytes() const { return tail_.size() + redactor_.held(); }

 private:
  /// Redacted output: the head goes to the file, the rest to the ring buffer.
  void Store(std::string_view text);
  void PushTail(std::string_view text);
  void WriteAll(std::string_view text);

  int fd_;
  Redactor redactor_;
  int64_t max_bytes_;
  int64_t head_limit_;
  size_t tail_capacity_;
  int64_t received_ = 0;
  int64_t head_written_ = 0;   // redacted bytes written as the head
  int64_t tail_received_ = 0;  // redacted bytes after the head
  char head_last_ = '\n';     // the head's last byte: does the marker need a line break first?
  std::string tail_;          // ring buffer; once full, its oldest byte is at tail_start_
  size_t tail_start_ = 0;
  std::string redacted_;      // scratch for Write
  bool finished_ = false;
};

}  // namespace orchestra
