#include "cost_estimate.h"

#include <algorithm>

#include <fmt/format.h>

namespace orchestra {

std::map<std::string, CostRate> CostRatesByType(
    const std::vector<AttemptRecord>& attempts,
    const std::function<std::optional<double>(const std::string&)>& estimate_hours) {
  std::map<std::string, double> cost;
  std::map<std::string, double> hours;
  std::map<std::string, CostRate> rates;
  for (const AttemptRecord& attempt : attempts) {
    if (attempt.outcome != AttemptOutcome::kSucceeded || !attempt.usage.cost_usd || attempt.agent_type.empty()) {
      continue;
    }
    const std::optional<double> estimate = estimate_hours(attempt.workstream_id);
    if (!estimate || *estimate <= 0) continue;
    cost[attempt.agent_type] += *attempt.usage.cost_usd;
    hours[attempt.agent_type] += *estimate;
    ++rates[attempt.agent_type].attempts;
  }
  for (auto& [type, rate] : rates) rate.usd_per_hour = cost[type] / hours[type];
  return rates;
}

CostEstimate EstimateCost(const std::vector<CostInput>& workstreams, const std::map<std::string, CostRate>& rates) {
  CostEstimate estimate;
  for (const CostInput& workstream : workstreams) {
    const auto rate = rates.find(workstream.agent_type);
    if (rate == rates.end() || workstream.agent_type.empty()) {
      if (!workstream.max_cost_usd) {
        ++estimate.unknown;
        continue;
      }
      ++estimate.cap_only;
      estimate.high_usd += *workstream.max_cost_usd;
      continue;
    }
    ++estimate.from_history;
    const double once = rate->second.usd_per_hour * workstream.estimate_hours;
    double low = once;
    double high = once * std::max(1, workstream.max_attempts);
    if (workstream.max_cost_usd) {
      if (high > *workstream.max_cost_usd) ++estimate.capped;
      low = std::min(low, *workstream.max_cost_usd);
      high = std::min(high, *workstream.max_cost_usd);
    }
    estimate.low_usd += low;
    estimate.high_usd += high;
  }
  return estimate;
}

std::string CostEstimateLine(const CostEstimate& estimate) {
  if (!estimate.Known()) return "";
  std::string line;
  if (estimate.from_history == 0) {
    line = fmt::format("Estimated cost: at most {} (max_cost_usd)", FormatCost(estimate.high_usd));
  } else {
    std::vector<std::string> notes = {
        "first attempt to every attempt used, at the cost per estimated hour of "
        "earlier succeeded attempts of the same agent type"};
    if (estimate.capped + estimate.cap_only > 0) notes.push_back("bounded by max_cost_usd");
    line = fmt::format("Estimated cost: {}–{} ({})", FormatCost(estimate.low_usd), FormatCost(estimate.high_usd),
                       fmt::join(notes, "; "));
  }
  if (estimate.unknown > 0) {
    line += fmt::format("; {} workstream(s) with neither history nor max_cost_usd left out", estimate.unknown);
  }
  return line;
}

}  // namespace orchestra
