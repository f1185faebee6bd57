#include "event_stream.h"

#include "dashboard_api.h"

namespace orchestra {
namespace {

/// Rows sent per database read, so a long log reaches a new client in pieces.
constexpr size_t kRowsPerRead = 500;

}  // namespace

std::string SseMessage(const LogEntry& entry) {
  return "id: " + std::to_string(entry.id) + "\nevent: log\ndata: " +
         LogEntryJson(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

void StreamEvents(const StateReader& reader, int64_t after, const EventSink& sink) {
  int idle_polls = 0;
  for (;;) {
    std::vector<LogEntry> entries;
    std::string error;
    if (!reader.LogAfter(after, kRowsPerRead, &entries, &error)) {
      sink.write("event: error\ndata: " + nlohmann::json(error).dump(-1, ' ', false,
                                                                      nlohmann::json::error_handler_t::replace) +
                 "\n\n");
      return;
    }
    for (const LogEntry& entry : entries) {
      if (!sink.write(SseMessage(entry))) return;
      after = entry.id;
    }
    if (entries.size() == kRowsPerRead) continue;
    if (entries.empty() && ++idle_polls >= kIdlePollsPerHeartbeat) {
      idle_polls = 0;
      if (!sink.write(": waiting\n\n")) return;
    }
    if (!entries.empty()) idle_polls = 0;
    if (!sink.wait(kEventPollSeconds)) return;
  }
}

}  // namespace orchestra
