#include "display.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "workstream.h"

namespace orchestra {

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
  log_.open(log_path, std::ios::app);
}

Display::~Display() { Finish(); }

std::string Display::Colored(const std::string& text, const char* code) const {
  return color_ ? fmt::format("\033[{}m{}\033[0m", code, text) : text;
}

void Display::ClearBlock() {
  if (!live_ || block_lines_ == 0) return;
  std::fprintf(out_, "\033[%dA\033[J", block_lines_);
  block_lines_ = 0;
}

void Display::DrawBlock(const RunProgress& progress) {
  if (!live_) return;
  const double now = clock_->Now();
  std::string block = fmt::format(
      "{} {}/{} done  {} running  {} waiting  {} failed  {} blocked  ETA {}{}\n",
      Colored("orchestra", "1"), progress.completed, progress.total, progress.running,
      progress.waiting, progress.failed > 0 ? Colored(std::to_string(progress.failed), "31") : "0",
      progress.blocked > 0 ? Colored(std::to_string(progress.blocked), "33") : "0",
      progress.eta_seconds < 0 ? "?" : FormatDuration(progress.eta_seconds),
      progress.paused ? Colored("  PAUSED", "33") : progress.stopping ? Colored("  STOPPING", "31") : "");
  int lines = 1;
  for (const RunningAttempt& attempt : progress.attempts) {
    block += fmt::format("  {:<10} {:<44} attempt {}  {:>7}  {}\n", attempt.agent_id,
                         attempt.workstream_id, attempt.attempt,
                         FormatDuration(now - attempt.started_at), attempt.phase);
    ++lines;
  }
  std::fputs(block.c_str(), out_);
  std::fflush(out_);
  block_lines_ = lines;
}

void Display::OnEvent(const LogEntry& event, const RunProgress& progress) {
  const std::string line = fmt::format("{} {:<12} {}", event.timestamp, event.event_type, event.message);
  if (log_) log_ << line << std::endl;
  const char* color = "0";
  if (event.event_type == "completed") color = "32";
  if (event.event_type == "failed" || event.event_type == "timeout") color = "31";
  if (event.event_type == "retry" || event.event_type == "blocked") color = "33";
  ClearBlock();
  std::fprintf(out_, "%s %s\n", event.timestamp.c_str(),
               Colored(fmt::format("{:<12} {}", event.event_type, event.message), color).c_str());
  DrawBlock(progress);
  std::fflush(out_);
}

void Display::OnTick(const RunProgress& progress) {
  if (!live_) return;
  ClearBlock();
  DrawBlock(progress);
}

void Display::Finish() {
  ClearBlock();
  std::fflush(out_);
}

}  // namespace orchestra
