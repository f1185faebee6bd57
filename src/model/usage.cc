#include "usage.h"

#include <fmt/format.h>

namespace orchestra {

bool Usage::Known() const {
  return input_tokens != 0 || output_tokens != 0 || cache_read_tokens != 0 || cache_write_tokens != 0 ||
         cost_usd.has_value() || turns != 0;
}

void Usage::Add(const Usage& other) {
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  cache_read_tokens += other.cache_read_tokens;
  cache_write_tokens += other.cache_write_tokens;
  if (other.cost_usd) cost_usd = cost_usd.value_or(0) + *other.cost_usd;
  turns += other.turns;
  if (model.empty()) model = other.model;
}

double Price::CostOf(const Usage& usage) const {
  constexpr double kPerMillion = 1e-6;
  return kPerMillion * (input * static_cast<double>(usage.input_tokens) +
                        output * static_cast<double>(usage.output_tokens) +
                        cache_read * static_cast<double>(usage.cache_read_tokens) +
                        cache_write * static_cast<double>(usage.cache_write_tokens));
}

std::string FormatCost(double usd) {
  if (usd != 0 && usd < 0.01 && usd > -0.01) return fmt::format("${:.4f}", usd);
  return fmt::format("${:.2f}", usd);
}

}  // namespace orchestra
