// A small terminal emulator for tests of what Orchestra draws on a terminal:
// enough of a VT100 to replay the live display's output and look at the
// screen and scrollback a person would see.
#pragma once

#include <string>
#include <vector>

namespace orchestra::testing {

/// TerminalScreen interprets output like a terminal `columns` wide and `rows`
/// high: printable text (each UTF-8 character one column: tests print ASCII and
/// "…"), \r, \n (down only, as on a terminal; a pty turns a program's \n
/// into \r\n), \b, cursor up/down/forward/back (ESC[nA/B/C/D), erase below
/// (ESC[J, ESC[0J) and in the line (ESC[K); other escape sequences, colours
/// among them, change nothing. A character written past the last column wraps
/// to the next row, as terminals do, and is counted; rows scrolled off the
/// top go to the scrollback, out of the cursor's reach.
class TerminalScreen {
 public:
  TerminalScreen(int columns, int rows);

  void Feed(const std::string& bytes);
  /// A window resize that does not reflow (xterm's way): rows keep their text,
  /// cut at the new width.
  void Resize(int columns);

  /// The visible rows, trailing spaces removed.
  std::vector<std::string> Screen() const;
  /// Scrollback then screen, without the empty rows at the bottom.
  std::vector<std::string> Transcript() const;
  /// How many times a character did not fit its row and wrapped.
  int wraps() const { return wraps_; }
  /// What each erase below the cursor (ESC[J) removed: the rows from the
  /// cursor's down to the last one with text. For a display that redraws in
  /// place, every block it drew and then replaced.
  const std::vector<std::vector<std::string>>& erased() const { return erased_; }

 private:
  void Put(const std::string& character);
  void LineFeed();
  void RecordErased();
  void Escape(const std::string& parameters, char final_byte);
  static std::string Text(const std::vector<std::string>& cells);

  int columns_;
  int rows_;
  int row_ = 0;
  int column_ = 0;
  bool wrap_pending_ = false;
  int wraps_ = 0;
  std::vector<std::vector<std::string>> screen_;  // one UTF-8 character a cell
  std::vector<std::vector<std::string>> scrollback_;
  std::vector<std::vector<std::string>> erased_;
  std::string pending_;  // an escape sequence or UTF-8 character cut between Feed calls
};

}  // namespace orchestra::testing
