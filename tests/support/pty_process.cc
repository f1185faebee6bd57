#include "pty_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <gtest/gtest.h>

#include "cli_harness.h"
#include "test_paths.h"

extern char** environ;

namespace orchestra::testing {

namespace {

std::string Join(const std::vector<std::string>& rows) {
  std::string text;
  for (const std::string& row : rows) text += row + "\n";
  return text;
}

}  // namespace

PtyProcess::PtyProcess(const std::string& cwd, const std::vector<std::string>& args, int columns, int rows) {
  std::vector<std::string> argv{ORCHESTRA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> environment{"TERM=xterm-256color"};
  for (char** variable = environ; *variable; ++variable) {
    const std::string entry = *variable;
    if (entry.rfind("TERM=", 0) != 0 && entry.rfind("NO_COLOR=", 0) != 0) environment.push_back(entry);
  }
  // Built before fork: the child only calls what is safe after it.
  std::vector<char*> argv_pointers;
  for (std::string& arg : argv) argv_pointers.push_back(arg.data());
  argv_pointers.push_back(nullptr);
  std::vector<char*> environment_pointers;
  for (std::string& entry : environment) environment_pointers.push_back(entry.data());
  environment_pointers.push_back(nullptr);
  winsize size = {};
  size.ws_col = static_cast<unsigned short>(columns);
  size.ws_row = static_cast<unsigned short>(rows);
  pid_ = forkpty(&master_, nullptr, nullptr, &size);
  if (pid_ == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    execve(argv_pointers[0], argv_pointers.data(), environment_pointers.data());
    _exit(127);
  }
  if (pid_ < 0) ADD_FAILURE() << "forkpty: " << std::strerror(errno);
}

PtyProcess::~PtyProcess() {
  if (pid_ > 0 && !waited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (master_ >= 0) close(master_);
}

bool PtyProcess::ReadOnce(TerminalScreen* screen, double timeout_seconds) {
  if (ended_ || master_ < 0) return false;
  pollfd ready = {master_, POLLIN, 0};
  const int polled = poll(&ready, 1, static_cast<int>(timeout_seconds * 1000));
  if (polled < 0 && errno == EINTR) return true;
  if (polled <= 0) {
    ADD_FAILURE() << "no output for " << timeout_seconds << "s; so far:\n" << output_;
    return false;
  }
  char buffer[4096];
  const ssize_t count = read(master_, buffer, sizeof buffer);
  if (count < 0 && errno == EINTR) return true;
  if (count <= 0) {  // EIO: every holder of the terminal's other end has closed it
    ended_ = true;
    return false;
  }
  const std::string bytes(buffer, static_cast<size_t>(count));
  output_ += bytes;
  screen->Feed(bytes);
  return true;
}

bool PtyProcess::ReadUntil(TerminalScreen* screen, const std::function<bool()>& done, double timeout_seconds) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  while (ReadOnce(screen, timeout_seconds)) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > give_up) {
      ADD_FAILURE() << "still waiting after " << timeout_seconds << "s; the screen:\n" << Join(screen->Screen());
      return false;
    }
  }
  return false;
}

bool PtyProcess::ReadToEnd(TerminalScreen* screen, double timeout_seconds) {
  while (ReadOnce(screen, timeout_seconds)) {
  }
  return ended_;
}

void PtyProcess::Resize(int columns, int rows) {
  winsize size = {};
  size.ws_col = static_cast<unsigned short>(columns);
  size.ws_row = static_cast<unsigned short>(rows);
  if (ioctl(master_, TIOCSWINSZ, &size) != 0) ADD_FAILURE() << "TIOCSWINSZ: " << std::strerror(errno);
}

void PtyProcess::Type(const std::string& keys) {
  if (write(master_, keys.data(), keys.size()) != static_cast<ssize_t>(keys.size())) {
    ADD_FAILURE() << "writing to the terminal: " << std::strerror(errno);
  }
}

int PtyProcess::Wait(double timeout_seconds) {
  waited_ = true;
  return WaitForExit(pid_, timeout_seconds);
}

}  // namespace orchestra::testing
