#include "id_index.h"

#include <functional>

namespace orchestra {
namespace {

uint64_t HashOf(std::string_view id) { return std::hash<std::string_view>()(id); }

}  // namespace

IdIndex::IdIndex(const std::vector<std::string>& ids) {
  size_t capacity = 16;
  while (capacity < 2 * ids.size()) capacity *= 2;  // at most half full
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  for (size_t position = 0; position < ids.size(); ++position) {
    const uint64_t hash = HashOf(ids[position]);
    const uint64_t tag = hash >> 32 << 32;
    for (uint64_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      if (slots_[slot] == 0) {
        slots_[slot] = tag | (position + 1);
        break;
      }
      if ((slots_[slot] >> 32 << 32) == tag && ids[(slots_[slot] & 0xffffffffu) - 1] == ids[position]) break;
    }
  }
}

int IdIndex::Find(std::string_view id, const std::vector<std::string>& ids) const {
  if (slots_.empty()) return -1;
  const uint64_t hash = HashOf(id);
  const uint64_t tag = hash >> 32 << 32;
  for (uint64_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
    const uint64_t entry = slots_[slot];
    if (entry == 0) return -1;
    if ((entry >> 32 << 32) != tag) continue;
    const size_t position = (entry & 0xffffffffu) - 1;
    if (ids[position] == id) return static_cast<int>(position);
  }
}

}  // namespace orchestra
