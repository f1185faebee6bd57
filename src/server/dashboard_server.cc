#include "dashboard_server.h"

#include <httplib.h>
#include <signal.h>

#include <charconv>
#include <chrono>

#include "access_token.h"
#include "assets.h"
#include "dashboard_api.h"
#include "event_stream.h"
#include "git.h"
#include "graphviz.h"
#include "log_chunk.h"

namespace orchestra {
namespace {

using nlohmann::json;

/// The most bytes of a log one /log request returns.
constexpr size_t kLogChunkBytes = 64 * 1024;
/// Worker threads: event streams hold one each while open.
constexpr size_t kWorkerThreads = 16;

void SendJson(httplib::Response& response, const json& body, int status = 200) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& response, int status, const std::string& message) {
  SendJson(response, {{"error", message}}, status);
}

/// A whole decimal number (possibly negative), else false.
bool ParseInteger(const std::string& text, int64_t* value) {
  const char* end = text.data() + text.size();
  const auto [stop, failure] = std::from_chars(text.data(), end, *value);
  return failure == std::errc() && stop == end && !text.empty();
}

/// Security headers on every answer: nothing may be framed or sniffed, and the
/// page runs only its own scripts.
void AddCommonHeaders(httplib::Response& response) {
  response.set_header("Cache-Control", "no-store");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                      "frame-ancestors 'none'");
}

}  // namespace

DashboardServer::DashboardServer(const Project& project, DashboardOptions options)
    : project_(project),
      options_(std::move(options)),
      reader_(project.State(), &clock_),
      plan_(MakePlan(project, {}, PlanOptions{.budget_seconds = 0.05, .scaling = false})),
      http_(std::make_unique<httplib::Server>()) {}

DashboardServer::~DashboardServer() { Stop(); }

std::string DashboardServer::Url() const {
  const std::string host = options_.bind.find(':') != std::string::npos ? "[" + options_.bind + "]" : options_.bind;
  return "http://" + host + ":" + std::to_string(port_) + "/";
}

bool DashboardServer::Start(std::string* error) {
  if (!IsLoopbackAddress(options_.bind) && options_.token.empty()) {
    *error = "binding " + options_.bind + " (not loopback) needs a token";
    return false;
  }
  http_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  // An idle keep-alive connection holds a worker until it times out: short, so Stop is quick.
  http_->set_keep_alive_timeout(1);
  AddRoutes();
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.bind);
  } else if (http_->bind_to_port(options_.bind, options_.port)) {
    port_ = options_.port;
  }
  if (port_ <= 0) {
    port_ = 0;
    *error = "cannot listen on " + options_.bind + ":" + std::to_string(options_.port) +
             " (in use, or not an address of this machine; --port 0 picks a free port)";
    return false;
  }
  // The server's threads take no signal: SIGINT, SIGTERM and SIGCHLD stay
  // with the thread that handles them (the run's event loop, serve's sigwait).
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return true;
}

void DashboardServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stopping_changed_.notify_all();
  if (listener_.joinable()) {
    http_->stop();
    listener_.join();
  }
}

bool DashboardServer::WaitUnlessStopping(double seconds) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !stopping_changed_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stopping_; });
}

void DashboardServer::AddRoutes() {
  httplib::Server& http = *http_;
  // Who may ask: a token when one is set, and without one only pages that name
  // this machine (a foreign site rebinding its name to 127.0.0.1 is refused).
  http.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    AddCommonHeaders(response);
    if (!TokenAccepted(options_.token, request.get_header_value("Authorization"),
                       request.get_param_value("token"))) {
      response.set_header("WWW-Authenticate", "Bearer");
      SendError(response, 401, "a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (options_.token.empty() && !IsLoopbackHost(request.get_header_value("Host"))) {
      SendError(response, 403, "the Host header does not name this machine");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler([](const httplib::Request&, httplib::Response& response) {
    if (response.body.empty()) SendError(response, response.status, response.status == 404 ? "not found" : "error");
  });

  http.Get("/", [](const httplib::Request&, httplib::Response& response) {
    Asset asset;
    if (!FindAsset("index.html", &asset)) return SendError(response, 500, "index.html is not embedded");
    response.set_content(asset.content, asset.content_type);
  });
  http.Get(R"(/assets/([A-Za-z0-9_-]+\.[a-z]+))", [](const httplib::Request& request, httplib::Response& response) {
    Asset asset;
    if (!FindAsset(request.matches[1], &asset)) return SendError(response, 404, "not found");
    response.set_content(asset.content, asset.content_type);
  });

  // The log too: a run's pauses are events (rate limits, a spent budget).
  http.Get("/api/status", [this](const httplib::Request&, httplib::Response& response) {
    StateSnapshot snapshot;
    std::string error;
    if (!reader_.SnapshotWithLog(&snapshot, &error)) return SendError(response, 500, error);
    SendJson(response, StatusApiJson(project_, snapshot));
  });
  http.Get("/api/workstreams", [this](const httplib::Request&, httplib::Response& response) {
    StateSnapshot snapshot;
    std::string error;
    if (!reader_.Snapshot(&snapshot, &error)) return SendError(response, 500, error);
    SendJson(response, WorkstreamsApiJson(project_, snapshot));
  });
  http.Get("/api/lanes", [this](const httplib::Request&, httplib::Response& response) {
    StateSnapshot snapshot;
    std::string error;
    if (!reader_.Snapshot(&snapshot, &error)) return SendError(response, 500, error);
    SendJson(response, LanesApiJson(project_, snapshot, plan_));
  });
  // An id is only ever looked up among the project's workstreams: anything
  // else, "..", slashes or encoded, is 404 before it could name a file.
  http.Get(R"(/api/workstreams/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
    const int node = project_.graph->IndexOf(request.matches[1]);
    if (node < 0) return SendError(response, 404, "no workstream '" + std::string(request.matches[1]) + "'");
    StateSnapshot snapshot;
    std::string error;
    if (!reader_.Snapshot(&snapshot, &error)) return SendError(response, 500, error);
    std::string diff;
    if (const AttemptRecord* changed = AttemptWithChanges(snapshot, project_.graph->id(node))) {
      SystemGit git;
      const GitResult result =
          git.Run(project_.config.project_dir, {"diff", changed->base_commit, changed->head_commit});
      diff = result.ok() ? result.out : result.Describe({"diff", changed->base_commit, changed->head_commit});
    }
    SendJson(response, WorkstreamApiJson(project_, snapshot, node, diff));
  });
  // The log's path comes from the attempts table, never from the request.
  http.Get(R"(/api/workstreams/([^/]+)/log)", [this](const httplib::Request& request, httplib::Response& response) {
    const int node = project_.graph->IndexOf(request.matches[1]);
    if (node < 0) return SendError(response, 404, "no workstream '" + std::string(request.matches[1]) + "'");
    int64_t offset = -1;
    if (request.has_param("offset") && !ParseInteger(request.get_param_value("offset"), &offset)) {
      return SendError(response, 400, "offset must be a whole number of bytes, not '" +
                                          request.get_param_value("offset") + "'");
    }
    StateSnapshot snapshot;
    std::string error;
    if (!reader_.Snapshot(&snapshot, &error)) return SendError(response, 500, error);
    const AttemptRecord* latest = LatestAttempt(snapshot, project_.graph->id(node));
    if (!latest) {
      return SendJson(response, {{"attempt_id", nullptr}, {"attempt", 0}, {"running", false}, {"offset", 0},
                                 {"next_offset", 0}, {"size", 0}, {"text", ""}});
    }
    // The file on this host, else its copy in the state; neither reads as empty.
    AttemptLogRange range;
    LogChunk chunk;
    if (reader_.ReadLog(*latest, offset, static_cast<int64_t>(kLogChunkBytes), &range, &error)) {
      chunk = LogChunkOf(range.start, range.size, std::move(range.bytes));
    }
    SendJson(response, {{"attempt_id", latest->id},
                        {"attempt", latest->attempt},
                        {"running", latest->outcome == AttemptOutcome::kRunning},
                        {"offset", chunk.offset},
                        {"next_offset", chunk.next_offset},
                        {"size", chunk.size},
                        {"text", chunk.text}});
  });
  http.Get("/api/graph.svg", [this](const httplib::Request&, httplib::Response& response) {
    StateSnapshot snapshot;
    std::string error, svg;
    if (!reader_.Snapshot(&snapshot, &error) || !RunDot(GraphDot(project_, snapshot, plan_), "svg", &svg, &error)) {
      return SendError(response, 500, error);
    }
    response.set_content(svg, "image/svg+xml");
  });
  http.Get("/api/events", [this](const httplib::Request& request, httplib::Response& response) {
    int64_t after = 0;
    const std::string resume = request.get_header_value("Last-Event-ID");
    const std::string asked = resume.empty() ? request.get_param_value("after") : resume;
    if (!asked.empty() && !ParseInteger(asked, &after)) {
      return SendError(response, 400, "after must be an execution_log id, not '" + asked + "'");
    }
    response.set_header("X-Accel-Buffering", "no");
    response.set_chunked_content_provider("text/event-stream", [this, after](size_t, httplib::DataSink& sink) {
      EventSink events{[&sink](const std::string& text) { return sink.write(text.data(), text.size()); },
                       [this](double seconds) { return WaitUnlessStopping(seconds); }};
      StreamEvents(reader_, after, events);
      sink.done();
      return true;
    });
  });
}

}  // namespace orchestra
