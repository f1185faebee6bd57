// The live display on a real terminal: the orchestra binary runs on a
// pseudo-terminal 80 or 160 columns wide and a small terminal emulator replays
// what it wrote. Every block the display draws must fit the width (a wrapped
// row would not match a block row below), each redraw must replace the block
// in place, a resize must change the width used, and every way out of a run
// must leave the event lines and the summary, nothing of the block.
#include <signal.h>

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "pty_process.h"
#include "terminal_screen.h"

namespace orchestra::testing {
namespace {

// Too long for an attempt row at 80 columns (48 characters).
const std::string kLongId = "ws-1-a-workstream-whose-name-is-longer-than-most";

/// Two workstreams that run until interrupted (100000 estimated hours at the
/// sim agent's 0.05 s an hour) and one after them.
void WriteLongProject(const std::string& dir) {
  WriteFile(dir + "/workstreams/one.json",
            "{\"id\": \"" + kLongId + "\", \"tasks\": [\"t\"], \"estimate_hours\": 100000}\n");
  WriteFile(dir + "/workstreams/two.json", "{\"id\": \"ws-2\", \"tasks\": [\"t\"], \"estimate_hours\": 100000}\n");
  WriteFile(dir + "/workstreams/three.json", "{\"id\": \"ws-3\", \"tasks\": [\"t\"], \"depends_on\": [\"" + kLongId +
                                                 "\", \"ws-2\"], \"estimate_hours\": 1}\n");
}

/// Two workstreams of 2 s (40 estimated hours), then a third: time for
/// `orchestra pause` to come while agents run.
void WritePausableProject(const std::string& dir) {
  WriteFile(dir + "/workstreams/one.json", "{\"id\": \"ws-1\", \"tasks\": [\"t\"], \"estimate_hours\": 40}\n");
  WriteFile(dir + "/workstreams/two.json", "{\"id\": \"ws-2\", \"tasks\": [\"t\"], \"estimate_hours\": 40}\n");
  WriteFile(dir + "/workstreams/three.json",
            "{\"id\": \"ws-3\", \"tasks\": [\"t\"], \"depends_on\": [\"ws-1\", \"ws-2\"], \"estimate_hours\": 40}\n");
}

/// Three short workstreams (0.05 s each): a and b, then c.
void WriteShortProject(const std::string& dir) {
  WriteFile(dir + "/workstreams/a.json", "{\"id\": \"a\", \"tasks\": [\"t\"], \"estimate_hours\": 1}\n");
  WriteFile(dir + "/workstreams/b.json", "{\"id\": \"b\", \"tasks\": [\"t\"], \"estimate_hours\": 1}\n");
  WriteFile(dir + "/workstreams/c.json",
            "{\"id\": \"c\", \"tasks\": [\"t\"], \"depends_on\": [\"a\", \"b\"], \"estimate_hours\": 1}\n");
}

// The block's rows, whole: the status line, and an attempt row whose
// workstream column holds `ids` (a regex), padded.
const char kStatusRow[] =
    R"(orchestra \d/[03] done  \d running  \d waiting  0 failed  0 blocked  (ETA \S+|STOPPING|PAUSED))";

std::string AttemptRow(const std::string& ids) {
  return R"(  agent-[12]    ()" + ids + R"() * attempt 1  [ 0-9.hms]{7}  (setup|agent))";
}

bool Matches(const std::string& row, const std::string& pattern) {
  return std::regex_match(row, std::regex(pattern));
}

bool AnyRowMatches(const std::vector<std::string>& rows, const std::string& pattern) {
  for (const std::string& row : rows) {
    if (Matches(row, pattern)) return true;
  }
  return false;
}

/// Columns of a row of the emulator's screen: one a UTF-8 character.
int Columns(const std::string& row) {
  int columns = 0;
  for (const char byte : row) columns += (static_cast<unsigned char>(byte) & 0xC0) != 0x80;
  return columns;
}

/// A status line, or what is left of one.
bool LooksLikeStatus(const std::string& row) {
  return Matches(row, R"(.*orchestra \d+/\d+ done.*)") || row.find("STOPP") != std::string::npos;
}

std::string Join(const std::vector<std::string>& rows) {
  std::string text;
  for (const std::string& row : rows) text += row + "\n";
  return text;
}

/// Every block erased by a redraw has only block rows, each narrower than
/// `columns`; `^C` may sit below one (the terminal's echo of Ctrl-C, which the
/// next redraw must erase too). Returns how many blocks said `state`
/// (STOPPING, PAUSED) instead of an ETA.
int CheckErasedBlocks(const TerminalScreen& screen, int columns, const std::string& attempt_row,
                      const std::string& state = "STOPPING") {
  int stopping = 0;
  for (const std::vector<std::string>& block : screen.erased()) {
    EXPECT_FALSE(block.empty());
    for (size_t i = 0; i < block.size(); ++i) {
      const std::string& row = block[i];
      EXPECT_LT(Columns(row), columns) << row;
      if (i == 0) {
        EXPECT_TRUE(Matches(row, kStatusRow)) << "not a status line: '" << row << "'\n" << Join(block);
        stopping += Matches(row, ".*  " + state);
      } else {
        EXPECT_TRUE(Matches(row, attempt_row) || row == "^C") << "not an attempt row: '" << row << "'\n"
                                                              << Join(block);
      }
    }
  }
  return stopping;
}

/// `lines` as a terminal `columns` wide shows them: a line longer than the
/// width continues on the next row.
std::vector<std::string> Wrapped(const std::vector<std::string>& lines, size_t columns) {
  std::vector<std::string> rows;
  for (const std::string& line : lines) {
    for (size_t at = 0; at == 0 || at < line.size(); at += columns) {
      const std::string row = line.substr(at, columns);
      rows.push_back(row.substr(0, row.find_last_not_of(' ') + 1));  // as the screen shows it
    }
  }
  return rows;
}

/// The transcript is the event lines (those of logs/orchestrator.log, wrapped
/// at `columns`), an empty row, then the summary, which ends with `ending`;
/// nothing of the live block is left anywhere. `ending` is a regex.
void CheckTranscript(const std::string& project, const TerminalScreen& screen, size_t columns,
                     const std::string& ending) {
  const std::vector<std::string> transcript = screen.Transcript();
  const std::vector<std::string> events = Wrapped(ReadLines(project + "/logs/orchestrator.log"), columns);
  ASSERT_GT(transcript.size(), events.size() + 1) << Join(transcript);
  EXPECT_EQ(Join(std::vector<std::string>(transcript.begin(), transcript.begin() + events.size())), Join(events));
  EXPECT_EQ(transcript[events.size()], "") << Join(transcript);
  EXPECT_TRUE(Matches(transcript.back(), R"(Wall time \S+: )" + ending)) << Join(transcript);
  for (const std::string& row : transcript) {
    EXPECT_FALSE(LooksLikeStatus(row)) << "a status line or a piece of one is left: " << row;
    EXPECT_EQ(row.find("^C"), std::string::npos) << "the ^C echo is left: " << row;
  }
}

TEST(LiveDisplayTest, CtrlCAtEightyColumnsLeavesOnlyTheEventsAndTheSummary) {
  TempDir project;
  WriteLongProject(project.path());
  PtyProcess run(project.path(), {"--agents", "2", "run"}, 80, 24);
  TerminalScreen screen(80, 24);
  // 79 columns at most: the workstream column narrows to 40 and the long id ends with "…".
  const std::string attempt_row = AttemptRow("ws-1-a-workstream-whose-name-is-longer-…|ws-2");
  ASSERT_TRUE(run.ReadUntil(&screen, [&] {
    const std::vector<std::string> rows = screen.Screen();
    return AnyRowMatches(rows, AttemptRow("ws-1-a-workstream-whose-name-is-longer-…")) &&
           AnyRowMatches(rows, AttemptRow("ws-2"));
  })) << run.output();
  run.Type("\x03");
  ASSERT_TRUE(run.ReadToEnd(&screen));
  EXPECT_EQ(run.Wait(), 130);
  EXPECT_GT(CheckErasedBlocks(screen, 80, attempt_row), 0) << "no STOPPING block was drawn";
  CheckTranscript(project.path(), screen, 80, "interrupted; `orchestra run` resumes");
}

TEST(LiveDisplayTest, SigwinchChangesTheWidthOfTheBlockAndSigtermClearsIt) {
  TempDir project;
  WriteLongProject(project.path());
  PtyProcess run(project.path(), {"--agents", "2", "run"}, 80, 24);
  TerminalScreen screen(80, 24);
  ASSERT_TRUE(run.ReadUntil(&screen, [&] {
    return AnyRowMatches(screen.Screen(), AttemptRow("ws-1-a-workstream-whose-name-is-longer-…"));
  })) << run.output();
  // Wider: the whole id shows. (The kernel sends SIGWINCH; the display reads
  // the new size and redraws at its next tick.)
  run.Resize(160, 24);
  screen.Resize(160);
  ASSERT_TRUE(run.ReadUntil(&screen, [&] { return AnyRowMatches(screen.Screen(), AttemptRow(kLongId)); }))
      << run.output();
  // Narrower than at the start: the workstream column gives way to 20 columns.
  run.Resize(60, 24);
  screen.Resize(60);
  ASSERT_TRUE(run.ReadUntil(&screen, [&] {
    const std::vector<std::string> rows = screen.Screen();
    return AnyRowMatches(rows, AttemptRow("ws-1-a-workstream-w…")) &&
           AnyRowMatches(rows, "orchestra 0/3 done  2 running  1 waiting  0 failed  0 bloc…");
  })) << run.output();
  kill(run.pid(), SIGTERM);  // the other way to stop a run: same end, same exit code
  ASSERT_TRUE(run.ReadToEnd(&screen));
  EXPECT_EQ(run.Wait(), 130);
  for (const std::string& row : screen.Transcript()) {
    EXPECT_FALSE(LooksLikeStatus(row)) << "a status line or a piece of one is left: " << row;
  }
  EXPECT_TRUE(Matches(screen.Transcript().back(), R"(Wall time \S+: interrupted; `orchestra run` resumes)"))
      << Join(screen.Transcript());
}

TEST(LiveDisplayTest, PauseAtEightyColumnsLeavesOnlyTheEventsAndTheSummary) {
  TempDir project;
  WritePausableProject(project.path());
  PtyProcess run(project.path(), {"--agents", "2", "run"}, 80, 24);
  TerminalScreen screen(80, 24);
  ASSERT_TRUE(run.ReadUntil(&screen, [&] { return AnyRowMatches(screen.Screen(), AttemptRow("ws-2")); }))
      << run.output();
  const CommandResult pause = RunOrchestra(project.path(), {"pause"});
  ASSERT_EQ(pause.exit_code, 0) << pause.out << pause.err;
  ASSERT_TRUE(run.ReadToEnd(&screen));
  EXPECT_EQ(run.Wait(), 0);
  EXPECT_GT(CheckErasedBlocks(screen, 80, AttemptRow("ws-1|ws-2|ws-3"), "PAUSED"), 0) << "no PAUSED block was drawn";
  CheckTranscript(project.path(), screen, 80, "paused; `orchestra run` resumes");
}

TEST(LiveDisplayTest, RunToTheEndAt160ColumnsLeavesTheEventsAndTheSummary) {
  TempDir project;
  WriteShortProject(project.path());
  PtyProcess run(project.path(), {"--agents", "2", "run"}, 160, 24);
  TerminalScreen screen(160, 24);
  ASSERT_TRUE(run.ReadToEnd(&screen));
  EXPECT_EQ(run.Wait(), 0);
  EXPECT_EQ(screen.wraps(), 0) << Join(screen.Transcript());  // nothing at all is wider than 160
  EXPECT_EQ(CheckErasedBlocks(screen, 160, AttemptRow("a|b|c")), 0);
  EXPECT_FALSE(screen.erased().empty());
  CheckTranscript(project.path(), screen, 160, "all selected workstreams completed");
}

}  // namespace
}  // namespace orchestra::testing
