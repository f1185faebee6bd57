// The real agent CLIs (Claude Code, Codex, Gemini CLI) end to end through `orchestra run`: small
// git projects whose orchestra.toml declares types of kind claude, codex and gemini with their
// default argv (on PATH: the folder scripts/install-deps.sh installs them in), pointed at the
// scripted model server (tests/model_server). For each CLI: a written file merged with its tokens
// and cost, a 401 that stops the type, a 429 that costs no attempt, a 500 retried to the end, a
// hung model caught by the stall watch; then the budget, the API key kept out of everything
// Orchestra writes, and one chain a -> b -> c running on the three CLIs in turn.
//
// How a user would set it up, and so the tests: the API key is in Orchestra's own environment
// (exported in the shell; Orchestra passes it on to the agents and redacts its value), the rest
// (the model server's URL, the CLI's HOME and config folder, telemetry off) in the type's `env`
// table, Gemini's fixed model as the type's `model`. Without a CLI its tests skip.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_harness.h"
#include "model_server_process.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Unique and long: found anywhere but in a request's credential header, it leaked.
constexpr char kApiKey[] = "sk-orchestra-e2e-5b8f0c2d9e4a71f36c0d8b2e4f6a9c1d3e5f7a9b";
constexpr char kContent[] = "hello from the model server\n";
// What codex and gemini attempts are priced with, USD per million tokens.
constexpr char kPrice[] = "price = { input = 1.0, output = 10.0, cache_read = 0.5 }\n";
// The `write` scenario at kPrice: 1800 uncached input, 70 output, 400 cache-read tokens.
constexpr double kPricedWriteCost = (1800 * 1.0 + 70 * 10.0 + 400 * 0.5) / 1e6;

// Skips the test, naming the install script, when the CLI is not installed.
#define SKIP_WITHOUT(cli)                                                                             \
  do {                                                                                                \
    if (AgentCliBinary(cli).empty()) {                                                                \
      GTEST_SKIP() << AgentCliName(cli) << " is not installed in " << AgentClisDir()                  \
                   << ": run scripts/install-deps.sh (it installs the agent CLIs there with npm)"; \
    }                                                                                                 \
  } while (false)

/// The lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The event lines of `orchestra run`'s output (without their timestamps) of this type.
std::vector<std::string> Events(const std::string& out, const std::string& type) {
  std::vector<std::string> events;
  for (const std::string& line : Lines(out)) {
    // "YYYY-MM-DD HH:MM:SS TYPE  MESSAGE"
    if (line.size() < 20 || line[4] != '-' || line[13] != ':') continue;
    const std::string rest = line.substr(20);
    if (rest.starts_with(type + " ")) events.push_back(rest.substr(rest.find_first_not_of(' ', type.size())));
  }
  return events;
}

/// RealAgentsTest is one project (a git repository, worktree isolation) and one model server.
class RealAgentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Git({"init", "-q", "-b", "main"});
    Git({"config", "user.name", "Test User"});
    Git({"config", "user.email", "user@example.com"});
    WriteFile(project_ / "README.md", "project\n");
  }

  /// Starts the model server: each workstream's tool call writes `<workstream id>.txt`.
  void StartServer(ModelServerScript script) {
    script.file = "{workstream}.txt";
    script.content = kContent;
    script.retry_after = 1;
    server_ = std::make_unique<ModelServerProcess>(script);
  }

  /// `[agent_types.<cli>]` pointing the CLI at the server (`server_` unless given), its HOME and
  /// config files written, then `extra` keys. The key itself is left to Orchestra's environment
  /// (see Orchestra()).
  std::string Type(AgentCli cli, const std::string& extra = "", const ModelServerProcess* server = nullptr) {
    const std::string home = homes_ / AgentCliName(cli);
    const AgentCliSetup setup = (server != nullptr ? *server : *server_).SetupFor(cli, home, kApiKey);
    setup.WriteFiles();
    std::string env;
    for (const auto& [name, value] : setup.env) {
      if (value == kApiKey) continue;
      env += (env.empty() ? "" : ", ") + name + " = " + json(value).dump();
    }
    std::string text = std::string("[agent_types.") + AgentCliName(cli) + "]\nenv = { " + env + " }\n";
    if (!setup.args.empty()) {  // Gemini's fixed model (no routing call), as the type's `model`
      EXPECT_EQ(setup.args.size(), 2u);
      EXPECT_EQ(setup.args[0], "--model");
      text += "model = " + json(setup.args[1]).dump() + "\n";
    }
    return text + extra + "\n";
  }

  /// orchestra.toml: [defaults] with `defaults`, the `types`, then one agent of `agent_type`.
  void WriteConfig(const std::string& defaults, const std::string& types, const std::string& agent_type,
                   const std::string& extra = "") {
    WriteFile(project_ / "orchestra.toml",
              "[defaults]\nisolation = \"worktree\"\nbackoff = \"0.1s\"\nkill_grace = \"1s\"\n" + defaults + "\n" +
                  types + "[[agents]]\nid = \"agent-1\"\ntype = \"" + agent_type + "\"\n\n" + extra);
  }

  void AddWorkstream(const std::string& id, const std::vector<std::string>& depends_on = {}) {
    WriteFile(project_ / ("workstreams/" + id + ".json"),
              json{{"id", id}, {"title", "Write " + id + ".txt"}, {"depends_on", depends_on}}.dump(2) + "\n");
  }

  /// One project of workstream ws-a on `cli`'s type (plus `type_extra`), committed, run.
  CommandResult RunOne(AgentCli cli, const std::string& defaults, const std::string& type_extra = "") {
    AddWorkstream("ws-a");
    WriteConfig(defaults, Type(cli, type_extra), AgentCliName(cli));
    Commit();
    return Orchestra({"run"});
  }

  void Commit() {
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", "project"});
  }

  std::string Git(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"git", "-C", project_.path()};
    argv.insert(argv.end(), args.begin(), args.end());
    const CommandResult result = RunCommand("/", argv);
    EXPECT_EQ(result.exit_code, 0) << "git failed: " << result.err;
    return result.out;
  }
  /// `file` as committed at `revision`, "" when it is not there.
  std::string Show(const std::string& revision, const std::string& file) {
    return RunCommand("/", {"git", "-C", project_.path(), "show", revision + ":" + file}).out;
  }

  /// Orchestra as a user runs it: the CLIs on PATH, the API key exported for all three.
  CommandResult Orchestra(const std::vector<std::string>& args) {
    const char* path = std::getenv("PATH");
    std::vector<std::string> argv{"/usr/bin/env",
                                  "PATH=" + AgentClisDir() + "/node_modules/.bin:" + (path ? path : ""),
                                  std::string("ANTHROPIC_API_KEY=") + kApiKey,
                                  std::string("OPENAI_API_KEY=") + kApiKey,
                                  std::string("GEMINI_API_KEY=") + kApiKey,
                                  ORCHESTRA_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(project_.path(), argv);
  }

  json Status(const std::vector<std::string>& ids = {}) {
    std::vector<std::string> args{"status"};
    args.insert(args.end(), ids.begin(), ids.end());
    args.push_back("--json");
    const CommandResult status = Orchestra(args);
    EXPECT_EQ(status.exit_code, 0) << status.err;
    return json::parse(status.out, nullptr, false);
  }

  std::string Sql(const std::string& query) {
    const CommandResult result = Sqlite3(project_ / ".state/orchestration.db", query);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  }

  /// "attempt|outcome" of ws-a's attempts, one line each.
  std::string Attempts() { return Sql("SELECT attempt, outcome FROM attempts ORDER BY id"); }
  std::string ErrorOf(int attempt) {
    return Sql("SELECT error_message FROM attempts WHERE attempt = " + std::to_string(attempt) + " ORDER BY id");
  }

  /// The requests that reached the model (not Claude Code's `HEAD /` check).
  int ModelRequests() const {
    int count = 0;
    for (const json& request : server_->Requests()) count += request["method"] == "POST";
    return count;
  }

  /// The JSON lines of an attempt log (the CLI's output; Orchestra's own lines are not JSON).
  std::vector<json> LogObjects(const std::string& id, int attempt) {
    std::vector<json> objects;
    for (const std::string& line :
         Lines(ReadFile(project_ / ("logs/workstreams/" + id + "/attempt-" + std::to_string(attempt) + ".log")))) {
      const json object = json::parse(line, nullptr, false);
      if (object.is_object()) objects.push_back(object);
    }
    return objects;
  }

  // The write scenario ------------------------------------------------------------------------

  /// ws-a completes on `cli`, its file merged onto orchestra/integration (and not on main), one
  /// attempt with these tokens and cost, in the state and in `status --json`.
  void ExpectWritten(AgentCli cli, const CommandResult& run, const json& tokens, double cost) {
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_EQ(Show("orchestra/integration", "ws-a.txt"), kContent);
    EXPECT_EQ(Show("main", "ws-a.txt"), "");
    EXPECT_EQ(Sql("SELECT attempt, agent_type, outcome, input_tokens, output_tokens, cache_read_tokens, "
                  "coalesce(cache_write_tokens, 0) FROM attempts"),
              std::string("1|") + AgentCliName(cli) + "|succeeded|" + std::to_string(tokens["input"].get<int>()) +
                  "|" + std::to_string(tokens["output"].get<int>()) + "|" +
                  std::to_string(tokens["cache_read"].get<int>()) + "|0\n");
    const json status = Status();
    ASSERT_TRUE(status.is_object());
    EXPECT_EQ(status["run"]["state"], "completed");
    ASSERT_EQ(status["workstreams"].size(), 1u);
    const json& row = status["workstreams"][0];
    EXPECT_EQ(row["status"], "completed");
    EXPECT_EQ(row["tokens"], tokens);
    EXPECT_DOUBLE_EQ(row["cost_usd"].get<double>(), cost);
    EXPECT_EQ(status["usage"]["tokens"], tokens);
    EXPECT_DOUBLE_EQ(status["usage"]["cost_usd"].get<double>(), cost);
    const json detail = Status({"ws-a"});
    ASSERT_TRUE(detail.is_array() && detail.size() == 1 && detail[0]["attempts"].size() == 1) << detail.dump();
    const json& attempt = detail[0]["attempts"][0];
    EXPECT_EQ(attempt["agent_type"], AgentCliName(cli));
    EXPECT_EQ(attempt["outcome"], "succeeded");
    EXPECT_EQ(attempt["tokens"], tokens);
    EXPECT_DOUBLE_EQ(attempt["cost_usd"].get<double>(), cost);
    // The session the CLI reported is the one recorded.
    EXPECT_NE(attempt["session_id"], "");
    EXPECT_NE(ReadFile(project_ / "logs/workstreams/ws-a/attempt-1.log").find(attempt["session_id"].get<std::string>()),
              std::string::npos);
  }

  // A 401: fatal at once, the type stopped, exit 1.
  void ExpectFatal(AgentCli cli, const CommandResult& run, const std::string& reason) {
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_EQ(Attempts(), "1|fatal\n");
    EXPECT_EQ(ErrorOf(1), reason + "\n");
    EXPECT_EQ(Sql("SELECT status, attempt FROM workstream_status"), "failed|1\n");
    EXPECT_EQ(ModelRequests(), 1);
    EXPECT_EQ(Events(run.out, "agent_type_stopped"),
              std::vector<std::string>{std::string("agents of type ") + AgentCliName(cli) +
                                       " take no more work this run: " + reason +
                                       " (from ws-a); fix it, then `orchestra retry --failed` and `orchestra run`"});
    EXPECT_EQ(Events(run.out, "failed"), std::vector<std::string>{"ws-a failed without retrying: " + reason});
  }

  // A 429 then the write, with max_attempts = 1: the rate-limited attempt used none of it.
  void ExpectRateLimitedThenDone(AgentCli cli, const CommandResult& run, const std::string& reason) {
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_EQ(Attempts(), "1|rate_limited\n2|succeeded\n");
    EXPECT_EQ(ErrorOf(1), reason + "\n");
    EXPECT_EQ(Sql("SELECT status, error_message IS NULL FROM workstream_status"), "completed|1\n");
    EXPECT_EQ(Show("orchestra/integration", "ws-a.txt"), kContent);
    EXPECT_EQ(Events(run.out, "rate_limited"),
              std::vector<std::string>{"attempt 1 of ws-a was rate-limited: " + reason + "; agents of type " +
                                       AgentCliName(cli) + " pause for 1.0s, then it runs again (no attempt used up)"});
    EXPECT_EQ(Events(run.out, "retry"), std::vector<std::string>{});
    EXPECT_EQ(ModelRequests(), 3);  // the 429, then the two turns
  }

  // A 500 on both of max_attempts = 2: failed, retried once, failed for good.
  void ExpectFailedTwice(const CommandResult& run, const std::string& reason) {
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_EQ(Attempts(), "1|failed\n2|failed\n");
    EXPECT_EQ(ErrorOf(1), reason + "\n");
    EXPECT_EQ(ErrorOf(2), reason + "\n");
    EXPECT_EQ(Sql("SELECT status, attempt FROM workstream_status"), "failed|2\n");
    EXPECT_EQ(Events(run.out, "retry"),
              std::vector<std::string>{"attempt 1 of ws-a failed: " + reason + "; retrying in 0.1s"});
    EXPECT_EQ(Events(run.out, "failed"), std::vector<std::string>{"ws-a failed after 2 attempt(s): " + reason});
    EXPECT_EQ(ModelRequests(), 2);
  }

  // A model that never answers, stall_timeout 2s, max_attempts 1: stalled, stopped, failed.
  void ExpectStalled(const CommandResult& run) {
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_EQ(Attempts(), "1|stalled\n");
    EXPECT_EQ(ErrorOf(1), "agent stalled: no output for 2.0s (stall_timeout); stopped\n");
    EXPECT_EQ(Sql("SELECT status FROM workstream_status"), "failed\n");
    EXPECT_EQ(Events(run.out, "stalled"), std::vector<std::string>{"ws-a failed after 1 attempt(s): agent stalled: "
                                                                     "no output for 2.0s (stall_timeout); stopped"});
  }

  TempDir project_;
  TempDir homes_;
  std::unique_ptr<ModelServerProcess> server_;
};

const json kClaudeTokens = {{"input", 2200}, {"output", 70}, {"cache_read", 400}, {"cache_write", 0}};
const json kPricedTokens = {{"input", 1800}, {"output", 70}, {"cache_read", 400}, {"cache_write", 0}};

// Claude Code -----------------------------------------------------------------------------------

// Claude Code prices its tokens itself: the cost recorded is its `total_cost_usd`, no `price`.
TEST_F(RealAgentsTest, ClaudeWritesTheFileWithItsTokensAndOwnCost) {
  SKIP_WITHOUT(AgentCli::kClaude);
  StartServer({});
  const CommandResult run = RunOne(AgentCli::kClaude, "max_attempts = 3");
  json result;
  for (const json& object : LogObjects("ws-a", 1)) {
    if (object.value("type", "") == "result") result = object;
  }
  ASSERT_TRUE(result.is_object()) << "no result object in the attempt log";
  ASSERT_GT(result["total_cost_usd"].get<double>(), 0);
  ExpectWritten(AgentCli::kClaude, run, kClaudeTokens, result["total_cost_usd"].get<double>());
  EXPECT_EQ(Status({"ws-a"})[0]["attempts"][0]["session_id"], result["session_id"]);
}

TEST_F(RealAgentsTest, ClaudeUnauthorizedIsFatalAndStopsTheType) {
  SKIP_WITHOUT(AgentCli::kClaude);
  StartServer({.scenario = "unauthorized"});
  ExpectFatal(AgentCli::kClaude, RunOne(AgentCli::kClaude, "max_attempts = 3"),
              "claude could not authenticate (Invalid API key · Fix external API key): check ANTHROPIC_API_KEY "
              "(or ANTHROPIC_AUTH_TOKEN) in the agent's environment and the account's credit");
}

TEST_F(RealAgentsTest, ClaudeRateLimitedWaitsWithoutUsingAnAttempt) {
  SKIP_WITHOUT(AgentCli::kClaude);
  StartServer({.scenario = "rate_limit", .then = "write", .after = 1});
  ExpectRateLimitedThenDone(
      AgentCli::kClaude, RunOne(AgentCli::kClaude, "max_attempts = 1"),
      "claude was rate limited: API Error: Request rejected (429) · Rate limit reached: retry later. (HTTP 429)");
}

TEST_F(RealAgentsTest, ClaudeServerErrorIsRetriedThenFails) {
  SKIP_WITHOUT(AgentCli::kClaude);
  StartServer({.scenario = "server_error"});
  const CommandResult run = RunOne(AgentCli::kClaude, "max_attempts = 2");
  ExpectFailedTwice(run, "claude reported an error: API Error: 500 Internal server error. This is a server-side "
                         "issue, usually temporary — try again in a moment. If it persists, check your inference "
                         "gateway (127.0.0.1:" +
                             std::to_string(server_->port()) + "). (HTTP 500)");
}

TEST_F(RealAgentsTest, ClaudeHungModelStalls) {
  SKIP_WITHOUT(AgentCli::kClaude);
  StartServer({.scenario = "hang"});
  ExpectStalled(RunOne(AgentCli::kClaude, "max_attempts = 1", "stall_timeout = \"2s\""));
}

// Codex ---------------------------------------------------------------------------------------

// Codex reports tokens and no cost: the type's price table prices them.
TEST_F(RealAgentsTest, CodexWritesTheFileWithItsTokensPriced) {
  SKIP_WITHOUT(AgentCli::kCodex);
  StartServer({});
  ExpectWritten(AgentCli::kCodex, RunOne(AgentCli::kCodex, "max_attempts = 3", kPrice), kPricedTokens,
                kPricedWriteCost);
}

TEST_F(RealAgentsTest, CodexUnauthorizedIsFatalAndStopsTheType) {
  SKIP_WITHOUT(AgentCli::kCodex);
  StartServer({.scenario = "unauthorized"});
  ExpectFatal(AgentCli::kCodex, RunOne(AgentCli::kCodex, "max_attempts = 3"),
              "codex could not authenticate (unexpected status 401 Unauthorized: invalid x-api-key, url: " +
                  server_->base_url() +
                  "/v1/responses): check OPENAI_API_KEY (or the provider's env_key) in the agent's environment");
}

TEST_F(RealAgentsTest, CodexRateLimitedWaitsWithoutUsingAnAttempt) {
  SKIP_WITHOUT(AgentCli::kCodex);
  StartServer({.scenario = "rate_limit", .then = "write", .after = 1});
  ExpectRateLimitedThenDone(AgentCli::kCodex, RunOne(AgentCli::kCodex, "max_attempts = 1"),
                            "codex was rate limited: exceeded retry limit, last status: 429 Too Many Requests");
}

TEST_F(RealAgentsTest, CodexServerErrorIsRetriedThenFails) {
  SKIP_WITHOUT(AgentCli::kCodex);
  StartServer({.scenario = "server_error"});
  ExpectFailedTwice(RunOne(AgentCli::kCodex, "max_attempts = 2"),
                    "codex turn failed: We’re currently experiencing high demand, which may cause temporary errors.");
}

TEST_F(RealAgentsTest, CodexHungModelStalls) {
  SKIP_WITHOUT(AgentCli::kCodex);
  StartServer({.scenario = "hang"});
  ExpectStalled(RunOne(AgentCli::kCodex, "max_attempts = 1", "stall_timeout = \"2s\""));
}

// Gemini CLI ----------------------------------------------------------------------------------

TEST_F(RealAgentsTest, GeminiWritesTheFileWithItsTokensPriced) {
  SKIP_WITHOUT(AgentCli::kGemini);
  StartServer({});
  ExpectWritten(AgentCli::kGemini, RunOne(AgentCli::kGemini, "max_attempts = 3", kPrice), kPricedTokens,
                kPricedWriteCost);
  EXPECT_EQ(Sql("SELECT model FROM attempts"), "gemini-test\n");
  // `model` in the type became --model: the one request went to that model, no routing call.
  const std::vector<json> requests = server_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["path"], "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
}

TEST_F(RealAgentsTest, GeminiUnauthorizedIsFatalAndStopsTheType) {
  SKIP_WITHOUT(AgentCli::kGemini);
  StartServer({.scenario = "unauthorized"});
  ExpectFatal(AgentCli::kGemini, RunOne(AgentCli::kGemini, "max_attempts = 3"),
              R"(gemini could not authenticate ({"error":{"code":401,"message":"invalid x-api-key","status":)"
              R"("UNAUTHENTICATED"}}): check GEMINI_API_KEY in the agent's environment and that )"
              R"(~/.gemini/settings.json selects {"security": {"auth": {"selectedType": "gemini-api-key"}}})");
}

// Gemini says when to retry ("Suggested retry after 1s"): the type pauses that long.
TEST_F(RealAgentsTest, GeminiRateLimitedWaitsWithoutUsingAnAttempt) {
  SKIP_WITHOUT(AgentCli::kGemini);
  StartServer({.scenario = "rate_limit", .then = "write", .after = 1});
  ExpectRateLimitedThenDone(AgentCli::kGemini, RunOne(AgentCli::kGemini, "max_attempts = 1"),
                            "gemini was rate limited: Rate limit reached: retry later. Suggested retry after 1s.");
}

TEST_F(RealAgentsTest, GeminiServerErrorIsRetriedThenFails) {
  SKIP_WITHOUT(AgentCli::kGemini);
  StartServer({.scenario = "server_error"});
  ExpectFailedTwice(
      RunOne(AgentCli::kGemini, "max_attempts = 2"),
      R"(gemini reported an error: {"error":{"code":500,"message":"Internal server error","status":"INTERNAL"}} (HTTP 500))");
}

// The budget, secrets and isolation -----------------------------------------------------------

// budget_usd below two attempts' cost, three independent workstreams, one claude agent: the
// second attempt crosses it, the third never starts, the run ends budget_spent.
TEST_F(RealAgentsTest, ClaudeRunStopsStartingAttemptsOnceTheBudgetIsSpent) {
  SKIP_WITHOUT(AgentCli::kClaude);
  StartServer({});
  constexpr double kBudget = 0.02;
  for (const char* id : {"ws-a", "ws-b", "ws-c"}) AddWorkstream(id);
  WriteConfig("max_attempts = 3\nbudget_usd = 0.02", Type(AgentCli::kClaude), "claude");
  Commit();
  const CommandResult run = Orchestra({"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const json status = Status();
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["run"]["state"], "budget_spent");
  EXPECT_EQ(status["totals"], json::parse(R"({"blocked": 0, "completed": 2, "failed": 0, "pending": 1,
                                               "running": 0})"));
  EXPECT_EQ(Sql("SELECT count(*), count(DISTINCT workstream_id) FROM attempts WHERE outcome = 'succeeded'"),
            "2|2\n");
  EXPECT_EQ(Sql("SELECT count(*) FROM attempts"), "2\n");
  EXPECT_EQ(Sql("SELECT count(*) FROM workstream_status WHERE status = 'pending' AND attempt = 0"), "1\n");
  // Claude Code's own figure: one attempt stays below the budget, two reach it.
  const std::vector<std::string> costs = Lines(Sql("SELECT cost_usd FROM attempts ORDER BY id"));
  ASSERT_EQ(costs.size(), 2u);
  EXPECT_LT(std::stod(costs[0]), kBudget);
  EXPECT_GE(std::stod(costs[0]) + std::stod(costs[1]), kBudget);
  EXPECT_EQ(Events(run.out, "started").size(), 2u);
  EXPECT_EQ(Events(run.out, "budget_spent").size(), 1u);
}

// Routes: ws-a runs on agent-1's type (claude), ws-b on codex, ws-c on gemini.
std::string ThreeCliRoutes() {
  return "[[routes]]\nworkstreams = [\"ws-b\"]\nagent_type = \"codex\"\n\n"
         "[[routes]]\nworkstreams = [\"ws-c\"]\nagent_type = \"gemini\"\n";
}

#define SKIP_WITHOUT_ALL()           \
  SKIP_WITHOUT(AgentCli::kClaude);   \
  SKIP_WITHOUT(AgentCli::kCodex);    \
  SKIP_WITHOUT(AgentCli::kGemini)

// A route's type is the one a 401 stops, not the type of the agent that ran it: codex (routed,
// its own server answering 401) stops; claude, agent-1's type, goes on. ws-a and ws-z run on
// claude; ws-x and ws-y (after ws-a) are routed to codex: whichever codex one comes first is
// fatal and the other never starts, and both claude ones complete, in any order the planner
// picks (it puts ws-a, which has a dependent, first, and the codex 401 before ws-z).
TEST_F(RealAgentsTest, AFatalRoutedTypeStopsThatTypeNotTheAgents) {
  SKIP_WITHOUT(AgentCli::kClaude);
  SKIP_WITHOUT(AgentCli::kCodex);
  StartServer({});
  const ModelServerProcess refusing({.scenario = "unauthorized"});
  AddWorkstream("ws-a");
  AddWorkstream("ws-x");
  AddWorkstream("ws-y", {"ws-a"});
  AddWorkstream("ws-z");
  WriteConfig("max_attempts = 3", Type(AgentCli::kClaude) + Type(AgentCli::kCodex, "", &refusing), "claude",
              "[[routes]]\nworkstreams = [\"ws-x\", \"ws-y\"]\nagent_type = \"codex\"\n");
  Commit();
  const CommandResult run = Orchestra({"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(Sql("SELECT agent_type, outcome FROM attempts ORDER BY agent_type"),
            "claude|succeeded\nclaude|succeeded\ncodex|fatal\n");
  EXPECT_EQ(Sql("SELECT status, count(*) FROM workstream_status GROUP BY status ORDER BY status"),
            "completed|2\nfailed|1\npending|1\n");
  EXPECT_EQ(Sql("SELECT workstream_id FROM workstream_status WHERE status = 'completed' ORDER BY 1"),
            "ws-a\nws-z\n");
  const std::string failed = Lines(Sql("SELECT workstream_id FROM attempts WHERE outcome = 'fatal'")).at(0);
  const std::string reason =
      "codex could not authenticate (unexpected status 401 Unauthorized: invalid x-api-key, url: " +
      refusing.base_url() + "/v1/responses): check OPENAI_API_KEY (or the provider's env_key) in the agent's environment";
  EXPECT_EQ(Events(run.out, "agent_type_stopped"),
            std::vector<std::string>{"agents of type codex take no more work this run: " + reason + " (from " + failed +
                                     "); fix it, then `orchestra retry --failed` and `orchestra run`"});
  EXPECT_EQ(Show("orchestra/integration", "ws-a.txt"), kContent);
  EXPECT_EQ(Show("orchestra/integration", "ws-z.txt"), kContent);
}

// The same for a 429: the routed type is the one that pauses, and the message names it.
TEST_F(RealAgentsTest, ARateLimitedRoutedTypePausesThatType) {
  SKIP_WITHOUT(AgentCli::kClaude);
  SKIP_WITHOUT(AgentCli::kCodex);
  StartServer({.scenario = "rate_limit", .then = "write", .after = 1});
  AddWorkstream("ws-a");
  WriteConfig("max_attempts = 1", Type(AgentCli::kClaude) + Type(AgentCli::kCodex), "claude",
              "[[routes]]\nworkstreams = [\"ws-a\"]\nagent_type = \"codex\"\n");
  Commit();
  const CommandResult run = Orchestra({"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Sql("SELECT agent_type, outcome FROM attempts ORDER BY id"), "codex|rate_limited\ncodex|succeeded\n");
  EXPECT_EQ(Events(run.out, "rate_limited"),
            std::vector<std::string>{"attempt 1 of ws-a was rate-limited: codex was rate limited: exceeded retry "
                                     "limit, last status: 429 Too Many Requests; agents of type codex pause for "
                                     "1.0s, then it runs again (no attempt used up)"});
}

// The model answers with the key itself (as an agent might echo its environment): every CLI
// prints it, and Orchestra writes it nowhere. The key reached the model only as the header.
TEST_F(RealAgentsTest, TheApiKeyIsWrittenNowhere) {
  SKIP_WITHOUT_ALL();
  StartServer({.answer = std::string("Done. The key is ") + kApiKey + "."});
  for (const char* id : {"ws-a", "ws-b", "ws-c"}) AddWorkstream(id);
  WriteConfig("max_attempts = 1",
              Type(AgentCli::kClaude) + Type(AgentCli::kCodex, kPrice) + Type(AgentCli::kGemini, kPrice), "claude",
              ThreeCliRoutes());
  Commit();
  const CommandResult run = Orchestra({"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Sql("SELECT workstream_id, agent_type, outcome FROM attempts ORDER BY workstream_id"),
            "ws-a|claude|succeeded\nws-b|codex|succeeded\nws-c|gemini|succeeded\n");
  // Each CLI printed the answer, key redacted.
  for (const char* id : {"ws-a", "ws-b", "ws-c"}) {
    const std::string log = ReadFile(project_ / (std::string("logs/workstreams/") + id + "/attempt-1.log"));
    EXPECT_NE(log.find("The key is [redacted]."), std::string::npos) << id << ":\n" << log;
  }
  int files = 0;
  for (const char* folder : {".state", "logs", "reports"}) {
    ASSERT_TRUE(fs::is_directory(project_ / folder)) << folder;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(project_ / folder)) {
      if (!entry.is_regular_file()) continue;
      ++files;
      EXPECT_EQ(ReadFile(entry.path()).find(kApiKey), std::string::npos) << entry.path();
    }
  }
  EXPECT_GE(files, 10);  // the database, 3 logs and 3 prompts, the report and chart
  EXPECT_EQ(run.out.find(kApiKey), std::string::npos);
  EXPECT_EQ(run.err.find(kApiKey), std::string::npos);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"status", "--json"}, {"status", "ws-a", "ws-b", "ws-c", "--json"}, {"status", "ws-a", "ws-b", "ws-c"}}) {
    const CommandResult status = Orchestra(args);
    EXPECT_EQ(status.exit_code, 0) << status.err;
    EXPECT_EQ(status.out.find(kApiKey), std::string::npos) << status.out;
  }
  // At the server: in each provider's credential header, in no body.
  int model_requests = 0;
  for (const json& request : server_->Requests()) {
    if (request["method"] != "POST") continue;
    ++model_requests;
    const std::string provider = request["provider"];
    const json expected = {
        {"authorization", provider == "openai" ? std::string("Bearer ") + kApiKey : ""},
        {"x_api_key", provider == "anthropic" ? kApiKey : ""},
        {"x_goog_api_key", provider == "gemini" ? kApiKey : ""}};
    EXPECT_EQ((json{{"authorization", request["authorization"]},
                    {"x_api_key", request["x_api_key"]},
                    {"x_goog_api_key", request["x_goog_api_key"]}}),
              expected)
        << request.dump();
  }
  EXPECT_EQ(model_requests, 6);  // two turns per CLI
  for (const std::string& body : server_->Bodies()) EXPECT_EQ(body.find(kApiKey), std::string::npos);
}

// ws-a -> ws-b -> ws-c on claude, codex and gemini in worktrees: each edit committed, merged once
// onto orchestra/integration, and in the worktree its dependent starts from.
TEST_F(RealAgentsTest, ThreeClisChainThroughWorktreesAndMergeBack) {
  SKIP_WITHOUT_ALL();
  StartServer({});
  AddWorkstream("ws-a");
  AddWorkstream("ws-b", {"ws-a"});
  AddWorkstream("ws-c", {"ws-b"});
  WriteConfig("max_attempts = 1",
              Type(AgentCli::kClaude) + Type(AgentCli::kCodex, kPrice) + Type(AgentCli::kGemini, kPrice), "claude",
              ThreeCliRoutes());
  Commit();
  const CommandResult run = Orchestra({"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(Sql("SELECT workstream_id, agent_type, outcome FROM attempts ORDER BY id"),
            "ws-a|claude|succeeded\nws-b|codex|succeeded\nws-c|gemini|succeeded\n");
  for (const char* file : {"ws-a.txt", "ws-b.txt", "ws-c.txt"}) {
    EXPECT_EQ(Show("orchestra/integration", file), kContent) << file;
    EXPECT_EQ(Show("main", file), "") << file;
  }
  // One merge per workstream, each bringing exactly its own file.
  const std::vector<std::string> merges =
      Lines(Git({"log", "--merges", "--reverse", "--format=%H %s", "orchestra/integration"}));
  ASSERT_EQ(merges.size(), 3u) << Git({"log", "--oneline", "--graph", "orchestra/integration"});
  const char* const ids[] = {"ws-a", "ws-b", "ws-c"};
  for (size_t i = 0; i < 3; ++i) {
    const std::string commit = merges[i].substr(0, merges[i].find(' '));
    EXPECT_EQ(merges[i].substr(commit.size() + 1), std::string("Merge ") + ids[i] + ": Write " + ids[i] + ".txt");
    EXPECT_EQ(Git({"diff", "--name-only", commit + "^1", commit}), std::string(ids[i]) + ".txt\n");
  }
  // What each dependent started from.
  auto base = [&](const std::string& id) {
    return Lines(Sql("SELECT base_commit FROM attempts WHERE workstream_id = '" + id + "'")).at(0);
  };
  EXPECT_EQ(Show(base("ws-a"), "ws-a.txt"), "");
  EXPECT_EQ(Show(base("ws-b"), "ws-a.txt"), kContent);
  EXPECT_EQ(Show(base("ws-b"), "ws-b.txt"), "");
  EXPECT_EQ(Show(base("ws-c"), "ws-a.txt"), kContent);
  EXPECT_EQ(Show(base("ws-c"), "ws-b.txt"), kContent);
  // Each CLI worked in its own worktree (the working directory its prompt named).
  std::vector<std::string> workdirs;
  for (const json& request : server_->Requests()) {
    if (request["method"] == "POST" && request["answer"] == "tool_call") workdirs.push_back(request["workdir"]);
  }
  EXPECT_EQ(workdirs, (std::vector<std::string>{project_ / ".orchestra/worktrees/ws-a",
                                                project_ / ".orchestra/worktrees/ws-b",
                                                project_ / ".orchestra/worktrees/ws-c"}));
}

}  // namespace
}  // namespace orchestra::testing
