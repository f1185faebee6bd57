// Notices the workstreams folder changing while a run goes on. The run keeps
// what it loaded (its plan, prompts and graph never change under it); the
// watch says which files were edited, added or removed, so the user knows the
// next `orchestra run` will load something else.
#pragma once

#include <uv.h>

#include <functional>
#include <map>
#include <string>

namespace orchestra {

/// WorkstreamsWatch watches one workstreams folder (its `*.json` files, as the
/// loader reads them) on a libuv loop, without keeping the loop alive, and
/// reports each settled change once: the files that differ from what it saw
/// last, as one sentence.
class WorkstreamsWatch {
 public:
  using Report = std::function<void(const std::string& message)>;

  /// Starts from `loaded` (file name -> ContentFingerprint, what the run
  /// loaded: Project::workstream_files); when it is empty, from the folder's
  /// files as they are now.
  WorkstreamsWatch(uv_loop_t* loop, std::string folder, Report report,
                   const std::map<std::string, std::string>& loaded = {});
  ~WorkstreamsWatch();  // closes its handles; the loop frees them when it next runs
  WorkstreamsWatch(const WorkstreamsWatch&) = delete;
  WorkstreamsWatch& operator=(const WorkstreamsWatch&) = delete;

  /// Starts watching; false with `*error` when the system cannot watch it.
  bool Start(std::string* error);

  /// Compares the folder with what was seen last and reports a difference.
  void Check();

 private:
  /// File name -> ContentFingerprint, for the `*.json` files directly in
  /// the folder.
  std::map<std::string, std::string> Read() const;

  uv_loop_t* loop_;
  std::string folder_;
  Report report_;
  std::map<std::string, std::string> seen_;
  uv_fs_event_t* event_ = nullptr;
  uv_timer_t* settle_ = nullptr;  // an editor's several writes make one change
};

/// The sentence WorkstreamsWatch reports for a change from `before` to `after`
/// (file name -> content or its fingerprint); empty when nothing differs.
std::string DescribeWorkstreamsChange(const std::string& folder, const std::map<std::string, std::string>& before,
                                      const std::map<std::string, std::string>& after);

}  // namespace orchestra
