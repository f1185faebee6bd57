#include "attempt_log_store.h"

#include <algorithm>
#include <fstream>

namespace orchestra {
namespace {

/// Reads the range from the file at `path`; false when it cannot be opened.
bool ReadFileRange(const std::string& path, int64_t offset, int64_t max_bytes, AttemptLogRange* range) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  range->source = AttemptLogSource::kFile;
  range->size = static_cast<int64_t>(in.tellg());
  range->start = offset < 0 ? std::max<int64_t>(0, range->size - max_bytes) : std::min(offset, range->size);
  range->bytes.resize(static_cast<size_t>(std::min(max_bytes, range->size - range->start)));
  in.seekg(range->start);
  in.read(range->bytes.data(), static_cast<std::streamsize>(range->bytes.size()));
  range->bytes.resize(static_cast<size_t>(in.gcount()));
  return true;
}

}  // namespace

bool ReadAttemptLog(StateStore* store, const AttemptRecord& attempt, int64_t offset, int64_t max_bytes,
                    AttemptLogRange* range, std::string* error) {
  *range = AttemptLogRange();
  max_bytes = std::max<int64_t>(max_bytes, 0);
  if (!attempt.log_path.empty() && ReadFileRange(attempt.log_path, offset, max_bytes, range)) return true;
  AttemptLogStore* copies = store ? store->attempt_logs() : nullptr;
  if (!copies) {
    *error = "cannot read " + attempt.log_path;
    return false;
  }
  std::string failure;
  if (!copies->ReadRange(attempt.id, offset, max_bytes, &range->bytes, &range->start, &range->size, &failure)) {
    *error = "cannot read " + attempt.log_path + " (not on this host), nor its copy in the state: " + failure;
    return false;
  }
  range->source = AttemptLogSource::kState;
  return true;
}

}  // namespace orchestra
