// The id index: finds a node by its id in a vector of ids kept by its owner
// (the graph, validation). One flat open-addressing table of positions: no
// copy of an id and no allocation per id, where a hash map of strings made a
// node and a copy of the key for each of 100,000 workstreams.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orchestra {

/// IdIndex maps each id of a vector of ids to its position. It keeps only
/// positions: every lookup is given the same vector again, so the owner may
/// move it (a vector's elements stay where they are when it moves).
class IdIndex {
 public:
  IdIndex() = default;
  /// Indexes `ids`; of repeated ids the first is kept.
  explicit IdIndex(const std::vector<std::string>& ids);

  /// The position of `id` in `ids` (the vector given to the constructor), or -1.
  int Find(std::string_view id, const std::vector<std::string>& ids) const;

 private:
  // Per slot: the hash's upper 32 bits and the position + 1 (0: empty).
  std::vector<uint64_t> slots_;
  uint64_t mask_ = 0;
};

}  // namespace orchestra
