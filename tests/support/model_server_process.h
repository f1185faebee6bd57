// The scripted model server (tests/model_server) as a process of a test, and what each real agent
// CLI needs to talk to it and nothing else: the environment variables and config files of Claude
// Code, Codex and Gemini CLI, and where scripts/install-deps.sh installed them.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "temp_dir.h"

namespace orchestra::testing {

/// The usage the `write` scenario reports over its two turns (tool call, then answer), as each
/// CLI sums it: input tokens (cached ones included), output tokens, cached input tokens.
inline constexpr int kModelServerInputTokens = 2200;
inline constexpr int kModelServerOutputTokens = 70;
inline constexpr int kModelServerCachedTokens = 400;

/// AgentCli names one of the real agent CLIs the tests drive.
enum class AgentCli { kClaude, kCodex, kGemini };
/// "claude", "codex", "gemini": the executable's name and the fixtures' folder.
const char* AgentCliName(AgentCli cli);

/// Where scripts/install-deps.sh installs the CLIs: $ORCHESTRA_AGENT_CLIS, else
/// $HOME/.cache/orchestra/agent-clis.
std::string AgentClisDir();
/// The CLI's executable under AgentClisDir(), or "" when it is not installed.
std::string AgentCliBinary(AgentCli cli);
/// The CLI's version from its package.json, or "" when it is not installed.
std::string AgentCliVersion(AgentCli cli);

/// What the server says: see tests/model_server/model_server.cc for each scenario.
struct ModelServerScript {
  std::string scenario = "write";  // write, rate_limit, unauthorized, server_error, hang
  std::string then;                // when set: the scenario of every model request after the first
  int after = 0;                   // `after` ones (which get `scenario`)
  std::string file = "hello.txt";  // `write`: the file the tool call writes, relative to the workdir;
                                   // `{workstream}` in it: the id after "Workstream: " in the prompt
  std::string content = "hello from the model server\n";
  std::string answer = "I wrote the file.";  // `write`: the final text
  int retry_after = 7;                       // `rate_limit`: the retry-after header, in seconds
};

/// AgentCliSetup is what one CLI needs to use the model server: environment variables (to add to
/// a process's environment or to an orchestra.toml `env = {...}`), config files to write (absolute
/// path, content) and extra arguments (Gemini's fixed model, which skips its routing call).
struct AgentCliSetup {
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> args;
  /// Writes `files`, creating their folders.
  void WriteFiles() const;
};

/// ModelServerProcess starts orchestra_model_server on 127.0.0.1 with a script, waits until it
/// has printed the port it listens on, and kills it when it goes. It logs every request in a
/// temporary folder (see Requests()), bodies included. Throws when the server cannot start.
class ModelServerProcess {
 public:
  explicit ModelServerProcess(const ModelServerScript& script);
  ~ModelServerProcess();
  ModelServerProcess(const ModelServerProcess&) = delete;
  ModelServerProcess& operator=(const ModelServerProcess&) = delete;

  int port() const { return port_; }
  /// http://127.0.0.1:<port>
  std::string base_url() const;
  /// Every request so far, one object each: method, path, query, provider, authorization,
  /// x_api_key, x_goog_api_key, body_bytes, body_fnv1a, answer, workdir.
  std::vector<nlohmann::json> Requests() const;
  /// The bodies of every request so far, in order.
  std::vector<std::string> Bodies() const;

  /// Env, files and arguments for `cli` with its home and config folders under `home` (a
  /// temporary folder the caller owns), telemetry and update checks off, the CLI's own retries
  /// at the minimum, and `api_key` as the key it sends (through the environment only).
  AgentCliSetup SetupFor(AgentCli cli, const std::string& home, const std::string& api_key) const;

 private:
  TempDir folder_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace orchestra::testing
