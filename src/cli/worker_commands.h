// `orchestra submit` (the plan into the shared state) and `orchestra worker`
// (one of several processes claiming and running its workstreams).
#pragma once

#include "command.h"
#include "work_coordinator.h"

namespace orchestra {

int CommandSubmit(const CommandArgs& args);
int CommandWorker(const CommandArgs& args);

/// The plan of a loaded project as the state stores it (canonical JSON,
/// content hash, file), for SubmitPlan and the comparison with a submission.
std::vector<PlanEntry> PlanEntriesOf(const std::vector<Workstream>& workstreams);

/// Submits the session's plan (its workstream files) to its state and says
/// so in one line ("submission N: ..."; with `only_changes`, only when it
/// changed an earlier submission); false after printing the error.
bool SubmitProjectPlan(const Session& session, bool only_changes);

/// Registers this process as a worker of the session's shared state: fills
/// `options` (id, host; lease and track are the caller's) and sets the
/// session's idle timeouts; false after printing the error.
bool JoinAsWorker(Session* session, WorkerOptions* options);

}  // namespace orchestra
