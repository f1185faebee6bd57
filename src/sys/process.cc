#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "log_sink.h"
#include "process_table.h"

extern char** environ;

namespace orchestra {

namespace {

// One read from a child's pipe: the pipe's default capacity on Linux.
constexpr size_t kReadBytes = 64 * 1024;

uint64_t ToMilliseconds(double seconds) {
  return seconds <= 0 ? 0 : static_cast<uint64_t>(std::ceil(seconds * 1000));
}

// "2s", "0.5s": timeouts are usually whole seconds and should read that way.
std::string FormatSeconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%gs", seconds);
  return text;
}

std::string KeyOf(const std::string& entry) { return entry.substr(0, entry.find('=')); }

// Our environment with `overrides` added; an override replaces every entry of
// ours with the same key, so the child never sees two values for one name.
std::vector<std::string> MergeEnvironment(const std::vector<std::string>& overrides) {
  std::vector<std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) merged.emplace_back(*entry);
  for (const std::string& override_entry : overrides) {
    const std::string key = KeyOf(override_entry);
    std::erase_if(merged, [&](const std::string& entry) { return KeyOf(entry) == key; });
    merged.push_back(override_entry);
  }
  return merged;
}

// The null-terminated char* array libuv wants; points into `strings`.
std::vector<char*> PointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Opens the log for appending (creating its folders), or /dev/null when there
// is no log. Returns -1 with `*error` on failure.
int OpenLog(const std::string& path, std::string* error) {
  if (path.empty()) return open("/dev/null", O_WRONLY | O_CLOEXEC);
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ignored;  // open() below reports the problem that matters
    std::filesystem::create_directories(parent, ignored);
  }
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) *error = "cannot open log file '" + path + "': " + std::strerror(errno);
  return fd;
}

// Best effort: the line only helps whoever reads the log later, and the caller
// gets the same text as an error anyway.
void WriteLine(int fd, const std::string& line) {
  const std::string text = line + "\n";
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t count = write(fd, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return;
    written += static_cast<size_t>(count);
  }
}

// pidfd_open(2) and pidfd_send_signal(2) (Linux 5.3, 5.1), through syscall():
// glibc 2.36's <sys/pidfd.h> declares them without C linkage for C++.
int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }
int PidfdSendSignal(int pidfd, int signal_number) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, signal_number, nullptr, 0));
}

// The fds a supervisor gets besides stdin, stdout and stderr (/dev/null):
// the secrets to redact and the shared output counter.
constexpr int kSecretsFd = 3;
constexpr int kProgressFd = 4;

std::string Number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// A memfd holding `text` from offset 0, or -1.
int MemoryFile(const char* name, const std::string& text) {
  const int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t count = write(fd, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      close(fd);
      return -1;
    }
    written += static_cast<size_t>(count);
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

// The supervisor's shared output counter in `fd`, mapped, or null.
int64_t* MapCounter(int fd) {
  void* mapped = mmap(nullptr, sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return mapped == MAP_FAILED ? nullptr : static_cast<int64_t*>(mapped);
}

}  // namespace

std::string SupervisorBesideUs() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "";
  const std::filesystem::path beside = self.parent_path() / "orchestra-supervise";
  return access(beside.c_str(), X_OK) == 0 ? beside.string() : "";
}

ProcessResult ResultOf(const SupervisorStatus& status) {
  ProcessResult result;
  result.exit_code = status.exit_code;
  result.term_signal = status.term_signal;
  result.timed_out = status.timed_out;
  result.timeout_seconds = status.timeout_seconds;
  result.spawn_error = status.spawn_error;
  result.duration_seconds = status.duration_seconds();
  result.log_offset = status.log_offset;
  result.contained = status.containment == "cgroup";
  return result;
}

namespace {

/// "signal 9 (SIGKILL)".
std::string SignalName(int signal_number) {
  std::string name = "signal " + std::to_string(signal_number);
  if (const char* abbreviation = sigabbrev_np(signal_number)) name += " (SIG" + std::string(abbreviation) + ")";
  return name;
}

}  // namespace

std::string SupervisorLoss(bool waited, int wait_status) {
  std::string how = "its supervisor ended";
  if (waited && WIFSIGNALED(wait_status)) {
    how = "its supervisor was killed by " + SignalName(WTERMSIG(wait_status));
  } else if (waited && WIFEXITED(wait_status)) {
    how = "its supervisor exited with code " + std::to_string(WEXITSTATUS(wait_status));
  }
  return how + " without recording how the agent ended";
}

std::string ProcessResult::Describe() const {
  if (!spawn_error.empty()) return "could not start: " + spawn_error;
  if (!lost.empty()) return "lost: " + lost;
  std::string ending;
  if (term_signal != 0) {
    ending = "killed by " + SignalName(term_signal);
  } else {
    ending = "exit code " + std::to_string(exit_code);
  }
  if (!timed_out) return ending;
  return "timed out after " + FormatSeconds(timeout_seconds) + ", " + ending;
}

/// One started (or failed) child and the libuv handles that watch it. It lives
/// until the last of its handles is closed, which can be after the runner is
/// gone; libuv holds raw pointers to the handles until then.
struct UvProcessRunner::Child {
  UvProcessRunner* runner = nullptr;  // null once the runner is destroyed
  int64_t handle = 0;
  int pid = 0;
  bool spawned = false;  // false: uv_spawn failed, nobody is told about the end
  bool exited = false;   // reaped by libuv (or by the destructor)
  double kill_grace_seconds = 0;
  uint64_t started_ns = 0;
  int open_handles = 0;  // initialised handles whose close callback has not run
  ExitCallback on_exit;
  ProcessResult result;
  uv_process_t process{};
  uv_timer_t timeout_timer{};
  uv_timer_t grace_timer{};
  uv_pipe_t output{};        // the read end of the child's stdout and stderr
  bool output_open = false;  // reading; false after EOF, an error or the leader's exit
  std::unique_ptr<LogSink> log;
  std::unique_ptr<char[]> read_buffer;
};

/// A supervisor we watch: started by us (a child we reap) or adopted from an
/// earlier orchestrator. Lives until its poll handle is closed.
struct UvProcessRunner::Supervised {
  UvProcessRunner* runner = nullptr;  // null once the runner is destroyed
  int64_t handle = 0;
  int pid = 0;
  bool ours = false;    // our child: reaped with waitpid
  bool exited = false;  // its pidfd became readable
  int pidfd = -1;
  uv_poll_t poll{};
  int64_t* progress = nullptr;  // its shared output counter, mapped
  std::string status_path;
  std::string log_path;
  double timeout_seconds = 0;
  ExitCallback on_exit;
  ProcessResult result;
};

/// The libuv callbacks, which need the runner's private parts.
struct ChildAccess {
  using Child = UvProcessRunner::Child;

  static Child* Find(UvProcessRunner* runner, int64_t handle) {
    for (const std::unique_ptr<Child>& child : runner->children_) {
      if (child->handle == handle) return child.get();
    }
    return nullptr;
  }

  static void CloseHandle(uv_handle_t* handle) {
    if (!uv_is_closing(handle)) uv_close(handle, OnClosed);
  }

  static void CloseHandles(Child* child) {
    CloseHandle(reinterpret_cast<uv_handle_t*>(&child->process));
    if (!child->spawned) return;  // the timers are only initialised after a spawn
    CloseHandle(reinterpret_cast<uv_handle_t*>(&child->timeout_timer));
    CloseHandle(reinterpret_cast<uv_handle_t*>(&child->grace_timer));
    CloseHandle(reinterpret_cast<uv_handle_t*>(&child->output));
  }

  static void OnAllocate(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buffer) {
    Child* child = static_cast<Child*>(handle->data);
    if (!child->read_buffer) child->read_buffer = std::make_unique<char[]>(kReadBytes);
    *buffer = uv_buf_init(child->read_buffer.get(), kReadBytes);
  }

  static void OnRead(uv_stream_t* stream, ssize_t count, const uv_buf_t* buffer) {
    Child* child = static_cast<Child*>(stream->data);
    if (count > 0) child->log->Write(std::string_view(buffer->base, static_cast<size_t>(count)));
    if (count < 0) StopOutput(child);  // EOF (every writer closed it) or an error
  }

  static void StopOutput(Child* child) {
    if (!child->output_open) return;
    child->output_open = false;
    CloseHandle(reinterpret_cast<uv_handle_t*>(&child->output));
  }

  // Once the leader is gone: reads what the pipe holds now, without waiting
  // for more, then closes it and completes the log. A daemon that escaped the
  // group may hold the write end open forever; what it prints later is lost.
  static void EndOutput(Child* child) {
    if (child->output_open) {
      uv_os_fd_t fd = -1;
      int available = 0;
      if (uv_fileno(reinterpret_cast<uv_handle_t*>(&child->output), &fd) == 0 &&
          ioctl(fd, FIONREAD, &available) == 0) {
        if (!child->read_buffer) child->read_buffer = std::make_unique<char[]>(kReadBytes);
        while (available > 0) {  // only what is there now: a writer that goes on cannot hold us
          const ssize_t count = read(fd, child->read_buffer.get(),
                                     std::min(kReadBytes, static_cast<size_t>(available)));
          if (count < 0 && errno == EINTR) continue;
          if (count <= 0) break;
          child->log->Write(std::string_view(child->read_buffer.get(), static_cast<size_t>(count)));
          available -= static_cast<int>(count);
        }
      }
      StopOutput(child);
    }
    if (child->log) child->log->Finish();
  }

  // SIGTERM now, SIGKILL after the grace period unless it is already pending
  // (a Terminate after a timeout must not postpone the SIGKILL). The leader is
  // signalled by pid too in case it left its group; it is not reaped yet, so
  // its pid cannot have been reused.
  static void BeginTermination(Child* child) {
    SignalGroup(child->pid, SIGTERM);
    kill(child->pid, SIGTERM);
    if (uv_is_active(reinterpret_cast<uv_handle_t*>(&child->grace_timer))) return;
    uv_timer_start(&child->grace_timer, OnGraceOver, ToMilliseconds(child->kill_grace_seconds),
                   0);
  }

  static void OnTimeout(uv_timer_t* timer) {
    Child* child = static_cast<Child*>(timer->data);
    child->result.timed_out = true;
    BeginTermination(child);
  }

  static void OnGraceOver(uv_timer_t* timer) {
    Child* child = static_cast<Child*>(timer->data);
    SignalGroup(child->pid, SIGKILL);
    kill(child->pid, SIGKILL);
  }

  static void OnExit(uv_process_t* process, int64_t exit_status, int term_signal) {
    Child* child = static_cast<Child*>(process->data);
    child->exited = true;
    child->result.duration_seconds = static_cast<double>(uv_hrtime() - child->started_ns) / 1e9;
    child->result.term_signal = term_signal;
    if (term_signal == 0) child->result.exit_code = static_cast<int>(exit_status);
    // Nothing of an agent outlives its attempt: whatever it left in its group
    // (a background `sleep &`, a dev server) goes now. The leader is reaped, but
    // its pid stays reserved while any member still uses it as a group id, so
    // this cannot reach a stranger's group.
    SignalGroup(child->pid, SIGKILL);
    EndOutput(child);
    CloseHandles(child);
  }

  // on_exit is called from here, after the child's last handle closed, so that
  // the callback sees a runner with this child fully gone and may do anything.
  static void OnClosed(uv_handle_t* handle) {
    Child* child = static_cast<Child*>(handle->data);
    if (--child->open_handles > 0) return;
    std::unique_ptr<Child> owned;
    UvProcessRunner* runner = child->runner;
    if (runner != nullptr) {
      std::vector<std::unique_ptr<Child>>& children = runner->children_;
      auto found = std::find_if(children.begin(), children.end(),
                                [&](const std::unique_ptr<Child>& each) {
                                  return each.get() == child;
                                });
      owned = std::move(*found);
      children.erase(found);
    } else {
      owned.reset(child);  // released by the runner's destructor
    }
    const bool report = runner != nullptr && child->spawned && child->on_exit;
    ProcessRunner::ExitCallback on_exit = std::move(child->on_exit);
    const ProcessResult result = child->result;
    owned.reset();
    if (report) on_exit(result);
  }
};

/// The callbacks of supervised processes.
struct SupervisedAccess {
  using Supervised = UvProcessRunner::Supervised;

  static Supervised* Find(UvProcessRunner* runner, int64_t handle) {
    for (const std::unique_ptr<Supervised>& watched : runner->supervised_) {
      if (watched->handle == handle) return watched.get();
    }
    return nullptr;
  }

  static void Signal(Supervised* watched, int signal_number) {
    if (watched->exited) return;
    // Through the pidfd: it cannot reach a stranger that reused the pid.
    PidfdSendSignal(watched->pidfd, signal_number);
  }

  // The supervisor is gone: its status file says how the agent ended.
  static void Collect(Supervised* watched, int wait_status) {
    SupervisorStatus status;
    std::string error;
    if (ReadSupervisorStatus(watched->log_path, watched->status_path, &status, &error)) {
      watched->result = ResultOf(status);
      return;
    }
    // It died without recording the end (killed outright, or a full disk):
    // the attempt failed; what it left is found by the attempt-key scan.
    watched->result = ProcessResult();
    watched->result.timeout_seconds = watched->timeout_seconds;
    watched->result.term_signal = SIGKILL;
    watched->result.lost = SupervisorLoss(watched->ours, wait_status);
    const std::string line = "orchestra: " + watched->result.lost +
                             (error.empty() ? std::string() : " (" + error + ")") + "\n";
    const int fd = open(watched->log_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0) {
      WriteLine(fd, line.substr(0, line.size() - 1));
      close(fd);
    }
  }

  static void OnPoll(uv_poll_t* poll, int /*status*/, int /*events*/) {
    Supervised* watched = static_cast<Supervised*>(poll->data);
    uv_poll_stop(poll);
    watched->exited = true;
    int wait_status = 0;
    if (watched->ours) {
      while (waitpid(watched->pid, &wait_status, 0) < 0 && errno == EINTR) {
      }
    }
    Collect(watched, wait_status);
    uv_close(reinterpret_cast<uv_handle_t*>(poll), OnClosed);
  }

  static void Release(Supervised* watched) {
    if (watched->progress != nullptr) munmap(watched->progress, sizeof(int64_t));
    watched->progress = nullptr;
    if (watched->pidfd >= 0) close(watched->pidfd);
    watched->pidfd = -1;
  }

  static void OnClosed(uv_handle_t* handle) {
    Supervised* watched = static_cast<Supervised*>(handle->data);
    Release(watched);
    std::unique_ptr<Supervised> owned;
    UvProcessRunner* runner = watched->runner;
    if (runner != nullptr) {
      auto found = std::find_if(runner->supervised_.begin(), runner->supervised_.end(),
                                [&](const std::unique_ptr<Supervised>& each) { return each.get() == watched; });
      owned = std::move(*found);
      runner->supervised_.erase(found);
    } else {
      owned.reset(watched);  // released by the runner's destructor
    }
    ProcessRunner::ExitCallback on_exit = std::move(watched->on_exit);
    const ProcessResult result = watched->result;
    owned.reset();
    if (runner != nullptr && on_exit) on_exit(result);
  }
};

UvProcessRunner::UvProcessRunner(uv_loop_s* loop, std::string supervisor)
    : loop_(loop), supervisor_(supervisor.empty() ? SupervisorBesideUs() : std::move(supervisor)) {}

UvProcessRunner::~UvProcessRunner() {
  for (std::unique_ptr<Supervised>& owned : supervised_) {
    Supervised* watched = owned.release();  // its close callback frees it
    watched->runner = nullptr;
    if (watched->exited) continue;  // its handle is already closing
    // It kills its agent at once, records that and exits; ours are reaped here.
    SupervisedAccess::Signal(watched, SIGUSR1);
    if (watched->ours) {
      int status = 0;
      while (waitpid(watched->pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    watched->exited = true;
    uv_poll_stop(&watched->poll);
    uv_close(reinterpret_cast<uv_handle_t*>(&watched->poll), SupervisedAccess::OnClosed);
  }
  for (std::unique_ptr<Child>& owned : children_) {
    Child* child = owned.release();  // its close callbacks free it
    child->runner = nullptr;
    if (!child->spawned || child->exited) continue;  // its handles are already closing
    SignalGroup(child->pid, SIGKILL);
    kill(child->pid, SIGKILL);
    // Reap it here: the loop may never run again, and once its handle is closed
    // libuv no longer waits for it. SIGKILL makes this prompt unless the child
    // is stuck in the kernel (uninterruptible sleep), where nothing else helps.
    int status = 0;
    while (waitpid(child->pid, &status, 0) < 0 && errno == EINTR) {
    }
    child->exited = true;
    ChildAccess::EndOutput(child);
    ChildAccess::CloseHandles(child);
  }
}

bool UvProcessRunner::Start(const ProcessSpec& spec, ExitCallback on_exit, int64_t* handle,
                            int* pid, std::string* error) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    *error = "cannot start a process without a program (argv is empty)";
    return false;
  }
  if (!spec.status_path.empty()) return StartSupervised(spec, std::move(on_exit), handle, pid, error);
  const std::string& program = spec.argv[0];
  const int log_fd = OpenLog(spec.log_path, error);
  if (log_fd < 0) return false;
  // Fail early, and with a clearer message than the ENOENT that chdir() in the
  // child would give (which would read like a missing program).
  std::error_code ignored;
  if (!spec.cwd.empty() && !std::filesystem::is_directory(spec.cwd, ignored)) {
    *error = "cannot start '" + program + "': working directory '" + spec.cwd +
             "' does not exist";
    WriteLine(log_fd, *error);
    close(log_fd);
    return false;
  }
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int output_fds[2] = {-1, -1};  // the child's stdout and stderr: [1] theirs, [0] ours
  if (null_fd < 0 || pipe2(output_fds, O_CLOEXEC) != 0) {
    *error = "cannot start '" + program + "': " +
             (null_fd < 0 ? "cannot open /dev/null: " : "cannot create a pipe: ") + std::strerror(errno);
    WriteLine(log_fd, *error);
    close(log_fd);
    if (null_fd >= 0) close(null_fd);
    return false;
  }

  std::vector<std::string> arguments = spec.argv;
  std::vector<char*> argument_pointers = PointersTo(arguments);
  std::vector<std::string> environment = MergeEnvironment(spec.env);
  std::vector<char*> environment_pointers = PointersTo(environment);
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_INHERIT_FD;
  stdio[0].data.fd = null_fd;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = output_fds[1];
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = output_fds[1];
  uv_process_options_t options{};
  options.exit_cb = ChildAccess::OnExit;
  options.file = argument_pointers[0];
  options.args = argument_pointers.data();
  options.env = environment_pointers.data();
  options.cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();
  // DETACHED makes the child call setsid(): it leads its own process group, so
  // kill(-pid) reaches its descendants too, and a Ctrl-C aimed at our terminal
  // group does not hit it behind our back.
  options.flags = UV_PROCESS_DETACHED;
  options.stdio_count = 3;
  options.stdio = stdio;

  auto child = std::make_unique<Child>();
  child->runner = this;
  child->handle = next_handle_++;
  child->kill_grace_seconds = spec.kill_grace_seconds;
  child->on_exit = std::move(on_exit);
  child->result.timeout_seconds = spec.timeout_seconds;
  child->process.data = child.get();
  child->started_ns = uv_hrtime();
  const int status = uv_spawn(loop_, &child->process, &options);
  child->open_handles = 1;  // uv_spawn initialises the handle even when it fails
  close(null_fd);
  close(output_fds[1]);  // the child has its copies; EOF comes when every writer closed it
  if (status != 0) {
    *error = "cannot start '" + program + "': " + uv_strerror(status);
    if (status == UV_ENOENT || status == UV_EACCES) *error += " (check the agent's argv)";
    WriteLine(log_fd, *error);
    close(log_fd);
    close(output_fds[0]);
    Child* failed = child.get();
    children_.push_back(std::move(child));
    ChildAccess::CloseHandles(failed);  // libuv wants even a failed handle closed
    return false;
  }

  child->spawned = true;
  child->pid = child->process.pid;
  child->log = std::make_unique<LogSink>(log_fd, spec.redact, spec.max_log_bytes);
  uv_timer_init(loop_, &child->timeout_timer);
  uv_timer_init(loop_, &child->grace_timer);
  uv_pipe_init(loop_, &child->output, 0);
  child->timeout_timer.data = child.get();
  child->grace_timer.data = child.get();
  child->output.data = child.get();
  child->open_handles = 4;
  const int opened = uv_pipe_open(&child->output, output_fds[0]);
  if (opened != 0 || uv_read_start(reinterpret_cast<uv_stream_t*>(&child->output), ChildAccess::OnAllocate,
                                   ChildAccess::OnRead) != 0) {
    // Unheard of for a fresh pipe; the child runs on, its output unread.
    if (opened != 0) close(output_fds[0]);
    child->log->Write("orchestra: cannot read the process's output\n");
  } else {
    child->output_open = true;
  }
  if (spec.timeout_seconds > 0) {
    uv_timer_start(&child->timeout_timer, ChildAccess::OnTimeout,
                   ToMilliseconds(spec.timeout_seconds), 0);
  }
  *handle = child->handle;
  *pid = child->pid;
  children_.push_back(std::move(child));
  return true;
}

bool UvProcessRunner::StartSupervised(const ProcessSpec& spec, ExitCallback on_exit, int64_t* handle, int* pid,
                                      std::string* error) {
  const std::string& program = spec.argv[0];
  if (supervisor_.empty()) {
    *error = "cannot start '" + program + "': orchestra-supervise is missing beside the orchestra binary " +
             "(reinstall orchestra: it installs both)";
    return false;
  }
  if (!spec.log_path.empty()) {
    const std::filesystem::path parent = std::filesystem::path(spec.log_path).parent_path();
    std::error_code ignored;  // the supervisor reports a log it cannot open
    if (!parent.empty() && !std::filesystem::is_directory(parent, ignored)) {
      std::filesystem::create_directories(parent, ignored);
    }
  }
  ClearSupervisorStatus(spec.log_path, spec.status_path);  // a stale one must not pass for this process's end
  std::string secrets;
  for (const std::string& secret : spec.redact) secrets += secret + '\0';
  const int secrets_fd = spec.redact.empty() ? -1 : MemoryFile("orchestra-secrets", secrets);
  const int progress_fd = MemoryFile("orchestra-progress", std::string(sizeof(int64_t), '\0'));
  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  const bool made = progress_fd >= 0 && null_fd >= 0 && (spec.redact.empty() || secrets_fd >= 0);
  auto close_all = [&] {
    for (int fd : {secrets_fd, progress_fd, null_fd}) {
      if (fd >= 0) close(fd);
    }
  };
  if (!made) {
    *error = "cannot start '" + program + "': " + std::strerror(errno);
    close_all();
    return false;
  }

  std::vector<std::string> arguments = {supervisor_, "--log", spec.log_path, "--status", spec.status_path,
                                        "--progress-fd", std::to_string(kProgressFd)};
  if (spec.log_path.empty()) arguments[2] = "/dev/null";
  if (secrets_fd >= 0) arguments.insert(arguments.end(), {"--secrets-fd", std::to_string(kSecretsFd)});
  if (spec.max_log_bytes > 0) arguments.insert(arguments.end(), {"--max-log-bytes", std::to_string(spec.max_log_bytes)});
  if (spec.timeout_seconds > 0) arguments.insert(arguments.end(), {"--timeout", Number(spec.timeout_seconds)});
  arguments.insert(arguments.end(), {"--grace", Number(spec.kill_grace_seconds)});
  if (!spec.cwd.empty()) arguments.insert(arguments.end(), {"--cwd", spec.cwd});
  arguments.push_back("--");
  arguments.insert(arguments.end(), spec.argv.begin(), spec.argv.end());
  std::vector<char*> argument_pointers = PointersTo(arguments);
  std::vector<std::string> environment = MergeEnvironment(spec.env);
  std::vector<char*> environment_pointers = PointersTo(environment);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, null_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, null_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, null_fd, 2);
  if (secrets_fd >= 0) posix_spawn_file_actions_adddup2(&actions, secrets_fd, kSecretsFd);
  posix_spawn_file_actions_adddup2(&actions, progress_fd, kProgressFd);
  // Nothing else of ours (the state database, the lock, orchestrator.log).
  posix_spawn_file_actions_addclosefrom_np(&actions, kProgressFd + 1);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  for (int number = 1; number < SIGRTMIN; ++number) {
    if (number != SIGKILL && number != SIGSTOP) sigaddset(&default_signals, number);
  }
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  // Its own session: our terminal's Ctrl-C and our death do not reach it.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t supervisor_pid = 0;
  const int spawned = posix_spawn(&supervisor_pid, supervisor_.c_str(), &actions, &attributes,
                                  argument_pointers.data(), environment_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) {
    *error = "cannot start '" + program + "': cannot start " + supervisor_ + ": " + std::strerror(spawned);
    close_all();
    return false;
  }
  // posix_spawn returned once the supervisor's exec succeeded. Whether the
  // agent could start is not waited for here (that would hold the loop for
  // the agent's own exec at every launch): an agent that cannot start ends
  // its supervisor with the reason in the status file, and on_exit reports it
  // as the result's spawn_error.
  auto watched = std::make_unique<Supervised>();
  watched->pid = supervisor_pid;
  watched->ours = true;
  watched->pidfd = PidfdOpen(supervisor_pid);
  watched->progress = MapCounter(progress_fd);
  watched->status_path = spec.status_path;
  watched->log_path = spec.log_path;
  watched->timeout_seconds = spec.timeout_seconds;
  watched->on_exit = std::move(on_exit);
  close_all();
  if (watched->pidfd < 0) {
    *error = "cannot start '" + program + "': cannot watch its supervisor (pidfd_open: " +
             std::strerror(errno) + "; Linux 5.3 or later has it)";
    kill(supervisor_pid, SIGUSR1);
    int ignored = 0;
    while (waitpid(supervisor_pid, &ignored, 0) < 0 && errno == EINTR) {
    }
    if (watched->progress != nullptr) munmap(watched->progress, sizeof(int64_t));
    return false;
  }
  *handle = next_handle_;
  *pid = supervisor_pid;
  Watch(std::move(watched));
  return true;
}

bool UvProcessRunner::Adopt(int pid, int64_t start_time, const std::string& status_path, ExitCallback on_exit,
                            int64_t* handle, std::string* error) {
  const int pidfd = pid > 1 ? PidfdOpen(pid) : -1;
  if (pidfd < 0) {
    *error = "process " + std::to_string(pid) + " is gone";
    return false;
  }
  // Checked after the pidfd is open: it is that process for as long as we hold it.
  if (ProcessStartTime(pid) != start_time) {
    close(pidfd);
    *error = "process " + std::to_string(pid) + " is gone (its pid now belongs to another process)";
    return false;
  }
  auto watched = std::make_unique<Supervised>();
  watched->pid = pid;
  watched->pidfd = pidfd;
  watched->status_path = status_path;
  watched->log_path = status_path.size() > 7 && status_path.ends_with(".status")
                          ? status_path.substr(0, status_path.size() - 7) + ".log"
                          : status_path;
  watched->on_exit = std::move(on_exit);
  // Its shared output counter, for the stall watch (best effort).
  const int progress_fd = open(("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(kProgressFd)).c_str(),
                               O_RDWR | O_CLOEXEC);
  if (progress_fd >= 0) {
    watched->progress = MapCounter(progress_fd);
    close(progress_fd);
  }
  *handle = next_handle_;
  Watch(std::move(watched));
  return true;
}

void UvProcessRunner::Watch(std::unique_ptr<Supervised> watched) {
  watched->runner = this;
  watched->handle = next_handle_++;
  watched->poll.data = watched.get();
  uv_poll_init(loop_, &watched->poll, watched->pidfd);
  uv_poll_start(&watched->poll, UV_READABLE, SupervisedAccess::OnPoll);
  supervised_.push_back(std::move(watched));
}

void UvProcessRunner::Terminate(int64_t handle) {
  if (Supervised* watched = SupervisedAccess::Find(this, handle)) return SupervisedAccess::Signal(watched, SIGTERM);
  Child* child = ChildAccess::Find(this, handle);
  if (child == nullptr || !child->spawned || child->exited) return;
  ChildAccess::BeginTermination(child);
}

void UvProcessRunner::Kill(int64_t handle) {
  if (Supervised* watched = SupervisedAccess::Find(this, handle)) return SupervisedAccess::Signal(watched, SIGUSR1);
  Child* child = ChildAccess::Find(this, handle);
  if (child == nullptr || !child->spawned || child->exited) return;
  SignalGroup(child->pid, SIGKILL);
  kill(child->pid, SIGKILL);
}

int64_t UvProcessRunner::OutputBytes(int64_t handle) const {
  for (const std::unique_ptr<Supervised>& watched : supervised_) {
    if (watched->handle == handle && watched->progress != nullptr) {
      return __atomic_load_n(watched->progress, __ATOMIC_RELAXED);
    }
  }
  for (const std::unique_ptr<Child>& child : children_) {
    if (child->handle == handle && child->log) return child->log->bytes_received();
  }
  return 0;
}

size_t UvProcessRunner::running() const {
  return supervised_.size() + static_cast<size_t>(std::count_if(children_.begin(), children_.end(),
                                           [](const std::unique_ptr<Child>& child) {
                                             return child->spawned;
                                           }));
}

}  // namespace orchestra
