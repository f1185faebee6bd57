#include "serve_command.h"

#include <signal.h>

#include <cstdio>

#include "access_token.h"

namespace orchestra {

std::unique_ptr<DashboardServer> StartDashboard(const Project& project, const CommandArgs& args) {
  DashboardOptions options{args.bind, args.port, args.token};
  const bool generate = options.token.empty() && !IsLoopbackAddress(options.bind);
  if (generate) options.token = GenerateToken();
  if (generate && options.token.empty()) {
    PrintError("cannot read /dev/urandom to generate a token for --bind " + options.bind + "; pass --token");
    return nullptr;
  }
  auto server = std::make_unique<DashboardServer>(project, options);
  std::string error;
  if (!server->Start(&error)) {
    PrintError("dashboard: " + error);
    return nullptr;
  }
  std::printf("serving %s\n", server->Url().c_str());
  if (generate) {
    std::printf("token %s (generated: send it as `Authorization: Bearer TOKEN`, or open %s?token=%s)\n",
                options.token.c_str(), server->Url().c_str(), options.token.c_str());
  }
  std::fflush(stdout);
  return server;
}

int CommandServe(const CommandArgs& args) {
  Session session;
  if (const int code = LoadCommandProject(args, {}, &session)) return code;
  // SIGINT and SIGTERM end the server: blocked here, taken by sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::unique_ptr<DashboardServer> server = StartDashboard(session.project, args);
  if (!server) return kExitIncomplete;
  int received = 0;
  sigwait(&stop_signals, &received);
  server->Stop();
  return kExitOk;
}

}  // namespace orchestra
