// Cost estimates: what the planned workstreams may cost, from two things that
// can be known before a run — each workstream's own `max_cost_usd`, and the
// project's history: per agent type, the cost per estimated hour of its
// succeeded attempts. Pure arithmetic; `orchestra plan` shows the result.
//
// The rule, per workstream of h estimated hours that may take m attempts, to
// be run by an agent of type T:
//   - with a history rate r for T: low = r·h (it succeeds at once, at the
//     mean rate), high = r·h·m (every attempt is used, each at that rate);
//     both at most its max_cost_usd when it has one;
//   - without a rate, with max_cost_usd c: low = 0, high = c;
//   - otherwise its cost is unknown and it is left out of the totals.
// The rate of T is the summed cost of T's succeeded attempts with a known
// cost, divided by the summed estimated hours of their workstreams (a mean
// weighted by hours, so one tiny workstream does not dominate).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "state_store.h"

namespace orchestra {

/// One agent type's history: USD per estimated hour and how many succeeded
/// attempts it comes from.
struct CostRate {
  double usd_per_hour = 0;
  int attempts = 0;
};

/// The rate per agent type of the succeeded attempts among `attempts` that
/// report a cost and an agent type. `estimate_hours` gives a workstream's
/// estimated hours, or nothing for an id no longer in the project (its
/// attempts are left out).
std::map<std::string, CostRate> CostRatesByType(
    const std::vector<AttemptRecord>& attempts,
    const std::function<std::optional<double>(const std::string&)>& estimate_hours);

/// What the estimate needs of one planned workstream.
struct CostInput {
  double estimate_hours = 0;
  std::string agent_type;  // the type of the agent planned to run it; "" when none may
  int max_attempts = 1;
  std::optional<double> max_cost_usd;
};

/// CostEstimate is the range over the workstreams whose cost can be told.
struct CostEstimate {
  double low_usd = 0;
  double high_usd = 0;
  int from_history = 0;  // workstreams priced from a history rate
  int capped = 0;        // workstreams whose max_cost_usd bounded the high end
  int cap_only = 0;      // workstreams known only by their max_cost_usd
  int unknown = 0;       // workstreams left out

  bool Known() const { return from_history + cap_only > 0; }
};

CostEstimate EstimateCost(const std::vector<CostInput>& workstreams, const std::map<std::string, CostRate>& rates);

/// The plan's line: "Estimated cost: $A–$B (...)" with history, "Estimated
/// cost: at most $X (max_cost_usd)" with caps alone, noting the workstreams
/// left out; "" when nothing is known.
std::string CostEstimateLine(const CostEstimate& estimate);

}  // namespace orchestra
