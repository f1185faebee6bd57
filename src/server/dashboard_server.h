// The dashboard's HTTP server (`orchestra serve`, `orchestra run --serve`):
// the routes of the JSON API (docs/dashboard.md), the event stream, the graph
// as SVG and the embedded page, all read-only over the state database. It
// runs on its own threads until Stop, so it can live inside a run.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "clock.h"
#include "planner.h"
#include "project.h"
#include "state_reader.h"

namespace httplib {
class Server;
}

namespace orchestra {

/// Where and for whom the dashboard listens.
struct DashboardOptions {
  std::string bind = "127.0.0.1";
  int port = 8765;     // 0: any free port (see DashboardServer::port)
  std::string token;   // required of every request when not empty
};

/// DashboardServer serves one project's state. The project must outlive it.
/// Requests are answered on a pool of threads; each reads the database on its
/// own read-only connection (StateReader), so the server never writes nor
/// takes the state lock, and works beside a run in another process.
class DashboardServer {
 public:
  DashboardServer(const Project& project, DashboardOptions options);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  /// Binds the address and starts answering on a thread. False with `*error`
  /// set when the address cannot be bound, or when it is not loopback and no
  /// token is set (the caller generates one).
  bool Start(std::string* error);
  /// The port bound (the free one picked for port 0); 0 before Start.
  int port() const { return port_; }
  /// "http://127.0.0.1:8765/" ("[::1]" for IPv6).
  std::string Url() const;
  /// Ends open event streams, stops answering and joins the threads.
  void Stop();

 private:
  void AddRoutes();
  /// Waits up to `seconds` unless Stop is called; false once stopping.
  bool WaitUnlessStopping(double seconds);

  const Project& project_;
  DashboardOptions options_;
  SystemClock clock_;
  StateReader reader_;
  Plan plan_;  // for the critical path and the predicted lanes
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable stopping_changed_;
  bool stopping_ = false;
};

}  // namespace orchestra
