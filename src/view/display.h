// The run display: on a terminal, a live block (done/total, running agents with
// their workstream and elapsed time, failed/blocked counts, ETA) under a scroll
// of events; elsewhere, plain timestamped lines. Also mirrors every event to
// logs/orchestrator.log.
//
// The live block is redrawn in place: the cursor goes back to the start of the
// block, clears to the end of the screen and draws it again, so the scrollback
// keeps only the event lines. That works only if the block takes exactly as
// many rows as it has lines, so every line is fitted to the terminal's width
// (FitToWidth) and the block to its height. The size is read with TIOCGWINSZ
// when the display starts and again after a SIGWINCH, at the next tick or event.
#pragma once

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "clock.h"
#include "run_observer.h"

namespace orchestra {

/// Display renders run events for a person watching. Not thread-safe; one
/// live Display at a time (it owns the process's SIGWINCH handler meanwhile).
class Display : public RunObserver {
 public:
  /// `out` is where to write (stdout); `live` redraws a status block (a
  /// terminal), `color` uses ANSI colours. `log_path` receives every event.
  Display(std::FILE* out, bool live, bool color, const Clock* clock, const std::string& log_path);
  ~Display() override;

  void OnEvent(const LogEntry& event, const RunProgress& progress) override;
  void OnTick(const RunProgress& progress) override;
  /// Removes the live block (before the final summary is printed) and gives
  /// SIGWINCH back to its previous handler. Every exit path of a run calls it.
  void Finish();

 private:
  /// What moves the cursor back to the block's first row and clears from
  /// there to the end of the screen ("" when no block is drawn).
  std::string ClearBlock();
  /// The block, fitted to the window, each line ending in a newline.
  std::string DrawBlock(const RunProgress& progress);
  /// The block's lines: the status line, then one per attempt, its workstream
  /// column narrowed to fit `width` where it can; at most `max_lines` in all
  /// (the last then says how many attempts did not fit).
  std::vector<std::string> BlockLines(const RunProgress& progress, int width, int max_lines) const;
  /// Reads the window size again when a SIGWINCH came since the last read.
  void ReadWindowSizeIfResized();
  std::string Colored(const std::string& text, const char* code) const;

  std::FILE* out_;
  bool live_;
  bool color_;
  const Clock* clock_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> log_{nullptr, &std::fclose};
  int block_lines_ = 0;
  int columns_ = 80;
  int rows_ = 24;
  bool watching_resize_ = false;
  struct sigaction previous_resize_action_ = {};
};

/// True when `stream` is a terminal and the user has not asked for plain output.
bool IsTerminal(std::FILE* stream);
/// True unless NO_COLOR is set (https://no-color.org) or `stream` is no terminal.
bool UseColor(std::FILE* stream);

}  // namespace orchestra
