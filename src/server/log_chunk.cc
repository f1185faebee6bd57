#include "log_chunk.h"

#include <algorithm>
#include <fstream>

namespace orchestra {
namespace {

/// Bytes to drop from the end of `text` so it does not end inside a UTF-8
/// sequence (0 when it ends at a boundary or the bytes are not UTF-8).
size_t IncompleteTail(const std::string& text) {
  for (size_t back = 1; back <= std::min<size_t>(4, text.size()); ++back) {
    const auto byte = static_cast<unsigned char>(text[text.size() - back]);
    if ((byte & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    const size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

}  // namespace

LogChunk ReadLogChunk(const std::string& path, int64_t offset, size_t max_bytes) {
  LogChunk chunk;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return chunk;
  chunk.size = static_cast<int64_t>(in.tellg());
  const auto limit = static_cast<int64_t>(max_bytes);
  chunk.offset = offset < 0 ? std::max<int64_t>(0, chunk.size - limit) : std::min(offset, chunk.size);
  const int64_t length = std::min(limit, chunk.size - chunk.offset);
  chunk.text.resize(static_cast<size_t>(length));
  in.seekg(chunk.offset);
  in.read(chunk.text.data(), length);
  chunk.text.resize(static_cast<size_t>(in.gcount()));
  return LogChunkOf(chunk.offset, chunk.size, std::move(chunk.text));
}

LogChunk LogChunkOf(int64_t offset, int64_t size, std::string text) {
  LogChunk chunk;
  chunk.offset = offset;
  chunk.size = size;
  chunk.text = std::move(text);
  if (chunk.offset + static_cast<int64_t>(chunk.text.size()) < chunk.size) {
    chunk.text.resize(chunk.text.size() - IncompleteTail(chunk.text));
  }
  chunk.next_offset = chunk.offset + static_cast<int64_t>(chunk.text.size());
  return chunk;
}

}  // namespace orchestra
