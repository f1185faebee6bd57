// Pieces of an attempt log for the dashboard, read from a byte offset, so the
// page can follow a log as it grows by asking for what came after the last
// piece it has.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace orchestra {

/// LogChunk is bytes [offset, next_offset) of a log file of `size` bytes.
struct LogChunk {
  int64_t offset = 0;
  int64_t next_offset = 0;
  int64_t size = 0;
  std::string text;
};

/// Reads at most `max_bytes` of the file at `path` from `offset` (a negative
/// offset: the last `max_bytes`; past the end: nothing). The piece ends at a
/// UTF-8 character boundary unless it reaches the end of the file, so a
/// character is never split between two pieces. A missing file reads as empty.
LogChunk ReadLogChunk(const std::string& path, int64_t offset, size_t max_bytes);

/// The chunk of `text`, bytes [offset, offset + text.size()) of a log of
/// `size` bytes read elsewhere (the state's copy of a log), ended at a UTF-8
/// character boundary as ReadLogChunk ends it.
LogChunk LogChunkOf(int64_t offset, int64_t size, std::string text);

}  // namespace orchestra
