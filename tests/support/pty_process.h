// The orchestra binary on a pseudo-terminal of a chosen size, for tests of
// what it draws on a terminal: the test types keys, resizes the window and
// reads everything the program wrote.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "terminal_screen.h"

namespace orchestra::testing {

/// PtyProcess runs `orchestra args...` in `cwd` as the session leader of a new
/// pseudo-terminal `columns` x `rows`, with TERM=xterm-256color and colours on.
class PtyProcess {
 public:
  PtyProcess(const std::string& cwd, const std::vector<std::string>& args, int columns, int rows);
  /// Kills the process if the test left it running.
  ~PtyProcess();
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  /// Feeds output to `screen` until `done()` holds after a read; false when
  /// the output ended first or `timeout_seconds` passed (a hang: the test fails).
  bool ReadUntil(TerminalScreen* screen, const std::function<bool()>& done, double timeout_seconds = 60);
  /// Feeds output to `screen` until the program closes the terminal; false
  /// when nothing came for `timeout_seconds`.
  bool ReadToEnd(TerminalScreen* screen, double timeout_seconds = 60);
  /// Sets the window size (TIOCSWINSZ); the kernel sends SIGWINCH to the program.
  void Resize(int columns, int rows);
  /// Writes `keys` as typed: "\x03" is Ctrl-C (the terminal echoes ^C and
  /// sends SIGINT).
  void Type(const std::string& keys);
  /// Waits for the exit (see WaitForExit); 128 + signal when killed by one.
  int Wait(double timeout_seconds = 120);

  pid_t pid() const { return pid_; }
  /// Everything read so far, as written.
  const std::string& output() const { return output_; }

 private:
  /// One read into `screen`; false at the end of output or after the timeout.
  bool ReadOnce(TerminalScreen* screen, double timeout_seconds);

  pid_t pid_ = -1;
  int master_ = -1;
  bool ended_ = false;
  bool waited_ = false;
  std::string output_;
};

}  // namespace orchestra::testing
