#include "model_server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cli_harness.h"
#include "test_paths.h"

namespace orchestra::testing {

namespace fs = std::filesystem;

const char* AgentCliName(AgentCli cli) {
  switch (cli) {
    case AgentCli::kClaude:
      return "claude";
    case AgentCli::kCodex:
      return "codex";
    case AgentCli::kGemini:
      return "gemini";
  }
  return "";
}

std::string AgentClisDir() {
  if (const char* dir = std::getenv("ORCHESTRA_AGENT_CLIS"); dir != nullptr && *dir != '\0') return dir;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/orchestra/agent-clis";
}

std::string AgentCliBinary(AgentCli cli) {
  const std::string binary = AgentClisDir() + "/node_modules/.bin/" + AgentCliName(cli);
  return access(binary.c_str(), X_OK) == 0 ? binary : "";
}

std::string AgentCliVersion(AgentCli cli) {
  static const char* const kPackages[] = {"@anthropic-ai/claude-code", "@openai/codex", "@google/gemini-cli"};
  const std::string manifest =
      AgentClisDir() + "/node_modules/" + kPackages[static_cast<int>(cli)] + "/package.json";
  const nlohmann::json package = nlohmann::json::parse(ReadFile(manifest), nullptr, false);
  return package.is_object() ? package.value("version", "") : "";
}

void AgentCliSetup::WriteFiles() const {
  for (const auto& [path, content] : files) WriteFile(path, content);
}

namespace {

// Reads the server's first stdout line ("port N") within 30 s; the server prints it once it
// listens, so no connection attempt is needed.
int ReadPort(int fd) {
  std::string line;
  pollfd ready{fd, POLLIN, 0};
  while (line.find('\n') == std::string::npos && poll(&ready, 1, 30000) == 1) {
    char buffer[64];
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    line.append(buffer, static_cast<size_t>(got));
  }
  int port = 0;
  return std::sscanf(line.c_str(), "port %d", &port) == 1 ? port : 0;
}

}  // namespace

ModelServerProcess::ModelServerProcess(const ModelServerScript& script) {
  fs::create_directories(folder_ / "bodies");
  std::vector<std::string> argv{ORCHESTRA_MODEL_SERVER,
                                      "--scenario",
                                      script.scenario,
                                      "--log",
                                      folder_ / "requests.jsonl",
                                      "--body-dir",
                                      folder_ / "bodies",
                                      "--file",
                                      script.file,
                                      "--content",
                                      script.content,
                                      "--answer",
                                      script.answer,
                                      "--retry-after",
                                      std::to_string(script.retry_after)};
  if (!script.then.empty()) {
    argv.insert(argv.end(), {"--then", script.then, "--after", std::to_string(script.after)});
  }
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("model server: pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    const int err = open((folder_ / "server.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(err, 2);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  port_ = ReadPort(out[0]);
  close(out[0]);
  if (port_ == 0) {
    throw std::runtime_error("model server did not print its port: " + ReadFile(folder_ / "server.err"));
  }
}

ModelServerProcess::~ModelServerProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string ModelServerProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<nlohmann::json> ModelServerProcess::Requests() const {
  std::vector<nlohmann::json> requests;
  for (const std::string& line : ReadLines(folder_ / "requests.jsonl")) {
    const nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
    // A line being written while we read is skipped; the next call sees it whole.
    if (!request.is_discarded()) requests.push_back(request);
  }
  return requests;
}

std::vector<std::string> ModelServerProcess::Bodies() const {
  std::vector<std::string> bodies;
  for (const nlohmann::json& request : Requests()) {
    bodies.push_back(ReadFile(folder_ / ("bodies/" + std::to_string(request.value("n", 0)) + ".json")));
  }
  return bodies;
}

AgentCliSetup ModelServerProcess::SetupFor(AgentCli cli, const std::string& home,
                                           const std::string& api_key) const {
  AgentCliSetup setup;
  setup.env = {{"HOME", home}, {"TMPDIR", home + "/tmp"}};
  setup.files.emplace_back(home + "/tmp/.keep", "");
  switch (cli) {
    case AgentCli::kClaude:
      setup.env.insert(setup.env.end(), {{"CLAUDE_CONFIG_DIR", home + "/.claude"},
                                         {"ANTHROPIC_BASE_URL", base_url()},
                                         {"ANTHROPIC_API_KEY", api_key},
                                         {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"},
                                         {"DISABLE_AUTOUPDATER", "1"},
                                         {"DISABLE_TELEMETRY", "1"},
                                         {"CLAUDE_CODE_MAX_RETRIES", "0"}});
      break;
    case AgentCli::kCodex:
      setup.env.insert(setup.env.end(), {{"CODEX_HOME", home + "/.codex"}, {"OPENAI_API_KEY", api_key}});
      setup.files.emplace_back(home + "/.codex/config.toml",
                               "model = \"gpt-test\"\n"
                               "model_provider = \"orchestra-test\"\n"
                               "[analytics]\nenabled = false\n"
                               "[model_providers.orchestra-test]\n"
                               "name = \"orchestra test model server\"\n"
                               "base_url = \"" +
                                   base_url() +
                                   "/v1\"\n"
                                   "env_key = \"OPENAI_API_KEY\"\n"
                                   "wire_api = \"responses\"\n"
                                   "request_max_retries = 0\n"
                                   "stream_max_retries = 0\n");
      break;
    case AgentCli::kGemini:
      setup.env.insert(setup.env.end(), {{"GOOGLE_GEMINI_BASE_URL", base_url()},
                                         {"GEMINI_API_KEY", api_key},
                                         {"GEMINI_CLI_TRUST_WORKSPACE", "true"}});
      // maxAttempts 1: the main model's requests are not retried (the routing call's are, which
      // a fixed model avoids: --model skips routing).
      setup.files.emplace_back(home + "/.gemini/settings.json",
                               R"({"security": {"auth": {"selectedType": "gemini-api-key"}},)"
                               R"( "general": {"maxAttempts": 1, "enableAutoUpdate": false,)"
                               R"( "enableAutoUpdateNotification": false},)"
                               R"( "privacy": {"usageStatisticsEnabled": false},)"
                               R"( "telemetry": {"enabled": false}})");
      setup.args = {"--model", "gemini-2.5-flash"};
      break;
  }
  return setup;
}

}  // namespace orchestra::testing
