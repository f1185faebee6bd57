#include "workstream_fields.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>

#include "workstream.h"

namespace orchestra {
namespace {

using nlohmann::json;

// Every property of the upstream schema (workstream.schema.json): files
// written for the upstream orchestrator load without warnings. Most are kept in
// `raw` only; docs/workstream-format.md says which ones Orchestra reads.
constexpr std::array<std::string_view, 22> kUpstreamFields = {
    "id",
    "openspec_change",
    "ccpm_issue",
    "gate",
    "files_scope",
    "files_create",
    "tasks",
    "acceptance_tests",
    "depends_on",
    "tool",
    "capability",
    "capability_payload",
    "circuit_breaker",
    "metadata",
    "parallel_ok",
    "conflict_group",
    "kind",
    "priority",
    "estimated_context_tokens",
    "max_cost_usd",
    "compensation_actions",
    "test_gates",
};

// Fields only Orchestra defines.
constexpr std::array<std::string_view, 8> kOrchestraFields = {
    "title", "prompt", "track", "estimate_hours", "timeout", "max_attempts", "agent", "allow_empty",
};

}  // namespace

bool IsKnownField(std::string_view name) {
  auto is_name = [&name](std::string_view known) { return name == known; };
  return std::any_of(kUpstreamFields.begin(), kUpstreamFields.end(), is_name) ||
         std::any_of(kOrchestraFields.begin(), kOrchestraFields.end(), is_name);
}

const std::vector<std::string>& KnownFields() {
  static const std::vector<std::string> fields = [] {
    std::vector<std::string> names(kUpstreamFields.begin(), kUpstreamFields.end());
    names.insert(names.end(), kOrchestraFields.begin(), kOrchestraFields.end());
    return names;
  }();
  return fields;
}

namespace {

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// A positive number of hours written as text ("18", "1.5").
std::optional<double> ParseHours(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return {};
  double hours = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), hours);
  if (error != std::errc() || end != text.data() + text.size()) return {};
  if (!std::isfinite(hours) || hours <= 0) return {};
  return hours;
}

}  // namespace

std::optional<MetadataEstimate> ParseMetadataEstimate(const json& value) {
  if (value.is_number()) {
    const double hours = value.get<double>();
    if (std::isfinite(hours) && hours > 0) return MetadataEstimate{hours, false};
    return {};
  }
  if (!value.is_string()) return {};
  const std::string text = value.get<std::string>();
  if (auto hours = ParseHours(text)) return MetadataEstimate{*hours, false};
  const size_t dash = text.find('-');
  if (dash == std::string::npos) return {};
  const auto low = ParseHours(std::string_view(text).substr(0, dash));
  const auto high = ParseHours(std::string_view(text).substr(dash + 1));
  if (!low || !high || *low > *high) return {};
  return MetadataEstimate{(*low + *high) / 2, true};
}

std::optional<int> IntegerAtLeast(const json& value, int minimum) {
  if (!value.is_number_integer()) return {};
  const double number = value.get<double>();
  if (number < minimum || number > INT_MAX) return {};
  return static_cast<int>(number);
}

std::optional<int> PriorityFrom(const json& value) {
  if (value.is_number_integer()) return IntegerAtLeast(value, INT_MIN);
  int priority = 0;
  if (value.is_string() && PriorityFromWord(value.get<std::string>(), &priority)) return priority;
  return {};
}

}  // namespace orchestra
