#include "display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "terminal_text.h"
#include "workstream.h"

namespace orchestra {

namespace {

// The narrowest the workstream column of the attempt rows becomes to make
// room for the rest of the row.
constexpr int kWorkstreamColumnMin = 12;

// Set by the SIGWINCH handler, read (and cleared) by the display.
volatile std::sig_atomic_t window_resized = 0;

void OnWindowResized(int) { window_resized = 1; }

}  // namespace

bool IsTerminal(std::FILE* stream) {
  const char* term = std::getenv("TERM");
  return isatty(fileno(stream)) && !(term && std::string(term) == "dumb");
}

bool UseColor(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  return IsTerminal(stream) && !(no_color && *no_color);
}

Display::Display(std::FILE* out, bool live, bool color, const Clock* clock, const std::string& log_path)
    : out_(out), live_(live), color_(color), clock_(clock) {
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(log_path).parent_path(), ignored);
  // "e": O_CLOEXEC, so no agent inherits the orchestrator's log (docs/security.md).
  log_.reset(std::fopen(log_path.c_str(), "ae"));
  if (!live_) return;
  struct sigaction action = {};
  action.sa_handler = OnWindowResized;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a resize must not fail a write or a wait
  watching_resize_ = sigaction(SIGWINCH, &action, &previous_resize_action_) == 0;
  window_resized = 1;  // the first draw reads the size
}

Display::~Display() { Finish(); }

std::string Display::Colored(const std::string& text, const char* code) const {
  return color_ ? fmt::format("\033[{}m{}\033[0m", code, text) : text;
}

void Display::ReadWindowSizeIfResized() {
  if (!window_resized) return;
  window_resized = 0;
  winsize size = {};
  if (ioctl(fileno(out_), TIOCGWINSZ, &size) != 0) return;  // keep the last size
  if (size.ws_col > 0) columns_ = size.ws_col;
  if (size.ws_row > 0) rows_ = size.ws_row;
}

std::string Display::ClearBlock() {
  if (!live_ || block_lines_ == 0) return "";
  // From column 0 (a ^C the terminal echoed may have moved the cursor), up to
  // the block's first row, then clear everything below.
  const int lines = block_lines_;
  block_lines_ = 0;
  return fmt::format("\r\033[{}A\033[J", lines);
}

std::vector<std::string> Display::BlockLines(const RunProgress& progress, int width, int max_lines) const {
  std::vector<std::string> lines;
  // Pausing or stopping, the ETA means nothing; saying so takes its place, so
  // an 80-column line has room for it.
  std::string state = "ETA " + (progress.eta_seconds < 0 ? "?" : FormatDuration(progress.eta_seconds));
  if (progress.paused) state = Colored("PAUSED", "33");
  if (progress.budget_spent) state = Colored("BUDGET SPENT", "33");
  if (progress.stopping) state = Colored("STOPPING", "31");
  // The cost comes last: on a narrow terminal it is cut before the ETA.
  if (progress.spent_usd) state += "  " + FormatCost(*progress.spent_usd);
  lines.push_back(fmt::format("{} {}/{} done  {} running  {} waiting  {} failed  {} blocked  {}",
                              Colored("orchestra", "1"), progress.completed, progress.total, progress.running,
                              progress.waiting,
                              progress.failed > 0 ? Colored(std::to_string(progress.failed), "31") : "0",
                              progress.blocked > 0 ? Colored(std::to_string(progress.blocked), "33") : "0", state));
  const int attempts = static_cast<int>(progress.attempts.size());
  // All attempts, or as many as leave a row to say how many more there are.
  const int shown = attempts < max_lines ? attempts : std::max(0, max_lines - 2);
  // Each row is the agent, the workstream, then what the eye looks for (the
  // attempt, elapsed time, phase): on a narrow terminal the workstream column
  // gives way first, down to kWorkstreamColumnMin.
  const double now = clock_->Now();
  std::vector<std::pair<std::string, std::string>> around_id;  // before and after the workstream
  int id_column = 0;
  int others = 0;
  for (int i = 0; i < shown; ++i) {
    const RunningAttempt& attempt = progress.attempts[i];
    around_id.emplace_back(fmt::format("  {:<10} ", attempt.agent_id),
                           fmt::format(" attempt {}  {:>7}  {}", attempt.attempt,
                                       FormatDuration(now - attempt.started_at), attempt.phase));
    id_column = std::max(id_column, DisplayWidth(attempt.workstream_id));
    others = std::max(others, DisplayWidth(around_id.back().first) + DisplayWidth(around_id.back().second));
  }
  id_column = std::min(id_column, std::max(kWorkstreamColumnMin, width - others));
  for (int i = 0; i < shown; ++i) {
    const std::string id = FitToWidth(progress.attempts[i].workstream_id, id_column);
    lines.push_back(around_id[i].first + id + std::string(id_column - DisplayWidth(id), ' ') +
                    around_id[i].second);
  }
  if (shown < attempts) lines.push_back(fmt::format("  … {} more running", attempts - shown));
  for (const std::string& note : progress.type_notes) {
    if (static_cast<int>(lines.size()) >= max_lines) break;
    lines.push_back("  " + FitToWidth(note, std::max(1, width - 2)));
  }
  return lines;
}

std::string Display::DrawBlock(const RunProgress& progress) {
  if (!live_) return "";
  ReadWindowSizeIfResized();
  // The last column stays empty: a line that fills it leaves some terminals
  // wrapping and others not, and the next redraw would miscount the rows.
  const int width = std::max(1, columns_ - 1);
  // One row below the block for the cursor; cursor-up cannot reach rows that
  // scrolled off the top, so a taller block would leave copies behind.
  const int max_lines = std::max(1, rows_ - 1);
  std::string block;
  int lines = 0;
  for (const std::string& line : BlockLines(progress, width, max_lines)) {
    block += FitToWidth(line, width) + "\n";
    if (++lines == max_lines) break;
  }
  block_lines_ = lines;
  return block;
}

void Display::OnEvent(const LogEntry& event, const RunProgress& progress) {
  const std::string line = fmt::format("{} {:<12} {}", event.timestamp, event.event_type, event.message);
  if (log_ != nullptr) {
    std::fwrite(line.data(), 1, line.size(), log_.get());
    std::fputc('\n', log_.get());
    std::fflush(log_.get());
  }
  const char* color = "0";
  if (event.event_type == "completed") color = "32";
  if (event.event_type == "failed" || event.event_type == "timeout") color = "31";
  if (event.event_type == "retry" || event.event_type == "blocked") color = "33";
  // One write: the old block goes, the event takes its place, the block follows.
  std::string text = ClearBlock();
  text += event.timestamp + " " + Colored(fmt::format("{:<12} {}", event.event_type, event.message), color) + "\n";
  text += DrawBlock(progress);
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
}

void Display::OnTick(const RunProgress& progress) {
  if (!live_) return;
  std::string text = ClearBlock();  // before DrawBlock, which counts the new block's lines
  text += DrawBlock(progress);
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
}

void Display::Finish() {
  std::fputs(ClearBlock().c_str(), out_);
  std::fflush(out_);
  if (watching_resize_) {
    sigaction(SIGWINCH, &previous_resize_action_, nullptr);
    watching_resize_ = false;
  }
}

}  // namespace orchestra
