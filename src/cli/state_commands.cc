#include "state_commands.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "display.h"
#include "output_files.h"

namespace orchestra {

namespace {

/// Seconds from the latest run's start to its end (or to `now` while it runs).
double RunWallSeconds(const StateSnapshot& snapshot) {
  double started = 0;
  double ended = snapshot.now;
  if (!snapshot.has_run || !ParseTimestamp(snapshot.run.started_at, &started)) return 0;
  if (!snapshot.run.ended_at.empty()) ParseTimestamp(snapshot.run.ended_at, &ended);
  return std::max(0.0, ended - started);
}

/// Attempt `number` of `attempts`, or the latest when it is 0; null after
/// saying it does not exist.
const AttemptRecord* ChooseAttempt(const std::string& id, const std::vector<AttemptRecord>& attempts,
                                   int number) {
  if (attempts.empty()) {
    PrintError("no attempts recorded for '" + id + "' (check the id with `orchestra status`)");
    return nullptr;
  }
  if (number == 0) return &attempts.back();
  const AttemptRecord* chosen = nullptr;
  for (const AttemptRecord& attempt : attempts) {
    if (attempt.attempt == number) chosen = &attempt;
  }
  if (!chosen) PrintError("'" + id + "' has no attempt " + std::to_string(number));
  return chosen;
}

/// Copies what `in` holds from where it stands to stdout.
void Drain(std::ifstream& in) {
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    std::fwrite(buffer, 1, static_cast<size_t>(in.gcount()), stdout);
  }
  std::fflush(stdout);
}

/// True while attempt `attempt_id` of workstream `id` is recorded as running.
bool StillRunning(StateStore* store, const std::string& id, int64_t attempt_id) {
  std::vector<AttemptRecord> latest;
  std::string error;
  if (!store->LoadAttempts(id, &latest, &error)) return false;
  for (const AttemptRecord& attempt : latest) {
    if (attempt.id == attempt_id && attempt.outcome == AttemptOutcome::kRunning) return true;
  }
  return false;
}

}  // namespace

int CommandStatus(const CommandArgs& args) {
  Session session;
  const Needs needs{.workstreams = false, .state = StateAccess::kExisting};
  if (const int code = OpenCommand(args, needs, &session)) return code;
  StateSnapshot snapshot;
  std::string error;
  if (!LoadSnapshot(session.store.get(), session.clock.Now(), 0, &snapshot, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  // A run row still "running" whose orchestrator is gone crashed.
  if (snapshot.has_run && snapshot.run.state == RunState::kRunning &&
      StateLock::Holder(session.project.StatePath()) == 0) {
    snapshot.run.state = RunState::kCrashed;
  }
  if (args.json) {
    std::printf("%s\n", StatusJson(snapshot).dump(2).c_str());
  } else {
    std::printf("%s", RenderStatusTable(snapshot, UseColor(stdout)).c_str());
  }
  return kExitOk;
}

int CommandLogs(const CommandArgs& args) {
  Session session;
  if (const int code = OpenCommand(args, {.state = StateAccess::kExisting}, &session)) return code;
  std::string id;
  std::vector<AttemptRecord> attempts;
  if (const int code = LoadNamedAttempts(session, &id, &attempts)) return code;
  const AttemptRecord* chosen = ChooseAttempt(id, attempts, args.attempt);
  if (!chosen) return kExitUsage;
  std::ifstream in(chosen->log_path, std::ios::binary);
  if (!in) {
    PrintError("cannot read " + chosen->log_path);
    return kExitIncomplete;
  }
  Drain(in);
  // Following stops once the attempt has ended and its output is drained.
  for (int checks = 1; args.follow; ++checks) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const bool ended = checks % 5 == 0 && !StillRunning(session.store.get(), id, chosen->id);
    in.clear();
    Drain(in);
    if (ended) break;
  }
  return kExitOk;
}

int CommandReport(const CommandArgs& args) {
  if (!CheckGanttPath(args.gantt_path)) return kExitUsage;
  Session session;
  if (const int code = OpenCommand(args, {.state = StateAccess::kExisting}, &session)) return code;
  StateSnapshot snapshot;
  std::string error;
  if (!LoadSnapshot(session.store.get(), session.clock.Now(), 0, &snapshot, &error) ||
      !session.store->LoadLog("", 0, &snapshot.log, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  if (!WriteReport(session.project, snapshot, RunWallSeconds(snapshot))) return kExitIncomplete;
  if (!args.gantt_path.empty() &&
      !WriteChart(args.gantt_path, PlanAndRunCharts(session.project, snapshot), "Orchestra: plan and run", stderr)) {
    return kExitIncomplete;
  }
  return kExitOk;
}

}  // namespace orchestra
