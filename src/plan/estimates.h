// Learning estimates: how long workstreams really took, fed back into the
// estimates the planner uses. Pure arithmetic over recorded attempts.
//
// Observed seconds and estimated hours are different units (a sim agent does
// an "hour" in 0.05 s, a person's hour is 3600 s), so the correction is
// relative: the project's pace is the seconds per estimated hour over every
// succeeded attempt, and a workstream that took k times what that pace
// predicts for its estimate gets k times its estimate. If everything ran at the
// same pace, no estimate changes.
#pragma once

#include <string>
#include <vector>

#include "graph.h"
#include "state_store.h"

namespace orchestra {

/// One succeeded attempt's real duration.
struct ObservedDuration {
  std::string workstream_id;
  double seconds = 0;
};

/// The durations of the succeeded attempts among `attempts`, in their order.
std::vector<ObservedDuration> SucceededDurations(const std::vector<AttemptRecord>& attempts);

/// Estimates after learning from observed attempts.
struct CorrectedEstimates {
  std::vector<double> estimates;    // per node: the corrected hours
  std::vector<int> corrected;       // nodes whose estimate changed
  double seconds_per_hour = 0;      // the project's observed pace (0 without observations)
  int observed_attempts = 0;        // succeeded attempts of known workstreams used
};

/// Corrects `estimates` (per node of `graph`) by `observed`: per workstream,
/// mean observed seconds / the project's seconds per estimated hour. Unknown
/// ids and non-positive durations are ignored; with fewer than two observed
/// workstreams nothing is corrected (one alone defines the pace).
CorrectedEstimates CorrectEstimates(const Graph& graph, const std::vector<double>& estimates,
                                    const std::vector<ObservedDuration>& observed);

}  // namespace orchestra
