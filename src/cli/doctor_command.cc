#include "doctor_command.h"

#include <sqlite3.h>
#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent_programs.h"
#include "git.h"
#include "process.h"
#include "orchestrator_lock.h"
#include "state_store_factory.h"
#include "state_url.h"

namespace orchestra {

namespace {

namespace fs = std::filesystem;

/// How long `PROGRAM --version` may take: a CLI that needs longer is as good
/// as broken for a check.
constexpr double kVersionTimeoutSeconds = 10;
/// The most of a version line shown.
constexpr size_t kVersionBytes = 100;

std::string PathList() {
  const char* path = std::getenv("PATH");
  return path ? path : "";
}

/// The first non-empty line of `text`, trimmed and bounded.
std::string FirstLine(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos) continue;
    line = line.substr(begin, line.find_last_not_of(" \t\r") + 1 - begin);
    return line.size() > kVersionBytes ? line.substr(0, kVersionBytes) + "..." : line;
  }
  return "";
}

/// Runs `argv` (stdin /dev/null, stdout and stderr to a scratch file, killed
/// after kVersionTimeoutSeconds) and returns what it printed; false after
/// setting `*error` when it could not start or did not succeed.
bool RunVersion(const std::vector<std::string>& argv, std::string* output, std::string* error) {
  std::string scratch = (fs::temp_directory_path() / "orchestra-doctor-XXXXXX").string();
  const int fd = mkstemp(scratch.data());
  if (fd < 0) {
    *error = "cannot create a scratch file in " + fs::temp_directory_path().string();
    return false;
  }
  close(fd);
  uv_loop_t loop;
  uv_loop_init(&loop);
  ProcessResult result;
  bool started = false;
  {
    UvProcessRunner runner(&loop);
    ProcessSpec spec;
    spec.argv = argv;
    spec.log_path = scratch;
    spec.timeout_seconds = kVersionTimeoutSeconds;
    spec.kill_grace_seconds = 1;
    int64_t handle = 0;
    int pid = 0;
    started = runner.Start(
        spec, [&result](const ProcessResult& ended) { result = ended; }, &handle, &pid, error);
    if (started) uv_run(&loop, UV_RUN_DEFAULT);
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // frees what the runner closed
  uv_loop_close(&loop);
  std::ifstream in(scratch, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  *output = text.str();
  fs::remove(scratch);
  if (!started) return false;
  if (result.Succeeded() && !result.timed_out) return true;
  *error = fmt::format("`{} {}` failed: {}", argv[0], argv.size() > 1 ? argv[1] : "", result.Describe());
  const std::string said = FirstLine(*output);
  if (!said.empty()) *error += " (" + said + ")";
  return false;
}

/// Checks is the report being built, with the project's config.
class Checks {
 public:
  explicit Checks(const CommandArgs& args) : args_(args), path_list_(PathList()) {}

  std::vector<DoctorCheck> Run() {
    CheckConfig();
    CheckAgentClis();
    CheckOtherPrograms();
    CheckKeys();
    CheckGit();
    CheckState();
    CheckGraphviz();
    return checks_;
  }

 private:
  void Add(std::string name, std::string status, std::string detail, std::string hint = "",
           bool required = false) {
    checks_.push_back({std::move(name), std::move(status), std::move(detail), std::move(hint), required});
  }

  void CheckConfig() {
    Diagnostics diagnostics;
    config_loaded_ = LoadProjectConfig(args_.project, &config_, &diagnostics);
    if (!config_loaded_ || diagnostics.HasErrors()) {
      std::string first;
      for (const Diagnostic& diagnostic : diagnostics.items()) {
        if (diagnostic.severity == Severity::kError && first.empty()) first = diagnostic.Render();
      }
      Add("config", "problem", first, "fix orchestra.toml (`orchestra validate` lists every problem)", true);
      return;
    }
    if (config_.file.empty()) {
      Add("config", "missing", "no orchestra.toml: built-in defaults, the sim agent with --agents N",
          "`orchestra init` writes one for the agent CLIs found here");
      return;
    }
    Add("config", "ok",
        fmt::format("{}: {} agent(s), {} route(s)", config_.file, config_.agents.size(), config_.routes.size()),
        "", true);
    for (const AgentConfig& agent : config_.agents) AddUsedType(config_.TypeOf(agent));
    for (const Route& route : config_.routes) AddUsedType(config_.TypeOf(route));
  }

  /// Notes the program a configured type runs (its kind takes an argv).
  void AddUsedType(const AgentType* type) {
    if (type == nullptr) return;
    const AgentKind* kind = FindAgentKind(type->kind);
    used_kinds_.insert(type->kind);
    if (kind != nullptr && kind->takes_argv() && !type->argv.empty()) used_programs_.insert(type->argv[0]);
  }

  /// True when a configured type runs `cli` (by its program's name or its kind).
  bool Configured(const AgentCli& cli) const {
    if (used_kinds_.count(cli.program)) return true;
    for (const std::string& program : used_programs_) {
      if (fs::path(program).filename() == cli.program) return true;
    }
    return false;
  }

  void CheckAgentClis() {
    for (const AgentCli& cli : KnownAgentClis()) {
      const bool required = Configured(cli);
      if (!CanExecute(cli.program, path_list_)) {
        Add(cli.program, "missing", required ? "not on PATH, and orchestra.toml runs it" : "not on PATH",
            fmt::format("install it: {}", cli.install), required);
        continue;
      }
      std::string output;
      std::string error;
      if (RunVersion({cli.program, "--version"}, &output, &error)) {
        Add(cli.program, "ok", FirstLine(output).empty() ? "installed (no version printed)" : FirstLine(output), "",
            required);
      } else {
        Add(cli.program, "problem", error, fmt::format("reinstall it: {}", cli.install), required);
      }
    }
  }

  /// The programs of configured command types (not a known CLI): executable?
  void CheckOtherPrograms() {
    for (const std::string& program : used_programs_) {
      const std::string name = fs::path(program).filename().string();
      bool known = false;
      for (const AgentCli& cli : KnownAgentClis()) known = known || name == cli.program;
      if (known || program.find('{') != std::string::npos) continue;
      if (CanExecute(program, path_list_)) {
        Add(program, "ok", "executable (an agent type's argv[0])", "", true);
      } else if (program.find('/') != std::string::npos) {
        Add(program, "problem", fs::exists(program) ? "not executable" : "does not exist",
            "fix argv[0] of the agent type or route in orchestra.toml, or `chmod +x` it", true);
      } else {
        Add(program, "missing", "not on PATH", "install it, or fix argv[0] in orchestra.toml", true);
      }
    }
  }

  void CheckKeys() {
    std::set<std::string> seen;
    for (const AgentCli& cli : KnownAgentClis()) {
      for (const char* key : cli.keys) {
        if (!seen.insert(key).second) continue;
        const char* value = std::getenv(key);
        if (value != nullptr && *value != '\0') {
          Add(key, "ok", fmt::format("set ({} characters)", std::string(value).size()));
        } else {
          // A CLI signed in with its own login needs no key: never required.
          Add(key, "missing", "not set", fmt::format("export {}=... for {}, or {}", key, cli.program, cli.login));
        }
      }
    }
  }

  void CheckGit() {
    SystemGit git;
    const GitResult version = git.Run(config_.project_dir.empty() ? "." : config_.project_dir, {"--version"});
    const bool worktrees = config_.UsesWorktrees();
    if (!version.ok()) {
      Add("git", "missing", "not on PATH", "install git (Debian: `sudo apt-get install git`)", worktrees);
      return;
    }
    Add("git", "ok", version.Line(), "", worktrees);
    std::string top_level;
    if (!GitTopLevel(&git, config_.project_dir, &top_level)) {
      Add("repository", "missing",
          "not a git repository: workstreams run in place, without worktree isolation",
          "`git init && git add -A && git commit -m start` for worktree isolation");
      return;
    }
    std::error_code error;
    if (!fs::equivalent(top_level, config_.project_dir, error)) {
      Add("repository", "ok",
          fmt::format("inside {} (not its top level): workstreams run in place", top_level));
      return;
    }
    if (!git.Run(config_.project_dir, {"rev-parse", "--verify", "--quiet", "HEAD^{commit}"}).ok()) {
      Add("repository", worktrees ? "problem" : "missing", "a git repository without any commit yet",
          "commit once (`git add -A && git commit -m start`): worktrees start from a commit", worktrees);
      return;
    }
    Add("repository", "ok",
        worktrees ? "top level of a git repository: worktree isolation"
                  : "top level of a git repository; isolation = \"none\" runs in place");
  }

  void CheckState() {
    if (!config_.state_url.empty()) return CheckPostgresState();
    Add("sqlite", "ok", std::string("library ") + sqlite3_libversion());
    const std::string state_path = config_.ProjectPath(config_.state_path);
    fs::path folder = fs::path(state_path).parent_path();
    std::error_code error;
    fs::path existing = folder;
    while (!existing.empty() && !fs::exists(existing, error) && existing != existing.parent_path()) {
      existing = existing.parent_path();
    }
    const bool writable = access(existing.c_str(), W_OK | X_OK) == 0;
    const std::string shown = DisplayPath(folder.string());
    if (!writable) {
      Add("state folder", "problem", fmt::format("{} is not writable", DisplayPath(existing.string())),
          "make it writable (`chmod u+w`), or point [paths] state or --state elsewhere", true);
    } else {
      Add("state folder", "ok",
          existing == folder ? shown + " is writable" : shown + " will be created (its parent is writable)", "",
          true);
    }
    CheckDatabase(state_path);
    const long holder = StateLock::Holder(state_path);
    Add("state lock", "ok",
        holder != 0 ? fmt::format("held by a running orchestrator (pid {})", holder) : "free (no run in progress)");
  }

  /// [state] url or --state postgresql://...: the server answers and holds
  /// an orchestra schema this build reads (or none yet).
  void CheckPostgresState() {
    const std::string shown = RedactUrl(config_.state_url);
    SystemClock clock;
    bool absent = false;
    std::string error;
    const StateStoreOptions options{.origin = config_.state_url_origin};
    if (OpenStateStore(config_.state_url, StateOpenMode::kReadOnly, options, &clock, &absent, &error) || absent) {
      Add("state database", "ok",
          shown + (absent ? " answers; the first run creates the schema" : " answers and holds the state"), "", true);
    } else {
      Add("state database", "problem", error, "start the server, or fix " + config_.state_url_origin, true);
      return;
    }
    const LockHolder holder = OrchestratorLock::Holder(config_.state_url);
    Add("state lock", "ok",
        holder.held ? "held by a running orchestrator" + DescribeHolder(holder) : "free (no run in progress)");
  }

  void CheckDatabase(const std::string& state_path) {
    std::error_code error;
    const std::string shown = DisplayPath(state_path);
    if (!fs::exists(state_path, error)) {
      Add("state database", "ok", shown + " not created yet (the first run creates it)");
      return;
    }
    sqlite3* database = nullptr;
    std::string problem;
    if (sqlite3_open_v2(state_path.c_str(), &database, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      problem = sqlite3_errmsg(database);
    } else {
      sqlite3_busy_timeout(database, 5000);
      sqlite3_stmt* statement = nullptr;
      if (sqlite3_prepare_v2(database, "PRAGMA quick_check", -1, &statement, nullptr) != SQLITE_OK) {
        problem = sqlite3_errmsg(database);
      } else if (sqlite3_step(statement) != SQLITE_ROW) {
        problem = sqlite3_errmsg(database);
      } else {
        const unsigned char* text = sqlite3_column_text(statement, 0);
        const std::string answer = text ? reinterpret_cast<const char*>(text) : "";
        if (answer != "ok") problem = "quick_check: " + answer;
      }
      sqlite3_finalize(statement);
    }
    sqlite3_close(database);
    if (problem.empty()) {
      Add("state database", "ok", shown + " opens and passes PRAGMA quick_check", "", true);
    } else {
      Add("state database", "problem", shown + ": " + problem,
          "move it aside (its progress is lost) so the next run starts a new one", true);
    }
  }

  void CheckGraphviz() {
    if (!CanExecute("dot", path_list_)) {
      Add("dot", "missing", "Graphviz is not installed (optional: `graph --format svg` needs it)",
          "Debian: `sudo apt-get install graphviz`");
      return;
    }
    std::string output;
    std::string error;
    if (RunVersion({"dot", "-V"}, &output, &error)) {
      Add("dot", "ok", FirstLine(output));
    } else {
      Add("dot", "problem", error, "reinstall graphviz (optional: `graph --format svg` needs it)");
    }
  }

  const CommandArgs& args_;
  std::string path_list_;
  Config config_;
  bool config_loaded_ = false;
  std::set<std::string> used_programs_;  // argv[0] of the types agents and routes run
  std::set<std::string> used_kinds_;
  std::vector<DoctorCheck> checks_;
};

}  // namespace

const std::vector<AgentCli>& KnownAgentClis() {
  static const std::vector<AgentCli> clis{
      {"claude", "`npm install -g @anthropic-ai/claude-code`", {"ANTHROPIC_API_KEY"}, "sign in with `claude`"},
      {"codex", "`npm install -g @openai/codex`", {"OPENAI_API_KEY", "CODEX_API_KEY"}, "sign in with `codex login`"},
      {"gemini", "`npm install -g @google/gemini-cli`", {"GEMINI_API_KEY", "GOOGLE_API_KEY"},
       "sign in with `gemini`"},
      {"aider", "`python3 -m pip install aider-install && aider-install`", {"ANTHROPIC_API_KEY", "OPENAI_API_KEY"},
       "set the key of the model it uses"},
  };
  return clis;
}

std::vector<const AgentCli*> FindAgentClis(const std::string& path_list) {
  std::vector<const AgentCli*> found;
  for (const AgentCli& cli : KnownAgentClis()) {
    if (CanExecute(cli.program, path_list)) found.push_back(&cli);
  }
  return found;
}

std::vector<DoctorCheck> RunDoctorChecks(const CommandArgs& args) { return Checks(args).Run(); }

int CommandDoctor(const CommandArgs& args) {
  const std::vector<DoctorCheck> checks = RunDoctorChecks(args);
  std::vector<std::string> failed;
  for (const DoctorCheck& check : checks) {
    if (check.required && check.status != "ok") failed.push_back(check.name);
  }
  if (args.json) {
    nlohmann::json json = {{"ok", failed.empty()}, {"checks", nlohmann::json::array()}};
    for (const DoctorCheck& check : checks) {
      json["checks"].push_back({{"name", check.name},
                                {"status", check.status},
                                {"detail", check.detail},
                                {"hint", check.hint},
                                {"required", check.required}});
    }
    std::printf("%s\n", json.dump(2).c_str());
  } else {
    for (const DoctorCheck& check : checks) {
      std::string line = fmt::format("{:<8} {:<18} {}", check.status, check.name, check.detail);
      if (!check.hint.empty()) line += "; fix: " + check.hint;
      std::printf("%s\n", line.c_str());
    }
    if (failed.empty()) {
      std::printf("\nEverything the configured agents need is usable.\n");
    } else {
      std::string names;
      for (const std::string& name : failed) names += (names.empty() ? "" : ", ") + name;
      std::printf("\n%zu problem(s) stop the configured agents: %s\n", failed.size(), names.c_str());
    }
  }
  return failed.empty() ? kExitOk : kExitIncomplete;
}

}  // namespace orchestra
