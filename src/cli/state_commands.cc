#include "state_commands.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "attempt_log_store.h"
#include "display.h"
#include "report.h"
#include "json_writer.h"
#include "output_files.h"
#include "routes.h"
#include "usage_summary.h"

namespace orchestra {

namespace {

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
/// Prints `attempt`'s log from `*offset` to its end (ReadAttemptLog: the
/// file, else the state's copy) and moves `*offset` there.
bool PrintLogFrom(StateStore* store, const AttemptRecord& attempt, int64_t* offset, std::string* error) {
  constexpr int64_t kPieceBytes = 1 << 20;
  for (;;) {
    AttemptLogRange range;
    if (!ReadAttemptLog(store, attempt, *offset, kPieceBytes, &range, error)) return false;
    std::fwrite(range.bytes.data(), 1, range.bytes.size(), stdout);
    *offset = range.start + static_cast<int64_t>(range.bytes.size());
    if (range.bytes.empty()) break;
  }
  std::fflush(stdout);
  return true;
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

/// The width of the terminal `file` writes to; 0 when it is not one.
size_t TerminalColumns(FILE* file) {
  winsize size{};
  if (!IsTerminal(file) || ioctl(fileno(file), TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

/// The prompt an attempt was given: beside its log, `.log` replaced by `.prompt.md`.
std::string PromptPath(const std::string& log_path) {
  const std::string suffix = ".log";
  if (log_path.size() < suffix.size() || log_path.compare(log_path.size() - suffix.size(), suffix.size(), suffix)) {
    return log_path + ".prompt.md";
  }
  return log_path.substr(0, log_path.size() - suffix.size()) + ".prompt.md";
}

/// WorkstreamDetail is what `orchestra status ID` says about one workstream.
struct WorkstreamDetail {
  std::string id;
  const WorkstreamRecord* record = nullptr;  // null before it has a row
  std::vector<std::pair<std::string, std::string>> dependencies;  // id, status
  std::vector<std::pair<std::string, std::string>> dependents;
  std::vector<const AttemptRecord*> attempts;  // oldest first

  const char* status() const { return record ? StatusName(record->status) : "pending"; }
  /// Why it failed or is blocked; "" otherwise.
  std::string reason() const {
    if (!record || (record->status != WorkstreamStatus::kFailed && record->status != WorkstreamStatus::kBlocked)) {
      return "";
    }
    return Reason(record->error_message);
  }
};

WorkstreamDetail MakeDetail(const Graph& graph, const StateSnapshot& snapshot, int node) {
  std::map<std::string, const WorkstreamRecord*> records;
  for (const WorkstreamRecord& record : snapshot.workstreams) records[record.workstream_id] = &record;
  auto with_status = [&](const std::vector<int>& nodes) {
    std::vector<std::pair<std::string, std::string>> list;
    for (int other : nodes) {
      const auto found = records.find(graph.id(other));
      list.emplace_back(graph.id(other), found == records.end() ? "pending" : StatusName(found->second->status));
    }
    return list;
  };
  WorkstreamDetail detail;
  detail.id = graph.id(node);
  const auto found = records.find(detail.id);
  if (found != records.end()) detail.record = found->second;
  detail.dependencies = with_status(graph.dependencies(node));
  detail.dependents = with_status(graph.dependents(node));
  for (const AttemptRecord& attempt : snapshot.attempts) {
    if (attempt.workstream_id == detail.id) detail.attempts.push_back(&attempt);
  }
  return detail;
}

/// "a (completed), b (failed)", or "-" for none.
std::string IdsWithStatus(const std::vector<std::pair<std::string, std::string>>& list) {
  std::string text;
  for (const auto& [id, status] : list) text += (text.empty() ? "" : ", ") + id + " (" + status + ")";
  return text.empty() ? "-" : text;
}

/// What an attempt consumed, for its detail: "$0.42, 1200 in, 300 out, 0
/// cache read, 0 cache write (type claude, model m, 3 turns, session s)";
/// "" when it reported neither usage nor a session.
std::string AttemptUsage(const AttemptRecord& attempt) {
  if (!attempt.usage.Known() && attempt.session_id.empty()) return "";
  std::vector<std::string> about;
  if (!attempt.agent_type.empty()) about.push_back("type " + attempt.agent_type);
  if (!attempt.usage.model.empty()) about.push_back("model " + attempt.usage.model);
  if (attempt.usage.turns) {
    about.push_back(fmt::format("{} turn{}", attempt.usage.turns, attempt.usage.turns == 1 ? "" : "s"));
  }
  if (!attempt.session_id.empty()) about.push_back("session " + attempt.session_id);
  const Usage& usage = attempt.usage;
  std::string text =
      fmt::format("{}, {}", usage.cost_usd ? FormatCost(*usage.cost_usd) : "cost unknown", FormatTokens(usage));
  if (!about.empty()) text += fmt::format(" ({})", fmt::join(about, ", "));
  return text;
}

/// `orchestra status ID`: one workstream, why it is where it is, its attempts
/// with their log and prompt files, its dependencies and what it blocks.
std::string RenderDetail(const WorkstreamDetail& detail) {
  std::string text = fmt::format("{}: {}\n", detail.id, detail.status());
  if (!detail.reason().empty()) text += fmt::format("  reason:     {}\n", detail.reason());
  if (detail.record && !detail.record->track.empty()) text += fmt::format("  track:      {}\n", detail.record->track);
  text += fmt::format("  depends on: {}\n", IdsWithStatus(detail.dependencies));
  text += fmt::format("  blocks:     {}\n", IdsWithStatus(detail.dependents));
  text += fmt::format("  attempts:   {}\n",
                      detail.attempts.empty() ? "none yet" : std::to_string(detail.attempts.size()));
  for (const AttemptRecord* attempt : detail.attempts) {
    std::string how = OutcomeName(attempt->outcome);
    if (attempt->signal) {
      how += fmt::format(", signal {}", *attempt->signal);
    } else if (attempt->exit_code) {
      how += fmt::format(", exit {}", *attempt->exit_code);
    }
    if (attempt->duration_seconds > 0) how += ", " + FormatDuration(attempt->duration_seconds);
    text += fmt::format("    #{} on {}: {}\n", attempt->attempt, attempt->agent_id.empty() ? "-" : attempt->agent_id,
                        how);
    const std::string reason = Reason(attempt->error_message);
    if (!reason.empty()) text += fmt::format("       reason: {}\n", reason);
    const std::string usage = AttemptUsage(*attempt);
    if (!usage.empty()) text += fmt::format("       usage:  {}\n", usage);
    if (!attempt->log_path.empty()) {
      text += fmt::format("       log:    {}\n       prompt: {}\n", DisplayPath(attempt->log_path),
                          DisplayPath(PromptPath(attempt->log_path)));
    }
  }
  return text;
}

/// The same as JSON.
nlohmann::json DetailJson(const WorkstreamDetail& detail) {
  auto neighbours = [](const std::vector<std::pair<std::string, std::string>>& list) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& [id, status] : list) array.push_back({{"id", id}, {"status", status}});
    return array;
  };
  nlohmann::json json = {{"id", detail.id},
                         {"status", detail.status()},
                         {"reason", detail.reason()},
                         {"track", detail.record ? detail.record->track : ""},
                         {"depends_on", neighbours(detail.dependencies)},
                         {"blocks", neighbours(detail.dependents)},
                         {"attempts", nlohmann::json::array()}};
  for (const AttemptRecord* attempt : detail.attempts) {
    json["attempts"].push_back(
        {{"attempt", attempt->attempt},
         {"agent", attempt->agent_id},
         {"outcome", OutcomeName(attempt->outcome)},
         {"exit_code", attempt->exit_code ? nlohmann::json(*attempt->exit_code) : nlohmann::json(nullptr)},
         {"signal", attempt->signal ? nlohmann::json(*attempt->signal) : nlohmann::json(nullptr)},
         {"duration_seconds", attempt->duration_seconds},
         {"reason", Reason(attempt->error_message)},
         {"log", attempt->log_path},
         {"prompt", attempt->log_path.empty() ? "" : PromptPath(attempt->log_path)},
         {"agent_type", attempt->agent_type},
         {"tokens", TokensJson(attempt->usage)},
         {"cost_usd", CostJson(attempt->usage)},
         {"model", attempt->usage.model},
         {"turns", attempt->usage.turns},
         {"session_id", attempt->session_id}});
  }
  return json;
}

/// With [[routes]]: the agent type of each workstream of the state, the first
/// route matching its id, else the type of the agent that took it. Empty
/// without routes (the table then has no TYPE column).
std::map<std::string, std::string> TypesByWorkstream(const Config& config, const StateSnapshot& snapshot) {
  std::map<std::string, std::string> types;
  if (config.routes.empty()) return types;
  std::vector<std::string> ids;
  for (const WorkstreamRecord& record : snapshot.workstreams) ids.push_back(record.workstream_id);
  for (const WorkstreamRecord& record : snapshot.workstreams) {
    for (const Route& route : config.routes) {
      auto names = [&](const std::string& pattern) { return RoutePatternMatches(pattern, record.workstream_id, ids); };
      const bool matches = std::any_of(route.workstreams.begin(), route.workstreams.end(), names);
      const AgentType* type = matches ? config.TypeOf(route) : nullptr;
      if (type != nullptr) {
        types[record.workstream_id] = type->name;
        break;
      }
    }
    if (types.count(record.workstream_id)) continue;
    for (const AgentConfig& agent : config.agents) {
      if (agent.id == record.agent_id) types[record.workstream_id] = agent.type;
    }
  }
  return types;
}

}  // namespace

int CommandStatus(const CommandArgs& args) {
  Session session;
  // Named workstreams need the project: short ids, dependencies, dependents.
  const Needs needs{.workstreams = !args.ids.empty(), .state = StateAccess::kExisting};
  if (const int code = OpenCommand(args, needs, &session)) return code;
  StateSnapshot snapshot;
  std::string error;
  // The table and its JSON read few of the attempts' columns; a workstream's
  // details (named ids) show them all.
  const bool loaded = session.targets.empty()
                          ? LoadStatusSnapshot(session.store.get(), session.clock.Now(), &snapshot, &error)
                          : LoadSnapshot(session.store.get(), session.clock.Now(), 0, &snapshot, &error);
  if (!loaded) {
    PrintError(error);
    return kExitIncomplete;
  }
  snapshot.budget_usd = session.project.config.budget_usd;
  // A run row still "running" whose orchestrator is gone crashed.
  if (snapshot.has_run && snapshot.run.state == RunState::kRunning &&
      !OrchestratorLock::Holder(session.project.State()).held) {
    snapshot.run.state = RunState::kCrashed;
  }
  if (!session.targets.empty()) {
    nlohmann::json json = nlohmann::json::array();
    for (size_t i = 0; i < session.targets.size(); ++i) {
      const WorkstreamDetail detail = MakeDetail(*session.project.graph, snapshot, session.targets[i]);
      if (args.json) {
        json.push_back(DetailJson(detail));
      } else {
        std::printf("%s%s", i ? "\n" : "", RenderDetail(detail).c_str());
      }
    }
    if (args.json) std::printf("%s\n", json.dump(2).c_str());
    return kExitOk;
  }
  const std::map<std::string, std::string> types = TypesByWorkstream(session.project.config, snapshot);
  const std::map<std::string, std::string>* routed = session.project.config.routes.empty() ? nullptr : &types;
  if (args.json) {
    JsonWriter writer(stdout);  // streamed: the document of 100,000 rows is never built
    WriteStatusJson(snapshot, routed, &writer);
    if (!writer.Finish(true)) {
      PrintError("cannot write the status to the standard output");
      return kExitIncomplete;
    }
  } else {
    std::printf("%s", RenderStatusTable(snapshot, UseColor(stdout), TerminalColumns(stdout), routed).c_str());
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
  // The file on this host, else its copy in the state (an attempt of another host).
  int64_t offset = 0;
  std::string error;
  if (!PrintLogFrom(session.store.get(), *chosen, &offset, &error)) {
    PrintError(error);
    return kExitIncomplete;
  }
  // Following stops once the attempt has ended and its output is drained.
  for (int checks = 1; args.follow; ++checks) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const bool ended = checks % 5 == 0 && !StillRunning(session.store.get(), id, chosen->id);
    if (!PrintLogFrom(session.store.get(), *chosen, &offset, &error)) {
      PrintError(error);
      return kExitIncomplete;
    }
    if (ended) break;
  }
  return kExitOk;
}

}  // namespace orchestra
