// RunBeside: one pass over large input split in two, the second half on a
// helper thread (the loader's large arrays and large folders).
#pragma once

#include <exception>
#include <thread>
#include <utility>

namespace orchestra {

/// Runs `helper` on a thread of its own while `work` runs on this one, and
/// returns once both have ended. An exception from `work` reaches the caller
/// (after the helper has ended); else one from `helper` does.
template <typename Helper, typename Work>
void RunBeside(Helper&& helper, Work&& work) {
  std::exception_ptr helper_error;
  {
    std::jthread thread([&] {
      try {
        helper();
      } catch (...) {
        helper_error = std::current_exception();
      }
    });
    std::forward<Work>(work)();
  }  // joins
  if (helper_error) std::rethrow_exception(helper_error);
}

}  // namespace orchestra
