// `orchestra serve`: the live dashboard over the state database, and the
// server `orchestra run --serve` keeps beside the run.
#pragma once

#include <memory>

#include "command.h"
#include "dashboard_server.h"

namespace orchestra {

/// Serves the dashboard until SIGINT or SIGTERM (then exit 0). Its first line
/// on stdout is "serving <url>"; a token it generated follows. Exit 1 when the
/// address cannot be bound.
int CommandServe(const CommandArgs& args);

/// Starts the dashboard (`serve`, `run --serve`) and prints "serving <url>",
/// then the token when it generated one (a non-loopback --bind without
/// --token); null after saying why when it cannot listen.
std::unique_ptr<DashboardServer> StartDashboard(const Project& project, const CommandArgs& args);

}  // namespace orchestra
