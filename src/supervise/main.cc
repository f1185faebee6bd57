// orchestra-supervise: runs ONE agent for the orchestrator and outlives it.
//
//   orchestra-supervise --log PATH --status PATH [--max-log-bytes N] [--timeout S]
//       [--grace S] [--cwd DIR] [--secrets-fd FD] [--progress-fd FD]
//       [--no-cgroup] -- PROGRAM ARGS...
//
// It starts PROGRAM (looked up on PATH, with the environment it was given
// itself, stdin /dev/null) in a session of its own and, where the machine
// allows it, a cgroup v2 of its own; writes its output to the log with secrets
// redacted and the size capped (log_sink.h); enforces the timeout (SIGTERM,
// SIGKILL after the grace period); and when the agent's leader exits, kills
// what is left of the attempt (cgroup.kill, else the process group) and
// records how it ended (supervisor_status.h: the log's extended attribute,
// else the status file), then exits.
//
// The orchestrator talks to it with signals: SIGTERM (or SIGINT) stops the
// agent (SIGTERM, SIGKILL after the grace period), SIGUSR1 kills it now. It
// ignores SIGHUP and SIGPIPE, and its session is its own, so the
// orchestrator's death does not reach it; a restarted orchestrator finds it by
// the pid and start time recorded in the state and collects the recorded end.
//
// The secret values to redact arrive NUL-separated on --secrets-fd, never in
// argv; --progress-fd is a shared 8-byte counter of the bytes printed so far
// (the orchestrator's stall watch reads it). Whether the agent started, and
// why not, is in the status file (spawn_error) like the rest of its end: the
// orchestrator waits for nothing from the supervisor but its exit.
//
// Deliberately small: it links libc, libstdc++ and the dependency-free files
// of src/sys (log_sink, secrets, cgroup, supervisor_status), so that starting
// it costs little (docs/architecture.md).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "read_to_end.h"
#include "cgroup.h"
#include "log_sink.h"
#include "supervisor_status.h"

namespace orchestra {
namespace {

constexpr size_t kReadBytes = 64 * 1024;

struct Options {
  std::string log_path;
  std::string status_path;
  int64_t max_log_bytes = 0;
  double timeout_seconds = 0;
  double grace_seconds = 10;
  std::string cwd;
  int secrets_fd = -1;
  int progress_fd = -1;
  bool cgroups = true;
  std::vector<std::string> argv;
};

double UnixNow() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double MonotonicNow() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

void WriteAll(int fd, const std::string& text) {
  size_t written = 0;
  while (fd >= 0 && written < text.size()) {
    const ssize_t count = write(fd, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return;
    written += static_cast<size_t>(count);
  }
}

// "No such file or directory" -> "no such file or directory", as the
// orchestrator's own messages read.
std::string ErrorText(int error_number) {
  std::string text = std::strerror(error_number);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

bool ParseOptions(int argc, char** argv, Options* options, std::string* error) {
  int i = 1;
  auto value = [&](const char* name) -> const char* {
    if (i + 1 >= argc) {
      *error = std::string(name) + " needs a value";
      return nullptr;
    }
    return argv[++i];
  };
  for (; i < argc; ++i) {
    const std::string flag = argv[i];
    const char* text = nullptr;
    if (flag == "--") {
      ++i;
      break;
    } else if (flag == "--no-cgroup") {
      options->cgroups = false;
    } else if (flag == "--log" || flag == "--status" || flag == "--cwd" || flag == "--max-log-bytes" ||
               flag == "--timeout" || flag == "--grace" || flag == "--secrets-fd" || flag == "--progress-fd") {
      if ((text = value(flag.c_str())) == nullptr) return false;
      if (flag == "--log") options->log_path = text;
      if (flag == "--status") options->status_path = text;
      if (flag == "--cwd") options->cwd = text;
      if (flag == "--max-log-bytes") options->max_log_bytes = std::strtoll(text, nullptr, 10);
      if (flag == "--timeout") options->timeout_seconds = std::strtod(text, nullptr);
      if (flag == "--grace") options->grace_seconds = std::strtod(text, nullptr);
      if (flag == "--secrets-fd") options->secrets_fd = std::atoi(text);
      if (flag == "--progress-fd") options->progress_fd = std::atoi(text);
    } else {
      *error = "unknown option '" + flag + "'";
      return false;
    }
  }
  for (; i < argc; ++i) options->argv.emplace_back(argv[i]);
  if (options->status_path.empty()) *error = "--status is required";
  if (options->argv.empty() || options->argv[0].empty()) *error = "no program to run after --";
  return error->empty();
}

// The secret values, NUL-separated, from `fd` (then closed).
std::vector<std::string> ReadSecrets(int fd) {
  std::vector<std::string> secrets;
  if (fd < 0) return secrets;
  const std::string text = ReadToEnd(fd);
  close(fd);
  size_t start = 0;
  for (size_t end = 0; end <= text.size(); ++end) {
    if (end < text.size() && text[end] != '\0') continue;
    if (end > start) secrets.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return secrets;
}

/// Supervisor runs the agent and watches it until its leader exits.
class Supervisor {
 public:
  explicit Supervisor(Options options) : options_(std::move(options)) {
    // A descriptor we were told of but did not get is none: whatever we open
    // next (the log) would otherwise take its number.
    for (int* fd : {&options_.secrets_fd, &options_.progress_fd}) {
      if (*fd >= 0 && fcntl(*fd, F_GETFD) < 0) *fd = -1;
    }
  }

  int Run() {
    const std::vector<std::string> secrets = ReadSecrets(options_.secrets_fd);
    if (options_.progress_fd >= 0) {
      fcntl(options_.progress_fd, F_SETFD, FD_CLOEXEC);  // never the agent's
      void* mapped = mmap(nullptr, sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED, options_.progress_fd, 0);
      if (mapped != MAP_FAILED) progress_ = static_cast<int64_t*>(mapped);
    }
    int log_fd = options_.log_path.empty() ? open("/dev/null", O_WRONLY | O_CLOEXEC)
                                           : open(options_.log_path.c_str(),
                                                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (log_fd < 0) {
      return Refuse("cannot open log file '" + options_.log_path + "': " + ErrorText(errno), -1);
    }
    struct stat log_stat{};
    if (fstat(log_fd, &log_stat) == 0) status_.log_offset = log_stat.st_size;
    log_ = std::make_unique<LogSink>(log_fd, secrets, options_.max_log_bytes);
    log_fd_ = log_fd;
    status_.timeout_seconds = options_.timeout_seconds;
    if (!cwd_ok()) {
      return Refuse("cannot start '" + options_.argv[0] + "': working directory '" + options_.cwd +
                        "' does not exist",
                    log_fd);
    }
    SetUpCgroup();
    if (!StartAgent()) return Finish();
    Watch();
    EndAttempt();
    return Finish();
  }

 private:
  bool cwd_ok() const {
    struct stat folder{};
    return options_.cwd.empty() || (stat(options_.cwd.c_str(), &folder) == 0 && S_ISDIR(folder.st_mode));
  }

  // Could not even begin: the reason goes to the log and the status.
  int Refuse(const std::string& error, int log_fd) {
    if (log_fd >= 0) WriteAll(log_fd, error + "\n");
    status_.spawn_error = error;
    return Finish();
  }

  void SetUpCgroup() {
    status_.containment = "process group";
    if (!options_.cgroups) return;
    std::string why_not;
    const std::string parent = CgroupParentDir(&why_not);
    if (!parent.empty()) RemoveStaleCgroups(parent, "orchestra-attempt-");
    if (parent.empty() || !cgroup_.Create(parent, "orchestra-attempt-" + std::to_string(getpid()), &why_not)) {
      return;
    }
    status_.containment = "cgroup";
  }

  bool StartAgent() {
    int output[2] = {-1, -1};
    int exec_error[2] = {-1, -1};
    if (pipe2(output, O_CLOEXEC) != 0 || pipe2(exec_error, O_CLOEXEC) != 0) {
      status_.spawn_error = "cannot start '" + options_.argv[0] + "': cannot create a pipe: " + ErrorText(errno);
      log_->Write(status_.spawn_error + "\n");
      return false;
    }
    std::vector<char*> arguments;
    for (std::string& argument : options_.argv) arguments.push_back(argument.data());
    arguments.push_back(nullptr);
    const std::string cgroup_procs = cgroup_.created() ? cgroup_.dir() + "/cgroup.procs" : "";
    status_.started_at = UnixNow();
    started_ = MonotonicNow();
    const pid_t pid = ForkAgent();
    if (pid == 0) {
      // The agent: only async-signal-safe calls from here to exec.
      if (!cgroup_procs.empty() && !born_in_cgroup_) {
        const int procs = open(cgroup_procs.c_str(), O_WRONLY | O_CLOEXEC);
        if (procs >= 0) {
          (void)!write(procs, "0", 1);
          close(procs);
        }
      }
      setsid();
      const int null_fd = open("/dev/null", O_RDONLY);
      if (null_fd >= 0) dup2(null_fd, 0);
      dup2(output[1], 1);
      dup2(output[1], 2);
      for (int number = 1; number < NSIG; ++number) signal(number, SIG_DFL);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      int error_number = 0;
      if (!options_.cwd.empty() && chdir(options_.cwd.c_str()) != 0) {
        error_number = errno;
      } else {
        execvp(arguments[0], arguments.data());
        error_number = errno;
      }
      (void)!write(exec_error[1], &error_number, sizeof error_number);
      _exit(127);
    }
    const int fork_error = errno;
    close(output[1]);
    close(exec_error[1]);
    if (pid < 0) {
      close(output[0]);
      close(exec_error[0]);
      status_.spawn_error = "cannot start '" + options_.argv[0] + "': fork: " + ErrorText(fork_error);
      log_->Write(status_.spawn_error + "\n");
      return false;
    }
    agent_ = pid;
    int error_number = 0;
    ssize_t count;
    do {
      count = read(exec_error[0], &error_number, sizeof error_number);
    } while (count < 0 && errno == EINTR);
    close(exec_error[0]);
    if (count == sizeof error_number) {
      int ignored = 0;
      while (waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
      }
      agent_ = 0;
      close(output[0]);
      status_.spawn_error = "cannot start '" + options_.argv[0] + "': " + ErrorText(error_number);
      if (error_number == ENOENT || error_number == EACCES) status_.spawn_error += " (check the agent's argv)";
      log_->Write(status_.spawn_error + "\n");
      return false;
    }
    output_fd_ = output[0];
    return true;
  }

  // fork(), or where there is a cgroup, clone3(CLONE_INTO_CGROUP) (Linux 5.7):
  // the child starts in it, which costs far less than moving it there by
  // writing cgroup.procs (a migration waits for an RCU grace period, ms).
  pid_t ForkAgent() {
    if (cgroup_.created()) {
      const int dir_fd = open(cgroup_.dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd >= 0) {
        clone_args args{};
        args.flags = CLONE_INTO_CGROUP;
        args.exit_signal = SIGCHLD;
        args.cgroup = static_cast<uint64_t>(dir_fd);
        const long pid = syscall(SYS_clone3, &args, sizeof args);
        const int saved = errno;
        if (pid == 0) {
          born_in_cgroup_ = true;
          return 0;
        }
        close(dir_fd);
        if (pid > 0) return static_cast<pid_t>(pid);
        errno = saved;  // ENOSYS, E2BIG or EINVAL on an older kernel: fork and move it
      }
    }
    return fork();
  }

  // Until the agent's leader exits: its output to the log, signals, the timeout.
  void Watch() {
    const double deadline = options_.timeout_seconds > 0 ? started_ + options_.timeout_seconds : 0;
    std::vector<char> buffer(kReadBytes);
    for (;;) {
      // Reap first: SIGCHLD may have arrived before the signalfd was read.
      int wait_status = 0;
      const pid_t reaped = waitpid(agent_, &wait_status, WNOHANG);
      if (reaped == agent_) {
        status_.ended_at = UnixNow();
        if (WIFSIGNALED(wait_status)) {
          status_.term_signal = WTERMSIG(wait_status);
        } else {
          status_.exit_code = WEXITSTATUS(wait_status);
        }
        return;
      }
      const double now = MonotonicNow();
      if (deadline > 0 && !status_.timed_out && now >= deadline) {
        status_.timed_out = true;
        BeginTermination();
      }
      if (kill_at_ > 0 && now >= kill_at_) {
        KillAll();
        kill_at_ = 0;
      }
      double wake = -1;
      if (deadline > 0 && !status_.timed_out) wake = deadline;
      if (kill_at_ > 0 && (wake < 0 || kill_at_ < wake)) wake = kill_at_;
      const int timeout_ms = wake < 0 ? -1 : static_cast<int>(std::ceil(std::max(0.0, wake - now) * 1000));
      pollfd watched[2] = {{signal_fd_, POLLIN, 0}, {output_fd_, POLLIN, 0}};
      const int count = poll(watched, output_fd_ >= 0 ? 2 : 1, timeout_ms);
      if (count < 0) continue;  // EINTR
      if (watched[0].revents & POLLIN) HandleSignals();
      if (output_fd_ >= 0 && (watched[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        const ssize_t got = read(output_fd_, buffer.data(), buffer.size());
        if (got > 0) {
          Output(std::string_view(buffer.data(), static_cast<size_t>(got)));
        } else if (got == 0 || errno != EINTR) {
          // Every writer closed it (the agent may run on with its stdout
          // closed): only signals and the timeout are left to wait for.
          close(output_fd_);
          output_fd_ = -1;
        }
      }
    }
  }

  void Output(std::string_view text) {
    log_->Write(text);
    status_.output_bytes += static_cast<int64_t>(text.size());
    if (progress_ != nullptr) __atomic_store_n(progress_, status_.output_bytes, __ATOMIC_RELAXED);
  }

  void HandleSignals() {
    signalfd_siginfo info{};
    while (read(signal_fd_, &info, sizeof info) == sizeof info) {
      if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) BeginTermination();
      if (info.ssi_signo == SIGUSR1) KillAll();
    }
  }

  // SIGTERM now, SIGKILL after the grace period unless one is already due
  // (a stop after a timeout must not postpone the SIGKILL).
  void BeginTermination() {
    if (agent_ > 1) {
      kill(-agent_, SIGTERM);
      kill(agent_, SIGTERM);
    }
    if (cgroup_.created()) cgroup_.Signal(SIGTERM);
    if (kill_at_ == 0) kill_at_ = MonotonicNow() + std::max(0.0, options_.grace_seconds);
  }

  void KillAll() {
    if (cgroup_.created()) cgroup_.Kill();
    if (agent_ > 1) {
      kill(-agent_, SIGKILL);
      kill(agent_, SIGKILL);
    }
  }

  // The leader is gone: nothing of the attempt outlives it, and the log gets
  // what the pipe holds now (a daemon that escaped may hold it open forever).
  void EndAttempt() {
    if (cgroup_.created()) {
      status_.leftovers = static_cast<int>(cgroup_.Processes().size());
      cgroup_.Kill();
    } else if (kill(-agent_, 0) == 0) {
      status_.leftovers = -1;  // some, uncounted: the group is not empty
    }
    // The leader is reaped, but its pid stays reserved while a member of its
    // group lives, so this reaches no stranger.
    kill(-agent_, SIGKILL);
    if (output_fd_ >= 0) {
      int available = 0;
      std::vector<char> buffer(kReadBytes);
      if (ioctl(output_fd_, FIONREAD, &available) == 0) {
        while (available > 0) {
          const ssize_t got = read(output_fd_, buffer.data(), std::min(kReadBytes, static_cast<size_t>(available)));
          if (got < 0 && errno == EINTR) continue;
          if (got <= 0) break;
          Output(std::string_view(buffer.data(), static_cast<size_t>(got)));
          available -= static_cast<int>(got);
        }
      }
      close(output_fd_);
      output_fd_ = -1;
    }
    log_->Finish();
    if (status_.leftovers > 0 && cgroup_.created()) {
      WriteAll(log_fd_, "orchestra: killed " + std::to_string(status_.leftovers) +
                            " leftover process(es) of this attempt (its cgroup)\n");
    }
    if (cgroup_.created()) cgroup_.Remove(5);
  }

  int Finish() {
    if (status_.ended_at == 0) status_.ended_at = UnixNow();
    if (status_.started_at == 0) status_.started_at = status_.ended_at;
    log_.reset();  // completes and closes the log before the status says it is done
    std::string error;
    if (!WriteSupervisorStatus(options_.log_path, options_.status_path, status_, &error)) {
      std::fprintf(stderr, "orchestra-supervise: %s\n", error.c_str());
      return 1;
    }
    return 0;
  }

 public:
  bool BlockSignals() {
    sigset_t handled;
    sigemptyset(&handled);
    for (int number : {SIGCHLD, SIGTERM, SIGINT, SIGUSR1}) sigaddset(&handled, number);
    if (sigprocmask(SIG_BLOCK, &handled, nullptr) != 0) return false;
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal_fd_ = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
    return signal_fd_ >= 0;
  }

 private:
  Options options_;
  SupervisorStatus status_;
  std::unique_ptr<LogSink> log_;
  int log_fd_ = -1;  // owned by log_; for lines after its Finish
  AttemptCgroup cgroup_;
  int64_t* progress_ = nullptr;
  int signal_fd_ = -1;
  int output_fd_ = -1;
  pid_t agent_ = 0;
  bool born_in_cgroup_ = false;  // in the agent's process: clone3 put it in the cgroup
  double started_ = 0;
  double kill_at_ = 0;  // when the grace period ends (monotonic), 0: not stopping
};

}  // namespace
}  // namespace orchestra

int main(int argc, char** argv) {
  orchestra::Options options;
  std::string error;
  if (!orchestra::ParseOptions(argc, argv, &options, &error)) {
    std::fprintf(stderr,
                 "orchestra-supervise: %s\nusage: orchestra-supervise --log PATH --status PATH [--max-log-bytes N] "
                 "[--timeout S] [--grace S] [--cwd DIR] [--secrets-fd FD] [--progress-fd FD] "
                 "[--no-cgroup] -- PROGRAM ARGS...\n",
                 error.c_str());
    return 2;
  }
  orchestra::Supervisor supervisor(std::move(options));
  if (!supervisor.BlockSignals()) {
    std::fprintf(stderr, "orchestra-supervise: cannot set up its signals: %s\n", std::strerror(errno));
    return 1;
  }
  return supervisor.Run();
}
