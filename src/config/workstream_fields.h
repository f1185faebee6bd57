// Workstream fields: which fields the workstream format knows, and how the
// values that need more than a type check are read. Both paths of the loader
// (loader.cc's reporting path and the fast path of clean_workstreams.cc) read
// a value through these, so they cannot disagree on what a value means.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchestra {

/// True for every field of the upstream schema and every Orchestra field;
/// any other field is kept in `raw` with a warning.
bool IsKnownField(std::string_view name);

/// Every known field, for "did you mean".
const std::vector<std::string>& KnownFields();

/// An estimate found in free-form metadata: a number, numeric text, or a
/// range such as "10-14" (its midpoint).
struct MetadataEstimate {
  double hours = 0;
  bool is_range = false;
};

/// The estimate `metadata.estimated_hours` (or `estimated_effort_hours`)
/// gives, or nullopt when it does not parse (metadata is free-form).
std::optional<MetadataEstimate> ParseMetadataEstimate(const nlohmann::json& value);

/// An integer in [minimum, INT_MAX], as JSON writes it (no fraction).
std::optional<int> IntegerAtLeast(const nlohmann::json& value, int minimum);

/// A priority: any int, or an upstream word (PriorityFromWord).
std::optional<int> PriorityFrom(const nlohmann::json& value);

}  // namespace orchestra
