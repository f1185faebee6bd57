#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
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

}  // namespace

std::string ProcessResult::Describe() const {
  if (!spawn_error.empty()) return "could not start: " + spawn_error;
  std::string ending;
  if (term_signal != 0) {
    ending = "killed by signal " + std::to_string(term_signal);
    if (const char* abbreviation = sigabbrev_np(term_signal)) {
      ending += " (SIG" + std::string(abbreviation) + ")";
    }
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

UvProcessRunner::UvProcessRunner(uv_loop_s* loop) : loop_(loop) {}

UvProcessRunner::~UvProcessRunner() {
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

void UvProcessRunner::Terminate(int64_t handle) {
  Child* child = ChildAccess::Find(this, handle);
  if (child == nullptr || !child->spawned || child->exited) return;
  ChildAccess::BeginTermination(child);
}

void UvProcessRunner::Kill(int64_t handle) {
  Child* child = ChildAccess::Find(this, handle);
  if (child == nullptr || !child->spawned || child->exited) return;
  SignalGroup(child->pid, SIGKILL);
  kill(child->pid, SIGKILL);
}

int64_t UvProcessRunner::OutputBytes(int64_t handle) const {
  for (const std::unique_ptr<Child>& child : children_) {
    if (child->handle == handle && child->log) return child->log->bytes_received();
  }
  return 0;
}

size_t UvProcessRunner::running() const {
  return static_cast<size_t>(std::count_if(children_.begin(), children_.end(),
                                           [](const std::unique_ptr<Child>& child) {
                                             return child->spawned;
                                           }));
}

}  // namespace orchestra
