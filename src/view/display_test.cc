#include "display.h"

#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "temp_dir.h"
#include "terminal_screen.h"
#include "virtual_time.h"

namespace orchestra {
namespace {

using testing::TerminalScreen;

/// A pseudo-terminal `columns` x `rows` whose far end the test reads.
class Pty {
 public:
  Pty(int columns, int rows) {
    winsize size = {};
    size.ws_col = static_cast<unsigned short>(columns);
    size.ws_row = static_cast<unsigned short>(rows);
    int terminal = -1;
    EXPECT_EQ(openpty(&master_, &terminal, nullptr, nullptr, &size), 0);
    out_ = fdopen(terminal, "w");
  }
  ~Pty() {
    std::fclose(out_);
    close(master_);
  }
  std::FILE* out() const { return out_; }
  void Resize(int columns, int rows) {
    winsize size = {};
    size.ws_col = static_cast<unsigned short>(columns);
    size.ws_row = static_cast<unsigned short>(rows);
    ioctl(master_, TIOCSWINSZ, &size);
  }
  /// Everything written so far. A pty passes text on asynchronously, so a
  /// marker written last tells when all of it has come through.
  std::string Drain() {
    static const std::string kMarker = "<drained>";
    std::fputs(kMarker.c_str(), out_);
    std::fflush(out_);
    std::string text;
    char buffer[4096];
    while (text.size() < kMarker.size() || text.compare(text.size() - kMarker.size(), kMarker.size(), kMarker) != 0) {
      pollfd ready = {master_, POLLIN, 0};
      if (poll(&ready, 1, 60'000) <= 0) {
        ADD_FAILURE() << "the marker did not come through; so far: " << text;
        break;
      }
      const ssize_t count = read(master_, buffer, sizeof buffer);
      if (count > 0) text.append(buffer, static_cast<size_t>(count));
    }
    return text.substr(0, text.size() - std::min(text.size(), kMarker.size()));
  }

 private:
  int master_ = -1;
  std::FILE* out_ = nullptr;
};

RunProgress Running(int attempts) {
  RunProgress progress;
  progress.total = 40;
  progress.running = attempts;
  progress.waiting = 40 - attempts;
  progress.eta_seconds = 65;
  for (int i = 1; i <= attempts; ++i) {
    progress.attempts.push_back({"ws-" + std::to_string(i), "agent-" + std::to_string(i), 1, 990, "agent"});
  }
  return progress;
}

TEST(DisplayTest, ABlockTallerThanTheWindowSaysHowManyAttemptsDidNotFit) {
  testing::TempDir logs;
  Pty pty(80, 10);
  testing::ManualClock clock(1000);
  Display display(pty.out(), true, false, &clock, logs / "orchestrator.log");
  display.OnTick(Running(30));
  TerminalScreen screen(80, 10);
  screen.Feed(pty.Drain());
  // Nine lines: the tenth row is the cursor's, so the next redraw can reach the first.
  EXPECT_EQ(screen.Screen(), (std::vector<std::string>{
                                 "orchestra 0/40 done  30 running  10 waiting  0 failed  0 blocked  ETA 1m05s",
                                 "  agent-1    ws-1 attempt 1      10s  agent",
                                 "  agent-2    ws-2 attempt 1      10s  agent",
                                 "  agent-3    ws-3 attempt 1      10s  agent",
                                 "  agent-4    ws-4 attempt 1      10s  agent",
                                 "  agent-5    ws-5 attempt 1      10s  agent",
                                 "  agent-6    ws-6 attempt 1      10s  agent",
                                 "  agent-7    ws-7 attempt 1      10s  agent",
                                 "  … 23 more running",
                                 "",
                             }));
  display.Finish();
  screen.Feed(pty.Drain());
  EXPECT_EQ(screen.Transcript(), std::vector<std::string>{});
}

TEST(DisplayTest, TheBlockShowsTheCostTheBudgetAndRateLimitedTypes) {
  testing::TempDir logs;
  Pty pty(100, 24);
  testing::ManualClock clock(1000);
  Display display(pty.out(), true, false, &clock, logs / "orchestrator.log");
  RunProgress progress = Running(1);
  progress.spent_usd = 1.5;
  progress.type_notes = {"claude: rate-limited, resuming in 25s"};
  display.OnTick(progress);
  TerminalScreen screen(100, 24);
  screen.Feed(pty.Drain());
  const std::vector<std::string> shown = screen.Screen();
  EXPECT_EQ(std::vector<std::string>(shown.begin(), shown.begin() + 3),
            (std::vector<std::string>{
                "orchestra 0/40 done  1 running  39 waiting  0 failed  0 blocked  ETA 1m05s  $1.50",
                "  agent-1    ws-1 attempt 1      10s  agent",
                "  claude: rate-limited, resuming in 25s",
            }));
  progress.budget_spent = true;
  display.OnTick(progress);
  screen.Feed(pty.Drain());
  EXPECT_EQ(screen.Screen()[0], "orchestra 0/40 done  1 running  39 waiting  0 failed  0 blocked  BUDGET SPENT  $1.50");
  display.Finish();
}

TEST(DisplayTest, ATickAfterSigwinchDrawsAtTheNewWidth) {
  testing::TempDir logs;
  Pty pty(80, 24);
  testing::ManualClock clock(1000);
  Display display(pty.out(), true, false, &clock, logs / "orchestrator.log");
  display.OnTick(Running(1));
  TerminalScreen screen(80, 24);
  screen.Feed(pty.Drain());
  EXPECT_EQ(screen.Screen()[0], "orchestra 0/40 done  1 running  39 waiting  0 failed  0 blocked  ETA 1m05s");
  // The window is not this process's controlling terminal: the signal is sent by hand.
  pty.Resize(40, 24);
  screen.Resize(40);
  std::raise(SIGWINCH);
  display.OnTick(Running(1));
  screen.Feed(pty.Drain());
  EXPECT_EQ(screen.Transcript(), (std::vector<std::string>{
                                     "orchestra 0/40 done  1 running  39 wai…",
                                     "  agent-1    ws-1 attempt 1      10s  …",
                                 }));
  display.Finish();
}

TEST(DisplayTest, ElsewhereEventsArePlainLinesAndNothingElse) {
  testing::TempDir dir;
  std::FILE* out = std::fopen((dir / "out").c_str(), "w+");
  testing::ManualClock clock(1000);
  {
    Display display(out, false, false, &clock, dir / "orchestrator.log");
    display.OnEvent({0, "2026-12-01 10:00:00", "a", "agent-1", "started", "attempt 1 of a started on agent-1"},
                    Running(1));
    display.OnTick(Running(1));
    display.Finish();
  }
  std::fclose(out);
  const std::string line = "2026-12-01 10:00:00 started      attempt 1 of a started on agent-1\n";
  EXPECT_EQ(testing::ReadFile(dir / "out"), line);
  EXPECT_EQ(testing::ReadFile(dir / "orchestrator.log"), line);
}

}  // namespace
}  // namespace orchestra
