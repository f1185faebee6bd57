// Log tails: the end of an attempt log, bounded in bytes, for failure
// messages. An agent may print one line of 50 MB; what reaches the state, the
// next prompt, the report and the terminal stays a few kilobytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace orchestra {

/// The last `max_lines` lines of the file at `path`, reading at most its last
/// `max_lines * max_line_bytes` bytes; a line longer than `max_line_bytes` is
/// cut with a marker saying how many bytes were left out. "" when unreadable.
std::string LogTail(const std::string& path, int max_lines, size_t max_line_bytes);

/// LogTail of the last bytes of a log read elsewhere (the state's copy of
/// it): `text` is at most its last LogTailWindow bytes, `cut_before` true
/// when the log holds more before them.
std::string LogTailOf(const std::string& text, bool cut_before, int max_lines, size_t max_line_bytes);
/// How many of a log's last bytes LogTail reads.
int64_t LogTailWindow(int max_lines, size_t max_line_bytes);

/// What the file at `path` holds from byte `offset` on (an agent's output in
/// its attempt log), at most its last `max_bytes`. "" when unreadable.
std::string ReadFrom(const std::string& path, int64_t offset, size_t max_bytes);

/// The size of the file at `path`, or -1 when it cannot be read.
int64_t FileSize(const std::string& path);

/// `line` when it fits in `max_bytes`; else its head and a marker saying how
/// many bytes were cut.
std::string CutLine(const std::string& line, size_t max_bytes);

/// `text` when it fits in `max_bytes`; else its head, cut at a line end where
/// one is near, followed by a marker line saying how many bytes were left out.
std::string BoundText(const std::string& text, size_t max_bytes);

}  // namespace orchestra
