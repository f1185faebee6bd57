#include "terminal_screen.h"

#include <algorithm>

namespace orchestra::testing {

namespace {

int Count(const std::string& parameters) {
  const int count = parameters.empty() ? 1 : std::atoi(parameters.c_str());
  return std::max(1, count);
}

/// Bytes in the UTF-8 character led by `lead`.
size_t Utf8Size(unsigned char lead) {
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

}  // namespace

TerminalScreen::TerminalScreen(int columns, int rows)
    : columns_(columns), rows_(rows), screen_(rows, std::vector<std::string>(columns, " ")) {}

void TerminalScreen::Feed(const std::string& bytes) {
  std::string text = pending_ + bytes;
  pending_.clear();
  size_t at = 0;
  while (at < text.size()) {
    const char byte = text[at];
    if (byte == '\033') {
      if (at + 1 >= text.size()) break;
      if (text[at + 1] != '[') {  // two-byte sequence: nothing we draw
        at += 2;
        continue;
      }
      size_t end = at + 2;
      while (end < text.size() && !(text[end] >= 0x40 && text[end] <= 0x7E)) ++end;
      if (end >= text.size()) break;
      Escape(text.substr(at + 2, end - at - 2), text[end]);
      at = end + 1;
    } else if (byte == '\r') {
      column_ = 0;
      wrap_pending_ = false;
      ++at;
    } else if (byte == '\n') {
      LineFeed();
      ++at;
    } else if (byte == '\b') {
      if (column_ > 0 && !wrap_pending_) --column_;
      wrap_pending_ = false;
      ++at;
    } else if (static_cast<unsigned char>(byte) < 0x20) {
      ++at;  // other controls (BEL, tab): the display writes none
    } else {
      const size_t size = Utf8Size(static_cast<unsigned char>(byte));
      if (at + size > text.size()) break;
      Put(text.substr(at, size));
      at += size;
    }
  }
  pending_ = text.substr(at);
}

void TerminalScreen::Put(const std::string& character) {
  if (wrap_pending_) {
    ++wraps_;
    column_ = 0;
    wrap_pending_ = false;
    LineFeed();
  }
  screen_[row_][column_] = character;
  if (column_ == columns_ - 1) {
    wrap_pending_ = true;
  } else {
    ++column_;
  }
}

void TerminalScreen::LineFeed() {
  wrap_pending_ = false;
  if (row_ < rows_ - 1) {
    ++row_;
    return;
  }
  scrollback_.push_back(screen_.front());
  screen_.erase(screen_.begin());
  screen_.emplace_back(columns_, " ");
}

void TerminalScreen::Escape(const std::string& parameters, char final_byte) {
  switch (final_byte) {
    case 'A': row_ = std::max(0, row_ - Count(parameters)); break;
    case 'B': row_ = std::min(rows_ - 1, row_ + Count(parameters)); break;
    case 'C': column_ = std::min(columns_ - 1, column_ + Count(parameters)); break;
    case 'D': column_ = std::max(0, column_ - Count(parameters)); break;
    case 'J':
      if (parameters.empty() || parameters == "0") {
        RecordErased();
        std::fill(screen_[row_].begin() + column_, screen_[row_].end(), " ");
        for (int row = row_ + 1; row < rows_; ++row) std::fill(screen_[row].begin(), screen_[row].end(), " ");
      }
      break;
    case 'K':
      if (parameters.empty() || parameters == "0") std::fill(screen_[row_].begin() + column_, screen_[row_].end(), " ");
      break;
    default: return;  // colours and the rest: nothing to draw
  }
  wrap_pending_ = false;
}

void TerminalScreen::RecordErased() {
  std::vector<std::string> rows;
  for (int row = row_; row < rows_; ++row) {
    const std::vector<std::string> cells(screen_[row].begin() + (row == row_ ? column_ : 0), screen_[row].end());
    rows.push_back(Text(cells));
  }
  while (!rows.empty() && rows.back().empty()) rows.pop_back();
  erased_.push_back(rows);
}

void TerminalScreen::Resize(int columns) {
  for (std::vector<std::string>& row : screen_) row.resize(columns, " ");
  columns_ = columns;
  column_ = std::min(column_, columns_ - 1);
  wrap_pending_ = false;
}

std::string TerminalScreen::Text(const std::vector<std::string>& cells) {
  std::string text;
  for (const std::string& cell : cells) text += cell;
  return text.substr(0, text.find_last_not_of(' ') + 1);
}

std::vector<std::string> TerminalScreen::Screen() const {
  std::vector<std::string> rows;
  for (const std::vector<std::string>& row : screen_) rows.push_back(Text(row));
  return rows;
}

std::vector<std::string> TerminalScreen::Transcript() const {
  std::vector<std::string> rows;
  for (const std::vector<std::string>& row : scrollback_) rows.push_back(Text(row));
  for (const std::string& row : Screen()) rows.push_back(row);
  while (!rows.empty() && rows.back().empty()) rows.pop_back();
  return rows;
}

}  // namespace orchestra::testing
