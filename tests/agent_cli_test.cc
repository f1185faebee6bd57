// The real agent CLIs (Claude Code, Codex, Gemini CLI) as real processes against the scripted
// model server, directly (not through orchestra yet): what each does when the model writes a file
// and answers, and how each ends on a 429, a 401, a 500 and a model that never answers. These are
// the facts the agent adapters rely on. Each CLI runs in a temporary git repository with a
// temporary HOME, its telemetry, update checks and own retries off, stdin /dev/null, an argv.
// Without the CLIs (scripts/install-deps.sh installs them) every test skips.
//
// With ORCHESTRA_RECORD_AGENT_FIXTURES=1 each run's stdout and stderr, interleaved as read, are
// also saved as tests/fixtures/agents/<cli>/recorded_<scenario>.txt (see the README there).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_harness.h"
#include "git_test_repo.h"
#include "model_server_process.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace orchestra::testing {
namespace {

using nlohmann::json;

constexpr char kApiKey[] = "sk-orchestra-test-key-4f2a9c";
constexpr char kPrompt[] = "Write hello.txt with a greeting, then say what you did.";

/// CliRun is how one CLI run ended: its exit code (128 + signal when killed), its streams apart
/// and interleaved as they were read, and whether the test stopped it.
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string log;
  bool stopped = false;
};

// Starts argv in `cwd` in its own process group with PATH and `setup.env` only, stdin /dev/null.
pid_t StartCli(const std::vector<std::string>& argv, const std::string& cwd, const AgentCliSetup& setup,
               int out_pipe[2], int err_pipe[2]) {
  std::vector<std::string> env{std::string("PATH=") + std::getenv("PATH"), "LANG=C.UTF-8"};
  for (const auto& [name, value] : setup.env) env.push_back(name + "=" + value);
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (chdir(cwd.c_str()) != 0) _exit(127);
    const int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    std::vector<char*> args, vars;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    for (const std::string& var : env) vars.push_back(const_cast<char*>(var.c_str()));
    args.push_back(nullptr);
    vars.push_back(nullptr);
    execve(args[0], args.data(), vars.data());
    _exit(127);
  }
  setpgid(pid, pid);
  close(out_pipe[1]);
  close(err_pipe[1]);
  return pid;
}

// Runs the CLI to its end, reading both streams as they come. When `stop_when` (given the output
// so far) turns true (it
// is asked whenever output arrives or 20 ms pass), the whole process group is killed: that is how
// a test ends a CLI that would retry or wait forever. 120 s without an end fails the test.
CliRun RunCli(const std::vector<std::string>& argv, const std::string& cwd, const AgentCliSetup& setup,
              const std::function<bool(const CliRun&)>& stop_when = nullptr) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe failed";
    return {};
  }
  const pid_t pid = StartCli(argv, cwd, setup, out_pipe, err_pipe);
  CliRun run;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* streams[2] = {&run.out, &run.err};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int status = 0;
  bool exited = false;
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const int ready = poll(fds, 2, exited ? 0 : 20);
    for (int i = 0; i < 2 && ready > 0; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
      if (got <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        continue;
      }
      streams[i]->append(buffer, static_cast<size_t>(got));
      run.log.append(buffer, static_cast<size_t>(got));
    }
    if (exited && ready == 0) break;  // the CLI is gone and its output drained; helpers may linger
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = true;
    if (!exited && !run.stopped && stop_when && stop_when(run)) {
      run.stopped = true;
      kill(-pid, SIGKILL);
    }
    if (!exited && std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << argv[0] << " did not end within 120 s";
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      exited = true;
    }
  }
  for (const pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  if (!exited) waitpid(pid, &status, 0);
  kill(-pid, SIGKILL);  // whatever the CLI left in its group
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

std::vector<std::string> CliArgv(AgentCli cli, const AgentCliSetup& setup) {
  const std::string binary = AgentCliBinary(cli);
  std::vector<std::string> argv;
  switch (cli) {
    case AgentCli::kClaude:
      argv = {binary, "-p", kPrompt, "--output-format", "json", "--permission-mode", "acceptEdits"};
      break;
    case AgentCli::kCodex:
      argv = {binary, "exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check", kPrompt};
      break;
    case AgentCli::kGemini:
      argv = {binary, "-p", kPrompt, "--output-format", "json", "--approval-mode", "yolo"};
      break;
  }
  argv.insert(argv.end(), setup.args.begin(), setup.args.end());
  return argv;
}

// The requests that reached the model (not Claude Code's `HEAD /` connectivity check).
int ModelRequests(const ModelServerProcess& server) {
  int count = 0;
  for (const json& request : server.Requests()) count += request["method"] == "POST";
  return count;
}

// The last JSON object the CLI printed on its own lines (Gemini CLI's error report ends stderr
// with one, after a stack trace).
json LastJsonObject(const std::string& text) {
  const size_t start = text.rfind("\n{\n");
  return json::parse(start == std::string::npos ? text : text.substr(start + 1), nullptr, false);
}

// Codex's JSONL events, one object per line.
std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> events;
  std::stringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) events.push_back(json::parse(line, nullptr, false));
  }
  return events;
}

/// AgentCliTest runs one CLI against a model server with one scenario in a fresh repository.
class AgentCliTest : public ::testing::Test {
 protected:
  CliRun Run(AgentCli cli, const std::string& scenario,
             const std::function<bool(const ModelServerProcess&)>& stop_when = nullptr,
             bool quick_failures = true) {
    ModelServerScript script;
    script.scenario = scenario;
    server_ = std::make_unique<ModelServerProcess>(script);
    AgentCliSetup setup = server_->SetupFor(cli, home_.path(), kApiKey);
    if (!quick_failures) Undo(cli, &setup);
    setup.WriteFiles();
    CliRun run = RunCli(
        CliArgv(cli, setup), repo_.path(), setup,
        stop_when ? std::function<bool(const CliRun&)>([&](const CliRun&) { return stop_when(*server_); })
                  : nullptr);
    Record(cli, quick_failures ? scenario : scenario + "_default_retries", run);
    return run;
  }

  // The CLI's own defaults (Gemini: its routing call and retries), to see what it does unbounded.
  static void Undo(AgentCli cli, AgentCliSetup* setup) {
    if (cli != AgentCli::kGemini) return;
    setup->args.clear();
    for (auto& [path, content] : setup->files) {
      if (path.ends_with("settings.json"))
        content = R"({"security": {"auth": {"selectedType": "gemini-api-key"}}})";
    }
  }

  static void Record(AgentCli cli, const std::string& scenario, const CliRun& run) {
    const char* record = std::getenv("ORCHESTRA_RECORD_AGENT_FIXTURES");
    if (record == nullptr || std::string(record) != "1") return;
    WriteFile(std::string(ORCHESTRA_TEST_FIXTURES_DIR) + "/agents/" + AgentCliName(cli) + "/recorded_" +
                  scenario + ".txt",
              run.log);
  }

  // The key went environment → header, and into no request body.
  void ExpectKeyOnlyInHeaders(AgentCli cli) {
    const char* header = cli == AgentCli::kClaude  ? "x_api_key"
                         : cli == AgentCli::kCodex ? "authorization"
                                                   : "x_goog_api_key";
    const std::string expected = cli == AgentCli::kCodex ? std::string("Bearer ") + kApiKey : kApiKey;
    for (const json& request : server_->Requests()) {
      if (request["method"] == "POST") {
        EXPECT_EQ(request[header], expected) << request.dump();
      }
    }
    for (const std::string& body : server_->Bodies()) EXPECT_EQ(body.find(kApiKey), std::string::npos);
  }

  TempDir home_;
  GitTestRepo repo_;
  std::unique_ptr<ModelServerProcess> server_;
};

// Skips the test, naming the install command, when the CLI is not installed.
#define SKIP_WITHOUT(cli)                                                                      \
  do {                                                                                         \
    if (AgentCliBinary(cli).empty()) {                                                         \
      GTEST_SKIP() << AgentCliName(cli) << " is not installed in " << AgentClisDir()           \
                   << ": run scripts/install-deps.sh (npm install --prefix " << AgentClisDir() \
                   << " @anthropic-ai/claude-code @openai/codex @google/gemini-cli)";          \
    }                                                                                          \
  } while (false)

// Claude Code --------------------------------------------------------------------------------

TEST_F(AgentCliTest, ClaudeWritesTheFileAndReportsUsageAndCost) {
  SKIP_WITHOUT(AgentCli::kClaude);
  const CliRun run = Run(AgentCli::kClaude, "write");
  EXPECT_EQ(run.exit_code, 0) << run.log;
  EXPECT_EQ(repo_.Read("hello.txt"), "hello from the model server\n");
  EXPECT_EQ(run.err, "");
  const json result = json::parse(run.out);
  EXPECT_EQ(result["type"], "result");
  EXPECT_EQ(result["subtype"], "success");
  EXPECT_EQ(result["is_error"], false);
  EXPECT_EQ(result["num_turns"], 2);
  EXPECT_EQ(result["result"], "I wrote the file.");
  EXPECT_EQ(result["permission_denials"], json::array());
  EXPECT_EQ(result["usage"]["input_tokens"], kModelServerInputTokens);
  EXPECT_EQ(result["usage"]["output_tokens"], kModelServerOutputTokens);
  EXPECT_EQ(result["usage"]["cache_read_input_tokens"], kModelServerCachedTokens);
  EXPECT_GT(result["total_cost_usd"].get<double>(), 0);  // Claude Code prices the tokens itself
  EXPECT_FALSE(result["session_id"].get<std::string>().empty());
  // Besides the two turns, a `HEAD /` connectivity check (sent alongside, in no fixed order).
  std::vector<json> turns;
  int checks = 0;
  for (const json& request : server_->Requests()) {
    if (request["method"] == "HEAD")
      ++checks;
    else
      turns.push_back(request);
  }
  EXPECT_EQ(checks, 1);
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_EQ(turns[0]["path"], "/v1/messages");
  EXPECT_EQ(turns[0]["query"], "beta=true");
  EXPECT_EQ(turns[0]["answer"], "tool_call");
  EXPECT_EQ(turns[0]["workdir"], repo_.path());
  EXPECT_EQ(turns[1]["answer"], "text");
  ExpectKeyOnlyInHeaders(AgentCli::kClaude);
}

// Every API failure: exit 1, the error in the JSON result on stdout, stderr empty, one request
// (CLAUDE_CODE_MAX_RETRIES=0).
void ExpectClaudeApiError(const CliRun& run, const ModelServerProcess& server, int status) {
  EXPECT_EQ(run.exit_code, 1) << run.log;
  EXPECT_EQ(run.err, "");
  const json result = json::parse(run.out);
  EXPECT_EQ(result["is_error"], true);
  EXPECT_EQ(result["api_error_status"], status);
  EXPECT_EQ(result["total_cost_usd"], 0);
  EXPECT_EQ(ModelRequests(server), 1);
}

TEST_F(AgentCliTest, ClaudeRateLimitedEndsWithStatus429InTheResult) {
  SKIP_WITHOUT(AgentCli::kClaude);
  const CliRun run = Run(AgentCli::kClaude, "rate_limit");
  ExpectClaudeApiError(run, *server_, 429);
  EXPECT_EQ(json::parse(run.out)["result"],
            "API Error: Request rejected (429) · Rate limit reached: retry later.");
}

TEST_F(AgentCliTest, ClaudeUnauthorizedEndsWithStatus401InTheResult) {
  SKIP_WITHOUT(AgentCli::kClaude);
  const CliRun run = Run(AgentCli::kClaude, "unauthorized");
  ExpectClaudeApiError(run, *server_, 401);
  EXPECT_EQ(json::parse(run.out)["result"], "Invalid API key · Fix external API key");
}

TEST_F(AgentCliTest, ClaudeServerErrorEndsWithStatus500InTheResult) {
  SKIP_WITHOUT(AgentCli::kClaude);
  const CliRun run = Run(AgentCli::kClaude, "server_error");
  ExpectClaudeApiError(run, *server_, 500);
}

// A model that never answers: Claude Code waits (its own timeout is minutes), printing nothing.
TEST_F(AgentCliTest, ClaudeWaitsSilentlyOnAHungModel) {
  SKIP_WITHOUT(AgentCli::kClaude);
  const CliRun run = Run(AgentCli::kClaude, "hang",
                         [](const ModelServerProcess& server) { return ModelRequests(server) >= 1; });
  EXPECT_TRUE(run.stopped);
  EXPECT_EQ(run.exit_code, 128 + SIGKILL);
  EXPECT_EQ(run.log, "");
}

// Codex ----------------------------------------------------------------------------------------

TEST_F(AgentCliTest, CodexRunsTheCommandAndReportsUsage) {
  SKIP_WITHOUT(AgentCli::kCodex);
  const CliRun run = Run(AgentCli::kCodex, "write");
  EXPECT_EQ(run.exit_code, 0) << run.log;
  EXPECT_EQ(repo_.Read("hello.txt"), "hello from the model server\n");
  const std::vector<json> events = JsonLines(run.out);
  ASSERT_FALSE(events.empty()) << run.log;
  EXPECT_EQ(events.front()["type"], "thread.started");
  const json& last = events.back();
  EXPECT_EQ(last["type"], "turn.completed");
  EXPECT_EQ(last["usage"]["input_tokens"], kModelServerInputTokens);
  EXPECT_EQ(last["usage"]["cached_input_tokens"], kModelServerCachedTokens);
  EXPECT_EQ(last["usage"]["output_tokens"], kModelServerOutputTokens);
  bool command_ran = false, answered = false;
  for (const json& event : events) {
    if (event["type"] != "item.completed") continue;
    const json& item = event["item"];
    command_ran |= item["type"] == "command_execution" && item["exit_code"] == 0;
    answered |= item["type"] == "agent_message" && item["text"] == "I wrote the file.";
  }
  EXPECT_TRUE(command_ran) << run.out;
  EXPECT_TRUE(answered) << run.out;
  const std::vector<json> requests = server_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["workdir"], repo_.path());
  ExpectKeyOnlyInHeaders(AgentCli::kCodex);
}

// Every API failure: an `error` event then `turn.failed` with the same message, exit 1, one
// request (request_max_retries = stream_max_retries = 0).
void ExpectCodexTurnFailed(const CliRun& run, const ModelServerProcess& server, const std::string& message) {
  EXPECT_EQ(run.exit_code, 1) << run.log;
  const std::vector<json> events = JsonLines(run.out);
  ASSERT_GE(events.size(), 2u) << run.log;
  EXPECT_EQ(events[events.size() - 2], (json{{"type", "error"}, {"message", message}}));
  EXPECT_EQ(events.back(), (json{{"type", "turn.failed"}, {"error", {{"message", message}}}}));
  EXPECT_EQ(ModelRequests(server), 1);
}

TEST_F(AgentCliTest, CodexRateLimitedFailsTheTurnNaming429) {
  SKIP_WITHOUT(AgentCli::kCodex);
  const CliRun run = Run(AgentCli::kCodex, "rate_limit");
  ExpectCodexTurnFailed(run, *server_, "exceeded retry limit, last status: 429 Too Many Requests");
}

TEST_F(AgentCliTest, CodexUnauthorizedFailsTheTurnNaming401) {
  SKIP_WITHOUT(AgentCli::kCodex);
  const CliRun run = Run(AgentCli::kCodex, "unauthorized");
  ExpectCodexTurnFailed(
      run, *server_,
      "unexpected status 401 Unauthorized: invalid x-api-key, url: " + server_->base_url() + "/v1/responses");
}

// A 500 reads like an overload: the status itself is not in the message.
TEST_F(AgentCliTest, CodexServerErrorFailsTheTurn) {
  SKIP_WITHOUT(AgentCli::kCodex);
  const CliRun run = Run(AgentCli::kCodex, "server_error");
  ExpectCodexTurnFailed(run, *server_,
                        "We’re currently experiencing high demand, which may cause temporary errors.");
}

TEST_F(AgentCliTest, CodexWaitsOnAHungModelAfterStartingTheTurn) {
  SKIP_WITHOUT(AgentCli::kCodex);
  const CliRun run = Run(AgentCli::kCodex, "hang",
                         [](const ModelServerProcess& server) { return ModelRequests(server) >= 1; });
  EXPECT_TRUE(run.stopped);
  EXPECT_EQ(run.exit_code, 128 + SIGKILL);
  EXPECT_EQ(JsonLines(run.out).back(), (json{{"type", "turn.started"}}));
}

// With the server gone, Codex reconnects forever (request_max_retries = 0 does not bound it),
// printing an `error` event per try and never `turn.failed`: the test ends it at the first.
TEST_F(AgentCliTest, CodexReconnectsForeverWhenTheServerIsDown) {
  SKIP_WITHOUT(AgentCli::kCodex);
  server_ = std::make_unique<ModelServerProcess>(ModelServerScript{});
  const AgentCliSetup setup = server_->SetupFor(AgentCli::kCodex, home_.path(), kApiKey);
  setup.WriteFiles();
  server_.reset();  // its port now refuses connections
  const json reconnecting = {
      {"type", "error"},
      {"message", "Reconnecting... waiting for network (Connection failed: error sending request)"}};
  const CliRun run = RunCli(CliArgv(AgentCli::kCodex, setup), repo_.path(), setup, [&](const CliRun& so_far) {
    const std::vector<json> events = JsonLines(so_far.out);
    return std::find(events.begin(), events.end(), reconnecting) != events.end();
  });
  Record(AgentCli::kCodex, "server_down", run);
  EXPECT_TRUE(run.stopped);
  EXPECT_EQ(run.exit_code, 128 + SIGKILL);
  const std::vector<json> events = JsonLines(run.out);
  ASSERT_GE(events.size(), 2u) << run.log;
  EXPECT_EQ(events[events.size() - 2], (json{{"type", "turn.started"}}));
  EXPECT_EQ(events.back(), reconnecting);
}

// Gemini CLI -----------------------------------------------------------------------------------

TEST_F(AgentCliTest, GeminiWritesTheFileAndReportsTokens) {
  SKIP_WITHOUT(AgentCli::kGemini);
  const CliRun run = Run(AgentCli::kGemini, "write");
  EXPECT_EQ(run.exit_code, 0) << run.log;
  EXPECT_EQ(repo_.Read("hello.txt"), "hello from the model server\n");
  const json result = json::parse(run.out);
  EXPECT_EQ(result["response"], "I wrote the file.");
  const json& tokens = result["stats"]["models"]["gemini-test"]["tokens"];
  EXPECT_EQ(tokens["prompt"], kModelServerInputTokens);
  EXPECT_EQ(tokens["input"], kModelServerInputTokens - kModelServerCachedTokens);
  EXPECT_EQ(tokens["cached"], kModelServerCachedTokens);
  EXPECT_EQ(tokens["candidates"], kModelServerOutputTokens);
  EXPECT_EQ(result["stats"]["tools"]["byName"]["write_file"]["success"], 1);
  const std::vector<json> requests = server_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["path"], "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
  EXPECT_EQ(requests[0]["workdir"], repo_.path());
  ExpectKeyOnlyInHeaders(AgentCli::kGemini);
}

// Every API failure: stdout empty, stderr ends with the error JSON after a stack trace, and the
// exit status is the HTTP status modulo 256.
void ExpectGeminiApiError(const CliRun& run, const ModelServerProcess& server, int status) {
  EXPECT_EQ(run.exit_code, status % 256) << run.log;
  EXPECT_EQ(run.out, "");
  const json report = LastJsonObject(run.err);
  ASSERT_TRUE(report.is_object()) << run.err;
  EXPECT_FALSE(report["session_id"].get<std::string>().empty());
  EXPECT_EQ(report["error"]["code"], status);
  EXPECT_EQ(ModelRequests(server), 1);
}

TEST_F(AgentCliTest, GeminiRateLimitedExits173WithTheErrorOnStderr) {
  SKIP_WITHOUT(AgentCli::kGemini);
  const CliRun run = Run(AgentCli::kGemini, "rate_limit");
  ExpectGeminiApiError(run, *server_, 429);
  // The RetryInfo detail (retry-after 7 s) comes through in the message.
  EXPECT_EQ(LastJsonObject(run.err)["error"]["message"],
            "Rate limit reached: retry later.\nSuggested retry after 7s.");
}

TEST_F(AgentCliTest, GeminiUnauthorizedExits145WithTheErrorOnStderr) {
  SKIP_WITHOUT(AgentCli::kGemini);
  const CliRun run = Run(AgentCli::kGemini, "unauthorized");
  ExpectGeminiApiError(run, *server_, 401);
}

TEST_F(AgentCliTest, GeminiServerErrorExits244WithTheErrorOnStderr) {
  SKIP_WITHOUT(AgentCli::kGemini);
  const CliRun run = Run(AgentCli::kGemini, "server_error");
  ExpectGeminiApiError(run, *server_, 500);
}

// Left to its defaults (routing call, retries), Gemini CLI retries a 500 with backoff for minutes:
// the test ends it once the same routing request came a second time.
TEST_F(AgentCliTest, GeminiRetriesAServerErrorByItselfWithDefaultSettings) {
  SKIP_WITHOUT(AgentCli::kGemini);
  const CliRun run = Run(
      AgentCli::kGemini, "server_error",
      [](const ModelServerProcess& server) { return ModelRequests(server) >= 2; },
      /*quick_failures=*/false);
  EXPECT_TRUE(run.stopped);
  EXPECT_EQ(run.exit_code, 128 + SIGKILL);
  EXPECT_EQ(run.out, "");
  const std::vector<json> requests = server_->Requests();
  ASSERT_GE(requests.size(), 2u);
  for (const json& request : requests) EXPECT_EQ(request["body_fnv1a"], requests[0]["body_fnv1a"]);
  EXPECT_NE(run.err.find("Attempt 1 failed with status 500. Retrying with backoff..."), std::string::npos)
      << run.err;
}

TEST_F(AgentCliTest, GeminiWaitsOnAHungModel) {
  SKIP_WITHOUT(AgentCli::kGemini);
  const CliRun run = Run(AgentCli::kGemini, "hang",
                         [](const ModelServerProcess& server) { return ModelRequests(server) >= 1; });
  EXPECT_TRUE(run.stopped);
  EXPECT_EQ(run.exit_code, 128 + SIGKILL);
  EXPECT_EQ(run.out, "");
}

}  // namespace
}  // namespace orchestra::testing
