#include "estimates.h"

#include <cmath>

namespace orchestra {

CorrectedEstimates CorrectEstimates(const Graph& graph, const std::vector<double>& estimates,
                                    const std::vector<ObservedDuration>& observed) {
  CorrectedEstimates result;
  result.estimates = estimates;
  std::vector<double> seconds(graph.size(), 0);
  std::vector<int> counts(graph.size(), 0);
  double total_seconds = 0, total_hours = 0;
  for (const ObservedDuration& attempt : observed) {
    const int node = graph.IndexOf(attempt.workstream_id);
    if (node < 0 || !(attempt.seconds > 0) || !(estimates[node] > 0)) continue;
    seconds[node] += attempt.seconds;
    ++counts[node];
    total_seconds += attempt.seconds;
    total_hours += estimates[node];
    ++result.observed_attempts;
  }
  int observed_workstreams = 0;
  for (int count : counts) observed_workstreams += count > 0;
  if (observed_workstreams < 2 || total_hours <= 0) return result;
  result.seconds_per_hour = total_seconds / total_hours;
  for (int node = 0; node < graph.size(); ++node) {
    if (counts[node] == 0) continue;
    const double corrected = seconds[node] / counts[node] / result.seconds_per_hour;
    // Round to a hundredth of an hour so equal paces stay exactly equal.
    const double rounded = std::round(corrected * 100) / 100;
    if (rounded != estimates[node]) {
      result.estimates[node] = rounded;
      result.corrected.push_back(node);
    }
  }
  return result;
}

std::vector<ObservedDuration> SucceededDurations(const std::vector<AttemptRecord>& attempts) {
  std::vector<ObservedDuration> observed;
  for (const AttemptRecord& attempt : attempts) {
    if (attempt.outcome == AttemptOutcome::kSucceeded) {
      observed.push_back({attempt.workstream_id, attempt.duration_seconds});
    }
  }
  return observed;
}

}  // namespace orchestra
