// The run display: on a terminal, a live block (done/total, running agents with
// their workstream and elapsed time, failed/blocked counts, ETA) under a scroll
// of events; elsewhere, plain timestamped lines. Also mirrors every event to
// logs/orchestrator.log.
#pragma once

#include <cstdio>
#include <fstream>
#include <string>

#include "clock.h"
#include "run_observer.h"

namespace orchestra {

/// Display renders run events for a person watching.
class Display : public RunObserver {
 public:
  /// `out` is where to write (stdout); `live` redraws a status block (a
  /// terminal), `color` uses ANSI colours. `log_path` receives every event.
  Display(std::FILE* out, bool live, bool color, const Clock* clock, const std::string& log_path);
  ~Display() override;

  void OnEvent(const LogEntry& event, const RunProgress& progress) override;
  void OnTick(const RunProgress& progress) override;
  /// Removes the live block (before the final summary is printed).
  void Finish();

 private:
  void ClearBlock();
  void DrawBlock(const RunProgress& progress);
  std::string Colored(const std::string& text, const char* code) const;

  std::FILE* out_;
  bool live_;
  bool color_;
  const Clock* clock_;
  std::ofstream log_;
  int block_lines_ = 0;
};

/// True when `stream` is a terminal and the user has not asked for plain output.
bool IsTerminal(std::FILE* stream);
/// True unless NO_COLOR is set (https://no-color.org) or `stream` is no terminal.
bool UseColor(std::FILE* stream);

}  // namespace orchestra
