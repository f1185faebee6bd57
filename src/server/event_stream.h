// The dashboard's live feed, /api/events: the execution_log rows as
// Server-Sent Events. The server polls the state database every
// kEventPollSeconds for rows it has not sent; each event carries its row id in
// an `id:` line, so a browser's EventSource that reconnects resumes after the
// last row it received (Last-Event-ID).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "state_reader.h"

namespace orchestra {

/// How often the stream looks for new rows.
inline constexpr double kEventPollSeconds = 0.25;
/// Polls without a new row before a comment line checks the client is still there.
inline constexpr int kIdlePollsPerHeartbeat = 4;

/// One row as an event: "id: <id>\nevent: log\ndata: <LogEntryJson>\n\n".
std::string SseMessage(const LogEntry& entry);

/// EventSink is where a stream goes: `write` sends text (false: the client
/// is gone); `wait` waits up to the given seconds before the next poll (false:
/// the server is stopping).
struct EventSink {
  std::function<bool(const std::string&)> write;
  std::function<bool(double)> wait;
};

/// Sends every row after `after`, then each new one as it is committed, until
/// the client goes or the server stops. A read error is sent as an `error`
/// event and ends the stream (the EventSource reconnects).
void StreamEvents(const StateReader& reader, int64_t after, const EventSink& sink);

}  // namespace orchestra
