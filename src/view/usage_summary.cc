#include "usage_summary.h"

#include <fmt/format.h>

namespace orchestra {

UsageTotals SumUsage(const std::vector<AttemptRecord>& attempts) {
  UsageTotals totals;
  for (const AttemptRecord& attempt : attempts) {
    const std::string type = attempt.agent_type.empty() ? "-" : attempt.agent_type;
    ++totals.attempts_by_type[type];
    if (!attempt.usage.Known()) continue;
    totals.known = true;
    totals.total.Add(attempt.usage);
    totals.by_workstream[attempt.workstream_id].Add(attempt.usage);
    totals.by_type[type].Add(attempt.usage);
  }
  return totals;
}

std::string FormatTokens(const Usage& usage) {
  return fmt::format("{} in, {} out, {} cache read, {} cache write", usage.input_tokens, usage.output_tokens,
                     usage.cache_read_tokens, usage.cache_write_tokens);
}

std::string CostCell(const Usage& usage) { return usage.cost_usd ? FormatCost(*usage.cost_usd) : "-"; }

std::string UsageSummaryLine(const UsageTotals& totals, std::optional<double> budget_usd) {
  std::string line;
  if (totals.known) {
    line = fmt::format("cost {}; tokens {}", totals.total.cost_usd ? FormatCost(*totals.total.cost_usd) : "unknown",
                       FormatTokens(totals.total));
  }
  if (budget_usd) {
    const double spent = totals.total.cost_usd.value_or(0);
    line += fmt::format("{}budget {} of {}{}", line.empty() ? "" : "; ", FormatCost(spent), FormatCost(*budget_usd),
                        spent >= *budget_usd ? " (reached: nothing new starts)" : "");
  }
  return line;
}

nlohmann::json TokensJson(const Usage& usage) {
  return {{"input", usage.input_tokens},
          {"output", usage.output_tokens},
          {"cache_read", usage.cache_read_tokens},
          {"cache_write", usage.cache_write_tokens}};
}

nlohmann::json CostJson(const Usage& usage) {
  return usage.cost_usd ? nlohmann::json(*usage.cost_usd) : nlohmann::json(nullptr);
}

}  // namespace orchestra
