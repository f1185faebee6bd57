// orchestra_model_server: a scripted model server for the tests that drive the real agent CLIs
// (Claude Code, Codex, Gemini CLI) offline. It speaks just enough of three provider APIs on
// 127.0.0.1, each streaming SSE the way the real clients expect:
//   Anthropic Messages  HEAD /, POST /v1/messages (stream or not)
//   OpenAI Responses    POST /v1/responses (SSE)
//   Gemini              POST /v1beta/models/<m>:generateContent and :streamGenerateContent?alt=sse
// The scenario (--scenario) decides every answer:
//   write         a request without a tool result gets a tool call that writes --file (relative to
//                 the working directory the client names in its prompt) with --content; a request
//                 carrying the tool's result gets the final text --answer. Usage figures are the
//                 fixed ones below, so tests can assert them.
//   rate_limit    429 with `retry-after: --retry-after` and the provider's error JSON
//   unauthorized  401 with the provider's error JSON
//   server_error  500 with the provider's error JSON
//   hang          accepts the request and never answers
// `HEAD /` (Claude Code's connectivity check) is answered 200 in every scenario.
// With `--then NAME --after N`, the first N model requests (POSTs) get --scenario and every later
// one gets NAME: `--scenario rate_limit --then write --after 1` refuses once, then lets it work.
// In --file, `{workstream}` stands for the id that follows "Workstream: " in the request (an
// Orchestra prompt names its workstream so), so one server gives each workstream its own file.
//
// Usage: orchestra_model_server --scenario NAME --log FILE [--then NAME --after N] [--file NAME]
//          [--content TEXT] [--answer TEXT] [--retry-after SECONDS] [--body-dir DIR]
// It binds 127.0.0.1 on a free port and prints `port N` as its first stdout line once it accepts
// connections. Each request is appended to --log as one JSON line: method, path, query, the
// credential headers received (authorization, x-api-key, x-goog-api-key), the body's size and
// FNV-1a digest, the provider, the answer given and the working directory it found; with
// --body-dir each body is also kept whole as DIR/<n>.json. It runs until killed.
#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>

namespace {

using nlohmann::json;

// The fixed usage figures of the `write` scenario: the first turn (the tool call), then the second
// (the final answer). Tests sum them: see tests/support/model_server_process.h.
constexpr int kToolTurnInput = 1000, kToolTurnOutput = 50, kToolTurnCached = 100;
constexpr int kAnswerTurnInput = 1200, kAnswerTurnOutput = 20, kAnswerTurnCached = 300;

/// Options: the command line, read once.
struct Options {
  std::string scenario;
  std::string then;  // the scenario after the first `after` model requests ("": none)
  int after = 0;
  std::string log_path;
  std::string file = "hello.txt";
  std::string content = "hello from the model server\n";
  std::string answer = "I wrote the file.";
  int retry_after = 7;
  std::string body_dir;
};

/// Provider: which API a request came in on, for the error shapes and the working directory.
enum class Provider { kAnthropic, kOpenAi, kGemini };

const char* ProviderName(Provider provider) {
  switch (provider) {
    case Provider::kAnthropic:
      return "anthropic";
    case Provider::kOpenAi:
      return "openai";
    case Provider::kGemini:
      return "gemini";
  }
  return "";
}

std::string Fnv1a(const std::string& text) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char digits[17];
  std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(hash));
  return digits;
}

/// RequestLog appends one JSON line per request (from any server thread).
class RequestLog {
 public:
  explicit RequestLog(const Options& options) : options_(options) {}
  void Add(const httplib::Request& request, Provider provider, const std::string& answer,
           const std::string& workdir) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int number = ++count_;
    json line = {{"n", number},
                 {"method", request.method},
                 {"path", request.path},
                 {"query", QueryString(request)},
                 {"provider", ProviderName(provider)},
                 {"authorization", request.get_header_value("authorization")},
                 {"x_api_key", request.get_header_value("x-api-key")},
                 {"x_goog_api_key", request.get_header_value("x-goog-api-key")},
                 {"body_bytes", request.body.size()},
                 {"body_fnv1a", Fnv1a(request.body)},
                 {"answer", answer},
                 {"workdir", workdir}};
    std::ofstream(options_.log_path, std::ios::app) << line.dump() << "\n";
    if (!options_.body_dir.empty()) {
      std::ofstream(options_.body_dir + "/" + std::to_string(number) + ".json") << request.body;
    }
  }

 private:
  static std::string QueryString(const httplib::Request& request) {
    std::string query;
    for (const auto& [key, value] : request.params) {
      query += (query.empty() ? "" : "&") + key + "=" + value;
    }
    return query;
  }
  const Options& options_;
  std::mutex mutex_;
  int count_ = 0;
};

/// The working directory the client announces in its prompt: Claude Code's "working directory:
/// /abs", Codex's "<cwd>/abs</cwd>", Gemini CLI's "**Workspace Directories:**\n  - /abs" (the
/// first one). Empty when none is found.
std::string FindWorkdir(const std::string& body) {
  static const std::regex patterns[] = {
      std::regex(R"(<cwd>([^<"\\]+)</cwd>)"),
      std::regex(R"([Ww]orking directory:\s*(/[^\s"\\]+))"),
      std::regex(R"(Workspace Directories:\*\*(?:\\n|\s)*-\s*(/[^\s"\\]+))"),
  };
  for (const std::regex& pattern : patterns) {
    std::smatch match;
    if (std::regex_search(body, match, pattern)) return match[1].str();
  }
  return "";
}

std::string Sse(const std::string& event, const json& data) {
  std::string text;
  if (!event.empty()) text += "event: " + event + "\n";
  return text + "data: " + data.dump() + "\n\n";
}

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// ModelServer holds the options and answers every route.
class ModelServer {
 public:
  explicit ModelServer(Options options) : options_(std::move(options)), log_(options_) {}

  void Route(httplib::Server* server) {
    server->Options(".*",
                    [](const httplib::Request&, httplib::Response& response) { response.status = 204; });
    server->Get("/", [this](const httplib::Request& request, httplib::Response& response) {
      log_.Add(request, Provider::kAnthropic, "ok", "");
      response.set_content("ok", "text/plain");
    });
    server->Post("/v1/messages", [this](const httplib::Request& request, httplib::Response& response) {
      Answer(Provider::kAnthropic, request, &response);
    });
    server->Post("/v1/responses", [this](const httplib::Request& request, httplib::Response& response) {
      Answer(Provider::kOpenAi, request, &response);
    });
    server->Post(R"(/v1beta/models/[^/]+)",
                 [this](const httplib::Request& request, httplib::Response& response) {
                   Answer(Provider::kGemini, request, &response);
                 });
    server->set_error_handler([this](const httplib::Request& request, httplib::Response& response) {
      if (response.status != 404) return;
      log_.Add(request, Provider::kAnthropic, "not_found", "");
      response.set_content(
          json{{"error", {{"message", "no route " + request.method + " " + request.path}}}}.dump(),
          "application/json");
    });
  }

 private:
  void Answer(Provider provider, const httplib::Request& request, httplib::Response* response) {
    const std::string workdir = FindWorkdir(request.body);
    const std::string scenario = NextScenario();
    if (scenario == "hang") {
      log_.Add(request, provider, "hang", workdir);
      Hang();
    }
    if (scenario != "write") {
      log_.Add(request, provider, scenario, workdir);
      Fail(scenario, provider, response);
      return;
    }
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded()) body = json::object();
    if (provider == Provider::kAnthropic) return Anthropic(request, body, workdir, response);
    if (provider == Provider::kOpenAi) return OpenAi(request, body, workdir, response);
    return Gemini(request, body, workdir, response);
  }

  // The scenario of this model request: --scenario for the first --after ones, then --then.
  std::string NextScenario() {
    std::lock_guard<std::mutex> lock(count_mutex_);
    return options_.then.empty() || model_requests_++ < options_.after ? options_.scenario : options_.then;
  }

  [[noreturn]] void Hang() {
    std::unique_lock<std::mutex> lock(hang_mutex_);
    for (;;) hang_forever_.wait(lock);
  }

  void Fail(const std::string& scenario, Provider provider, httplib::Response* response) {
    const int status = scenario == "rate_limit" ? 429 : scenario == "unauthorized" ? 401 : 500;
    if (status == 429) response->set_header("retry-after", std::to_string(options_.retry_after));
    response->status = status;
    response->set_content(ErrorBody(provider, status, options_.retry_after).dump(), "application/json");
  }

  static json ErrorBody(Provider provider, int status, int retry_after) {
    const std::string message = status == 429   ? "Rate limit reached: retry later."
                                : status == 401 ? "invalid x-api-key"
                                                : "Internal server error";
    if (provider == Provider::kAnthropic) {
      const char* type = status == 429   ? "rate_limit_error"
                         : status == 401 ? "authentication_error"
                                         : "api_error";
      return {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
    }
    if (provider == Provider::kOpenAi) {
      const char* code = status == 429   ? "rate_limit_exceeded"
                         : status == 401 ? "invalid_api_key"
                                         : "server_error";
      const char* type = status == 429   ? "requests"
                         : status == 401 ? "invalid_request_error"
                                         : "server_error";
      return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
    }
    const char* google_status = status == 429   ? "RESOURCE_EXHAUSTED"
                                : status == 401 ? "UNAUTHENTICATED"
                                                : "INTERNAL";
    json error = {{"code", status}, {"message", message}, {"status", google_status}};
    // Google says when to retry in a RetryInfo detail rather than (only) the header.
    if (status == 429) {
      error["details"] = json::array({{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
                                       {"retryDelay", std::to_string(retry_after) + "s"}}});
    }
    return {{"error", error}};
  }

  // --file with `{workstream}` replaced by the id after "Workstream: " in the request's body.
  static std::string FileFor(const std::string& file, const std::string& body) {
    static const std::string kPlaceholder = "{workstream}";
    const size_t at = file.find(kPlaceholder);
    if (at == std::string::npos) return file;
    static const std::regex pattern(R"(Workstream: ([A-Za-z0-9._-]+))");
    std::smatch match;
    const std::string id = std::regex_search(body, match, pattern) ? match[1].str() : "unknown";
    return file.substr(0, at) + id + file.substr(at + kPlaceholder.size());
  }

  static std::string TargetPath(const std::string& file, const std::string& workdir) {
    return workdir.empty() ? file : workdir + "/" + file;
  }

  // Anthropic Messages. A request with a tool_result block gets the final answer; one with tools
  // gets the Write tool call; one without tools (a side request such as a title) gets plain text.
  void Anthropic(const httplib::Request& request, const json& body, const std::string& workdir,
                 httplib::Response* response) {
    bool has_result = false;
    for (const json& message : body.value("messages", json::array())) {
      const json content = message.value("content", json());
      if (!content.is_array()) continue;
      for (const json& block : content)
        has_result |= block.is_object() && block.value("type", "") == "tool_result";
    }
    const bool has_tools = body.contains("tools") && !body["tools"].empty();
    const bool tool_turn = has_tools && !has_result;
    log_.Add(request, Provider::kAnthropic, tool_turn ? "tool_call" : "text", workdir);
    const std::string model = body.value("model", "claude-test");
    const int input = tool_turn ? kToolTurnInput : kAnswerTurnInput;
    const int output = tool_turn ? kToolTurnOutput : kAnswerTurnOutput;
    const int cached = tool_turn ? kToolTurnCached : kAnswerTurnCached;
    const json usage = {{"input_tokens", input},
                        {"cache_creation_input_tokens", 0},
                        {"cache_read_input_tokens", cached},
                        {"output_tokens", output}};
    const json tool_input = {{"file_path", TargetPath(FileFor(options_.file, request.body), workdir)},
                             {"content", options_.content}};
    const std::string id = tool_turn ? "msg_tool" : "msg_answer";
    if (!body.value("stream", false)) {
      json block =
          tool_turn
              ? json{{"type", "tool_use"}, {"id", "toolu_write"}, {"name", "Write"}, {"input", tool_input}}
              : json{{"type", "text"}, {"text", options_.answer}};
      json message = {{"id", id},
                      {"type", "message"},
                      {"role", "assistant"},
                      {"model", model},
                      {"content", json::array({block})},
                      {"stop_reason", tool_turn ? "tool_use" : "end_turn"},
                      {"stop_sequence", nullptr},
                      {"usage", usage}};
      response->set_content(message.dump(), "application/json");
      return;
    }
    json start_usage = usage;
    start_usage["output_tokens"] = 1;
    std::string stream = Sse("message_start", {{"type", "message_start"},
                                               {"message",
                                                {{"id", id},
                                                 {"type", "message"},
                                                 {"role", "assistant"},
                                                 {"model", model},
                                                 {"content", json::array()},
                                                 {"stop_reason", nullptr},
                                                 {"stop_sequence", nullptr},
                                                 {"usage", start_usage}}}});
    if (tool_turn) {
      stream += Sse(
          "content_block_start",
          {{"type", "content_block_start"},
           {"index", 0},
           {"content_block",
            {{"type", "tool_use"}, {"id", "toolu_write"}, {"name", "Write"}, {"input", json::object()}}}});
      stream += Sse("content_block_delta",
                    {{"type", "content_block_delta"},
                     {"index", 0},
                     {"delta", {{"type", "input_json_delta"}, {"partial_json", tool_input.dump()}}}});
    } else {
      stream += Sse("content_block_start", {{"type", "content_block_start"},
                                            {"index", 0},
                                            {"content_block", {{"type", "text"}, {"text", ""}}}});
      stream += Sse("content_block_delta", {{"type", "content_block_delta"},
                                            {"index", 0},
                                            {"delta", {{"type", "text_delta"}, {"text", options_.answer}}}});
    }
    stream += Sse("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}});
    stream +=
        Sse("message_delta",
            {{"type", "message_delta"},
             {"delta", {{"stop_reason", tool_turn ? "tool_use" : "end_turn"}, {"stop_sequence", nullptr}}},
             {"usage", {{"output_tokens", output}}}});
    stream += Sse("message_stop", {{"type", "message_stop"}});
    response->set_content(stream, "text/event-stream");
  }

  // OpenAI Responses (Codex). A request whose input holds a function_call_output gets the final
  // message; otherwise an exec_command call that writes the file with printf.
  void OpenAi(const httplib::Request& request, const json& body, const std::string& workdir,
              httplib::Response* response) {
    bool has_result = false;
    for (const json& item : body.value("input", json::array())) {
      has_result |= item.is_object() && item.value("type", "") == "function_call_output";
    }
    const bool tool_turn = !has_result;
    log_.Add(request, Provider::kOpenAi, tool_turn ? "tool_call" : "text", workdir);
    const int input = tool_turn ? kToolTurnInput : kAnswerTurnInput;
    const int output = tool_turn ? kToolTurnOutput : kAnswerTurnOutput;
    const int cached = tool_turn ? kToolTurnCached : kAnswerTurnCached;
    const std::string id = tool_turn ? "resp_tool" : "resp_answer";
    json item;
    if (tool_turn) {
      const std::string command =
          "printf %s " + ShellQuote(options_.content) + " > " + ShellQuote(FileFor(options_.file, request.body));
      item = {{"type", "function_call"},
              {"id", "fc_write"},
              {"call_id", "call_write"},
              {"name", "exec_command"},
              {"arguments", json{{"cmd", command}, {"workdir", workdir.empty() ? "." : workdir}}.dump()},
              {"status", "completed"}};
    } else {
      item = {{"type", "message"},
              {"id", "msg_answer"},
              {"role", "assistant"},
              {"status", "completed"},
              {"content",
               json::array(
                   {{{"type", "output_text"}, {"text", options_.answer}, {"annotations", json::array()}}})}};
    }
    const json usage = {{"input_tokens", input},
                        {"input_tokens_details", {{"cached_tokens", cached}}},
                        {"output_tokens", output},
                        {"output_tokens_details", {{"reasoning_tokens", 0}}},
                        {"total_tokens", input + output}};
    const std::string model = body.value("model", "gpt-test");
    std::string stream = Sse("response.created", {{"type", "response.created"},
                                                  {"response",
                                                   {{"id", id},
                                                    {"object", "response"},
                                                    {"status", "in_progress"},
                                                    {"model", model},
                                                    {"output", json::array()}}}});
    stream += Sse("response.output_item.done",
                  {{"type", "response.output_item.done"}, {"output_index", 0}, {"item", item}});
    stream += Sse("response.completed", {{"type", "response.completed"},
                                         {"response",
                                          {{"id", id},
                                           {"object", "response"},
                                           {"status", "completed"},
                                           {"model", model},
                                           {"output", json::array({item})},
                                           {"usage", usage}}}});
    response->set_content(stream, "text/event-stream");
  }

  // Gemini. generateContent (the CLI's model routing) gets a JSON choice of model; a streamed
  // request whose contents hold a functionResponse gets the final text, otherwise write_file.
  void Gemini(const httplib::Request& request, const json& body, const std::string& workdir,
              httplib::Response* response) {
    const bool streaming = request.path.find(":streamGenerateContent") != std::string::npos;
    bool has_result = false;
    for (const json& content : body.value("contents", json::array())) {
      for (const json& part : content.value("parts", json::array()))
        has_result |= part.contains("functionResponse");
    }
    const bool tool_turn = streaming && !has_result;
    log_.Add(request, Provider::kGemini, !streaming ? "route" : tool_turn ? "tool_call" : "text", workdir);
    const int input = tool_turn ? kToolTurnInput : kAnswerTurnInput;
    const int output = tool_turn ? kToolTurnOutput : kAnswerTurnOutput;
    const int cached = tool_turn ? kToolTurnCached : kAnswerTurnCached;
    json part;
    if (!streaming) {
      // Both routers' shapes: the classifier's model_choice and the numerical complexity score.
      part = {{"text", json{{"reasoning", "A simple task."},
                            {"model_choice", "flash"},
                            {"complexity_reasoning", "A simple task."},
                            {"complexity_score", 10}}
                           .dump()}};
    } else if (tool_turn) {
      part = {{"functionCall",
               {{"name", "write_file"},
                {"args",
                 {{"file_path", TargetPath(FileFor(options_.file, request.body), workdir)},
                  {"content", options_.content}}}}}};
    } else {
      part = {{"text", options_.answer}};
    }
    const json answer = {
        {"candidates", json::array({{{"content", {{"role", "model"}, {"parts", json::array({part})}}},
                                     {"finishReason", "STOP"},
                                     {"index", 0}}})},
        {"usageMetadata",
         {{"promptTokenCount", input},
          {"candidatesTokenCount", output},
          {"cachedContentTokenCount", cached},
          {"totalTokenCount", input + output}}},
        {"modelVersion", "gemini-test"}};
    if (!streaming) {
      response->set_content(answer.dump(), "application/json");
      return;
    }
    response->set_content(Sse("", answer), "text/event-stream");
  }

  Options options_;
  RequestLog log_;
  std::mutex count_mutex_;
  int model_requests_ = 0;  // POSTs answered so far, for --then/--after
  std::mutex hang_mutex_;
  std::condition_variable hang_forever_;
};

bool ReadOptions(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "orchestra_model_server: " << flag << " needs a value\n";
      return false;
    }
    const std::string value = argv[++i];
    if (flag == "--scenario")
      options->scenario = value;
    else if (flag == "--then")
      options->then = value;
    else if (flag == "--after")
      options->after = std::stoi(value);
    else if (flag == "--log")
      options->log_path = value;
    else if (flag == "--file")
      options->file = value;
    else if (flag == "--content")
      options->content = value;
    else if (flag == "--answer")
      options->answer = value;
    else if (flag == "--retry-after")
      options->retry_after = std::stoi(value);
    else if (flag == "--body-dir")
      options->body_dir = value;
    else {
      std::cerr << "orchestra_model_server: unknown flag " << flag << "\n";
      return false;
    }
  }
  static const std::string kScenarios[] = {"write", "rate_limit", "unauthorized", "server_error", "hang"};
  if (std::find(std::begin(kScenarios), std::end(kScenarios), options->scenario) == std::end(kScenarios)) {
    std::cerr << "orchestra_model_server: --scenario must be one of write, rate_limit, unauthorized, "
                 "server_error, hang (got '"
              << options->scenario << "')\n";
    return false;
  }
  if (!options->then.empty() &&
      std::find(std::begin(kScenarios), std::end(kScenarios), options->then) == std::end(kScenarios)) {
    std::cerr << "orchestra_model_server: --then must be a scenario too (got '" << options->then << "')\n";
    return false;
  }
  if (options->log_path.empty()) {
    std::cerr << "orchestra_model_server: --log FILE is required (one JSON line per request)\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ReadOptions(argc, argv, &options)) return 2;
  ModelServer model(options);
  httplib::Server server;
  // Every `hang` request holds a thread for good: room for many before new ones queue.
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  model.Route(&server);
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port < 0) {
    std::cerr << "orchestra_model_server: cannot bind 127.0.0.1\n";
    return 1;
  }
  std::cout << "port " << port << std::endl;
  return server.listen_after_bind() ? 0 : 1;
}
