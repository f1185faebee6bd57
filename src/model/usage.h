// Usage: what an agent's attempt consumed (tokens, turns) and cost, as the
// agent reported it or as priced from the config's price table. Shared by the
// agents that read it, the state that records it and the views that show it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace orchestra {

/// Usage of one attempt (or a sum of attempts).
struct Usage {
  int64_t input_tokens = 0;        // prompt tokens not read from the cache
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;   // prompt tokens read from the provider's cache
  int64_t cache_write_tokens = 0;  // prompt tokens written to the cache
  std::optional<double> cost_usd;  // reported by the agent, else priced (Price), else unknown
  std::string model;               // the model that answered, when the agent says
  int turns = 0;                   // conversation turns, when the agent says

  /// True when any figure is known.
  bool Known() const;
  /// Adds `other`'s figures; the cost is known when either is.
  void Add(const Usage& other);
};

/// Price is one agent type's price table: USD per million tokens.
struct Price {
  double input = 0;
  double output = 0;
  double cache_read = 0;
  double cache_write = 0;

  bool Set() const { return input > 0 || output > 0 || cache_read > 0 || cache_write > 0; }
  /// The cost of `usage`'s tokens at these prices.
  double CostOf(const Usage& usage) const;
};

/// "$1.23" (at least two decimals, four below a cent: "$0.0042").
std::string FormatCost(double usd);

}  // namespace orchestra
