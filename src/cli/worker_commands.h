// `orchestra submit` (the plan into the shared state) and `orchestra worker`
// (one of several processes claiming and running its workstreams).
#pragma once

#include "command.h"

namespace orchestra {

int CommandSubmit(const CommandArgs& args);
int CommandWorker(const CommandArgs& args);

/// The plan of a loaded project as the state stores it (canonical JSON,
/// content hash, file), for SubmitPlan and the comparison with a submission.
std::vector<PlanEntry> PlanEntriesOf(const std::vector<Workstream>& workstreams);

}  // namespace orchestra
