// Built only into ThreadSanitizer builds (-DORCHESTRA_SANITIZE=thread), linked
// into each executable that runs libuv: tells TSan about the descriptors libuv
// closes, which it otherwise never sees.
//
// Why: on Linux, libuv closes descriptors with a raw `syscall(SYS_close, fd)`
// (uv__close_nocancel in its src/unix/core.c), not close(); only a libuv built
// with clang's TSan reports those closes to the sanitizer itself. Debian's
// libuv is not instrumented, so TSan keeps every descriptor libuv closed
// (a pipe2() of a child's output, say) open in its books, and when the kernel
// hands the same number to an open() on another thread (the dashboard's
// worker opening the state database) it reports a data race on the
// descriptor that never was one. TSan does not intercept syscall(), so this
// definition, in the executable, is the one libuv's call reaches: it does what
// libuv's own TSan build does (the sanitizer's close hooks around the real
// call) and forwards every other system call unchanged.
#include <dlfcn.h>
#include <sys/syscall.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>

// The sanitizer runtime's close hooks (clang's <sanitizer/linux_syscall_hooks.h>
// wraps them in macros; gcc ships no such header, the runtime has them both).
extern "C" void __sanitizer_syscall_pre_impl_close(long fd);
extern "C" void __sanitizer_syscall_post_impl_close(long result, long fd);

namespace {

using SyscallFunction = long (*)(long, ...);

// glibc's syscall(), looked up once; no function-local static, whose guard
// may itself wait with syscall(SYS_futex).
std::atomic<SyscallFunction> real_syscall{nullptr};

SyscallFunction RealSyscall() {
  SyscallFunction function = real_syscall.load(std::memory_order_acquire);
  if (function == nullptr) {
    function = reinterpret_cast<SyscallFunction>(dlsym(RTLD_NEXT, "syscall"));
    real_syscall.store(function, std::memory_order_release);
  }
  return function;
}

}  // namespace

extern "C" long syscall(long number, ...) noexcept {
  // Six arguments, as the kernel takes and glibc's own syscall() reads them:
  // the registers of those the caller did not pass hold nothing it needs.
  va_list arguments;
  va_start(arguments, number);
  long a[6];
  for (long& argument : a) argument = va_arg(arguments, long);
  va_end(arguments);
  if (number != SYS_close) return RealSyscall()(number, a[0], a[1], a[2], a[3], a[4], a[5]);
  __sanitizer_syscall_pre_impl_close(a[0]);
  long result = RealSyscall()(number, a[0]);
  int error = errno;
  __sanitizer_syscall_post_impl_close(result, a[0]);
  errno = error;
  return result;
}
