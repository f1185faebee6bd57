#include "log_tail.h"

#include <algorithm>
#include <deque>
#include <fstream>

#include <sys/stat.h>

#include <fmt/format.h>

namespace orchestra {

std::string CutLine(const std::string& line, size_t max_bytes) {
  if (line.size() <= max_bytes) return line;
  return fmt::format("{}…[{} bytes cut]", line.substr(0, max_bytes), line.size() - max_bytes);
}

std::string ReadFrom(const std::string& path, int64_t offset, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff start = std::max<std::streamoff>(
      std::max<std::streamoff>(offset, 0), size - static_cast<std::streamoff>(max_bytes));
  if (start >= size) return "";
  in.seekg(start);
  std::string text(static_cast<size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

int64_t FileSize(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int64_t>(info.st_size);
}

std::string LogTail(const std::string& path, int max_lines, size_t max_line_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in || max_lines <= 0) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff window = static_cast<std::streamoff>(max_lines) * static_cast<std::streamoff>(max_line_bytes + 1);
  const std::streamoff start = size > window ? size - window : 0;
  in.seekg(start);
  std::string text(static_cast<size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));

  std::deque<std::string> lines;
  size_t begin = 0;
  if (start > 0) {
    // The window starts inside a line: say how much of it is not shown.
    const size_t first_end = text.find('\n');
    const size_t shown = first_end == std::string::npos ? text.size() : first_end;
    lines.push_back(fmt::format("…[earlier bytes cut]{}", text.substr(0, std::min(shown, max_line_bytes))));
    begin = first_end == std::string::npos ? text.size() : first_end + 1;
  }
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    lines.push_back(CutLine(text.substr(begin, end - begin), max_line_bytes));
    if (static_cast<int>(lines.size()) > max_lines) lines.pop_front();
    begin = end + 1;
  }
  std::string tail;
  for (const std::string& line : lines) tail += line + "\n";
  return tail;
}

std::string BoundText(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = text.rfind('\n', max_bytes);
  if (cut == std::string::npos || cut < max_bytes / 2) cut = max_bytes;
  return fmt::format("{}\n…[{} bytes cut]\n", text.substr(0, cut), text.size() - cut);
}

}  // namespace orchestra
