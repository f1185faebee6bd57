// Usage summaries: what the recorded attempts consumed, summed in all, per
// workstream and per agent type, and the words and JSON that show it in
// `orchestra status` and the execution report.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "state_store.h"

namespace orchestra {

/// UsageTotals is the attempts' usage summed three ways. An attempt that
/// reported nothing adds nothing, so `known` is false for a project whose
/// agents report no usage.
struct UsageTotals {
  Usage total;
  std::map<std::string, Usage> by_workstream;
  std::map<std::string, Usage> by_type;         // "-" for attempts without an agent type
  std::map<std::string, int> attempts_by_type;  // every attempt, reported or not
  bool known = false;                           // any attempt reported usage
};

UsageTotals SumUsage(const std::vector<AttemptRecord>& attempts);

/// "1200 in, 300 out, 0 cache read, 0 cache write".
std::string FormatTokens(const Usage& usage);

/// FormatCost of a known cost, else "-".
std::string CostCell(const Usage& usage);

/// The status summary: "cost $0.84; tokens 2400 in, 600 out, 0 cache read, 0
/// cache write", then "; budget $0.84 of $5.00" when `budget_usd` is set
/// ("cost unknown" when tokens are known but no cost). Only the budget part
/// when nothing is known; "" when there is no budget either.
std::string UsageSummaryLine(const UsageTotals& totals, std::optional<double> budget_usd);

/// {"input": n, "output": n, "cache_read": n, "cache_write": n}.
nlohmann::json TokensJson(const Usage& usage);

/// The cost in USD, or null when unknown.
nlohmann::json CostJson(const Usage& usage);

}  // namespace orchestra
