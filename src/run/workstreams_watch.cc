#include "workstreams_watch.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "loader.h"

namespace orchestra {

namespace fs = std::filesystem;

namespace {

// How long the folder must stay unchanged before a change is reported: an
// editor saving a file, or `git checkout`, writes several times.
constexpr uint64_t kSettleMilliseconds = 200;

std::string Listed(const char* what, const std::vector<std::string>& names) {
  if (names.empty()) return "";
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  return fmt::format("{} {}", what, list);
}

}  // namespace

std::string DescribeWorkstreamsChange(const std::string& folder, const std::map<std::string, std::string>& before,
                                      const std::map<std::string, std::string>& after) {
  std::vector<std::string> edited, added, removed;
  for (const auto& [name, text] : after) {
    const auto old = before.find(name);
    if (old == before.end()) {
      added.push_back(name);
    } else if (old->second != text) {
      edited.push_back(name);
    }
  }
  for (const auto& [name, text] : before) {
    if (!after.count(name)) removed.push_back(name);
  }
  std::string changes;
  for (const std::string& part :
       {Listed("edited", edited), Listed("added", added), Listed("removed", removed)}) {
    if (!part.empty()) changes += (changes.empty() ? "" : "; ") + part;
  }
  if (changes.empty()) return "";
  return fmt::format("the workstreams folder {} changed during the run ({}): this run goes on with the workstreams "
                     "it loaded; the next `orchestra run` loads the change",
                     folder, changes);
}

WorkstreamsWatch::WorkstreamsWatch(uv_loop_t* loop, std::string folder, Report report,
                                   const std::map<std::string, std::string>& loaded)
    : loop_(loop), folder_(std::move(folder)), report_(std::move(report)), seen_(loaded.empty() ? Read() : loaded) {}

WorkstreamsWatch::~WorkstreamsWatch() {
  if (event_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(event_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_fs_event_t*>(handle); });
  }
  if (settle_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(settle_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
  }
}

bool WorkstreamsWatch::Start(std::string* error) {
  settle_ = new uv_timer_t;
  uv_timer_init(loop_, settle_);
  settle_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(settle_));
  event_ = new uv_fs_event_t;
  uv_fs_event_init(loop_, event_);
  event_->data = this;
  const int started = uv_fs_event_start(
      event_,
      [](uv_fs_event_t* handle, const char*, int, int) {
        auto* watch = static_cast<WorkstreamsWatch*>(handle->data);
        uv_timer_start(
            watch->settle_, [](uv_timer_t* timer) { static_cast<WorkstreamsWatch*>(timer->data)->Check(); },
            kSettleMilliseconds, 0);
      },
      folder_.c_str(), 0);
  uv_unref(reinterpret_cast<uv_handle_t*>(event_));  // the run ends when its work does, watched or not
  if (started == 0) return true;
  *error = fmt::format("cannot watch the workstreams folder {}: {}", folder_, uv_strerror(started));
  return false;
}

void WorkstreamsWatch::Check() {
  std::map<std::string, std::string> now = Read();
  const std::string message = DescribeWorkstreamsChange(folder_, seen_, now);
  seen_ = std::move(now);
  if (!message.empty()) report_(message);
}

std::map<std::string, std::string> WorkstreamsWatch::Read() const {
  std::map<std::string, std::string> files;
  std::error_code error;
  for (fs::directory_iterator entry(folder_, error), end; !error && entry != end; entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    // The loader's rule (IsWorkstreamFileName): visible `*.json` files.
    if (name.size() <= 5 || name.front() == '.' || !name.ends_with(".json")) continue;
    std::error_code type_error;
    if (!entry->is_regular_file(type_error)) continue;
    std::ifstream in(entry->path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    files[name] = ContentFingerprint(text.str());  // kept as a fingerprint: files may be large
  }
  return files;
}

}  // namespace orchestra
