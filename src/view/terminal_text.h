// Text as a terminal shows it: how many columns a UTF-8 string with ANSI
// escape sequences takes, and how to cut it to fit a line without cutting a
// character or an escape sequence in half. The live display fits every line of
// its block with these, so no line wraps and a redraw can move up exactly as
// many rows as it drew.
#pragma once

#include <string>
#include <string_view>

namespace orchestra {

/// The columns `text` takes on a terminal: escape sequences (colours) take
/// none, combining marks none, East Asian wide characters and most emoji two,
/// other characters one. A byte that is not valid UTF-8 counts as one column
/// (terminals show it as a replacement character).
int DisplayWidth(std::string_view text);

/// `text` unchanged when it fits in `columns`; otherwise its longest start that
/// fits in `columns - 1`, then "…". Escape sequences before the cut are kept
/// whole, those after it are dropped, and when any was kept the cut text ends
/// with a reset ("\033[0m") so no colour runs on. Empty when `columns` < 1.
std::string FitToWidth(std::string_view text, int columns);

}  // namespace orchestra
