#include "log_tail.h"

#include <algorithm>
#include <deque>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace orchestra {

std::string CutLine(const std::string& line, size_t max_bytes) {
  if (line.size() <= max_bytes) return line;
  return fmt::format("{}…[{} bytes cut]", line.substr(0, max_bytes), line.size() - max_bytes);
}

std::string ReadFrom(const std::string& path, int64_t offset, size_t max_bytes) {
  // Called at every agent exit, mostly on output that is empty or short:
  // plain open, fstat and pread, nothing read when there is nothing new.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat info {};
  std::string text;
  if (fstat(fd, &info) == 0) {
    const int64_t size = info.st_size;
    const int64_t start = std::max<int64_t>(std::max<int64_t>(offset, 0), size - static_cast<int64_t>(max_bytes));
    if (start < size) {
      text.resize(static_cast<size_t>(size - start));
      size_t filled = 0;
      while (filled < text.size()) {
        const ssize_t count =
            pread(fd, text.data() + filled, text.size() - filled, static_cast<off_t>(start) + static_cast<off_t>(filled));
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) break;
        filled += static_cast<size_t>(count);
      }
      text.resize(filled);
    }
  }
  close(fd);
  return text;
}

int64_t FileSize(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int64_t>(info.st_size);
}

int64_t LogTailWindow(int max_lines, size_t max_line_bytes) {
  return static_cast<int64_t>(std::max(max_lines, 0)) * static_cast<int64_t>(max_line_bytes + 1);
}

std::string LogTail(const std::string& path, int max_lines, size_t max_line_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in || max_lines <= 0) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff window = LogTailWindow(max_lines, max_line_bytes);
  const std::streamoff start = size > window ? size - window : 0;
  in.seekg(start);
  std::string text(static_cast<size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return LogTailOf(text, start > 0, max_lines, max_line_bytes);
}

std::string LogTailOf(const std::string& text, bool cut_before, int max_lines, size_t max_line_bytes) {
  if (max_lines <= 0) return "";
  std::deque<std::string> lines;
  size_t begin = 0;
  if (cut_before) {
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
