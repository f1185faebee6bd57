// The test terminal emulator itself: what the live display tests rely on.
// "\n" only moves down, as on a terminal: a pty's output processing (ONLCR)
// turns the program's "\n" into "\r\n", so these tests write that.
#include "terminal_screen.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace orchestra::testing {
namespace {

using Rows = std::vector<std::string>;

TEST(TerminalScreenTest, WrapsAtTheLastColumnOnlyWhenMoreComes) {
  TerminalScreen screen(5, 3);
  screen.Feed("abcde\r\n");  // fills the row: no wrap before the newline
  EXPECT_EQ(screen.wraps(), 0);
  screen.Feed("abcdefg\r\n");
  EXPECT_EQ(screen.wraps(), 1);
  EXPECT_EQ(screen.Transcript(), (Rows{"abcde", "abcde", "fg"}));
}

TEST(TerminalScreenTest, CursorUpAndEraseBelowReplaceABlockAndRecordIt) {
  TerminalScreen screen(20, 5);
  screen.Feed("event 1\r\nblock a\r\nblock b\r\n");
  screen.Feed("^C\r\033[2A\033[J");
  screen.Feed("event 2\r\n\033[1mblock c\033[0m\r\n");
  EXPECT_EQ(screen.Transcript(), (Rows{"event 1", "event 2", "block c"}));
  ASSERT_EQ(screen.erased().size(), 1u);
  EXPECT_EQ(screen.erased()[0], (Rows{"block a", "block b", "^C"}));
}

TEST(TerminalScreenTest, RowsScrolledOffTheTopAreOutOfTheCursorsReach) {
  TerminalScreen screen(10, 2);
  screen.Feed("one\r\ntwo\r\nthree\r\n");
  screen.Feed("\033[5A\033[J");  // up as far as the screen goes: row 0
  EXPECT_EQ(screen.Transcript(), (Rows{"one", "two"}));  // "three" was on the screen
  EXPECT_EQ(screen.Screen(), (Rows{"", ""}));
}

TEST(TerminalScreenTest, EscapeSequencesAndCharactersCutBetweenFeedsAreJoined) {
  TerminalScreen screen(10, 2);
  screen.Feed("a\033[3");
  screen.Feed("1mb\xe2\x80");
  screen.Feed("\xa6\033[K");
  EXPECT_EQ(screen.Screen(), (Rows{"ab…", ""}));
}

}  // namespace
}  // namespace orchestra::testing
