#include "config.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace orchestra {
namespace {

using testing::TempDir;

/// Loads `text` as orchestra.toml of a temp folder.
class ConfigTest : public ::testing::Test {
 protected:
  bool Load(const std::string& text) {
    file_ = dir_.Write("orchestra.toml", text);
    return LoadConfig(file_, &config_, &diagnostics_);
  }

  /// The diagnostics without the file name, which changes with each temp dir.
  std::string Rendered() const {
    std::string text = diagnostics_.Render();
    for (size_t at = text.find(file_); at != std::string::npos; at = text.find(file_)) {
      text.replace(at, file_.size(), "orchestra.toml");
    }
    return text;
  }

  TempDir dir_;
  std::string file_;
  Config config_;
  Diagnostics diagnostics_;
};

constexpr const char* kFullExample = R"(
[paths]
workstreams = "ws"
state = "state/o.db"
logs = "log"
reports = "rep"

[defaults]
max_attempts = 5
timeout = "45m"
backoff = "2s"
estimate_hours = 1.5
kill_grace = 3
acceptance_timeout = "1h30m"
honor_tool = true
agent_type = "reviewer"

[agent_types.reviewer]
kind = "command"
argv = ["./tools/review.sh", "{id}", "{prompt_file}"]
env = { FOO = "bar" }

[agent_types.sim]
time_scale = 0.01
fail = ["ws-x"]
fail_attempts = 1
fail_probability = 0.1
seed = 42

[[agents]]
id = "agent-1"
type = "reviewer"
track = "pipeline_plus"

[[agents]]
id = "agent-2"
type = "sim"

[tracks]
pipeline_plus = ["ws-22", "ws-23"]
docs = ["ws-11"]
)";

TEST_F(ConfigTest, ReadsFullExample) {
  ASSERT_TRUE(Load(kFullExample)) << diagnostics_.Render();
  EXPECT_EQ(diagnostics_.items().size(), 0u) << diagnostics_.Render();
  EXPECT_EQ(config_.file, file_);
  EXPECT_EQ(config_.config_dir, dir_.path());
  EXPECT_EQ(config_.project_dir, dir_.path());
  EXPECT_EQ(config_.workstreams_dir, "ws");
  EXPECT_EQ(config_.state_path, "state/o.db");
  EXPECT_EQ(config_.logs_dir, "log");
  EXPECT_EQ(config_.reports_dir, "rep");
  EXPECT_EQ(config_.max_attempts, 5);
  EXPECT_EQ(config_.timeout_seconds, 45 * 60);
  EXPECT_EQ(config_.backoff_seconds, 2);
  EXPECT_EQ(config_.estimate_hours, 1.5);
  EXPECT_EQ(config_.kill_grace_seconds, 3);
  EXPECT_EQ(config_.acceptance_timeout_seconds, 90 * 60);
  EXPECT_TRUE(config_.honor_tool);
  EXPECT_EQ(config_.default_agent_type, "reviewer");

  const AgentType& reviewer = config_.agent_types.at("reviewer");
  EXPECT_EQ(reviewer.name, "reviewer");
  EXPECT_EQ(reviewer.kind, "command");
  EXPECT_EQ(reviewer.argv, (std::vector<std::string>{dir_.path() + "/tools/review.sh", "{id}",
                                                     "{prompt_file}"}));
  EXPECT_EQ(reviewer.env, (std::map<std::string, std::string>{{"FOO", "bar"}}));

  const AgentType& sim = config_.agent_types.at("sim");
  EXPECT_EQ(sim.kind, "sim");
  EXPECT_EQ(sim.time_scale, 0.01);
  EXPECT_EQ(sim.fail_ids, std::vector<std::string>{"ws-x"});
  EXPECT_EQ(sim.fail_attempts, 1);
  EXPECT_EQ(sim.fail_probability, 0.1);
  EXPECT_EQ(sim.seed, 42u);
  EXPECT_EQ(config_.agent_types.count("aider"), 1u);
  EXPECT_EQ(config_.agent_types.count("command"), 1u);

  ASSERT_EQ(config_.agents.size(), 2u);
  EXPECT_EQ(config_.agents[0].id, "agent-1");
  EXPECT_EQ(config_.agents[0].type, "reviewer");
  EXPECT_EQ(config_.agents[0].track, "pipeline_plus");
  EXPECT_EQ(config_.agents[0].line, 30);
  EXPECT_EQ(config_.agents[1].id, "agent-2");
  EXPECT_EQ(config_.agents[1].track, "");
  EXPECT_EQ(config_.agents[1].line, 35);

  // File order, not toml++'s alphabetical order.
  ASSERT_EQ(config_.tracks.size(), 2u);
  EXPECT_EQ(config_.tracks[0].track, "pipeline_plus");
  EXPECT_EQ(config_.tracks[0].names, (std::vector<std::string>{"ws-22", "ws-23"}));
  EXPECT_EQ(config_.tracks[0].line, 40);
  EXPECT_EQ(config_.tracks[0].column, 1);
  EXPECT_EQ(config_.tracks[1].track, "docs");
  EXPECT_EQ(config_.tracks[1].line, 41);
}

TEST_F(ConfigTest, DefaultsWhenKeysAbsent) {
  ASSERT_TRUE(Load("")) << diagnostics_.Render();
  const Config defaults;
  EXPECT_EQ(config_.workstreams_dir, "workstreams");
  EXPECT_EQ(config_.state_path, ".state/orchestration.db");
  EXPECT_EQ(config_.logs_dir, "logs");
  EXPECT_EQ(config_.reports_dir, "reports");
  EXPECT_EQ(config_.max_attempts, 3);
  EXPECT_EQ(config_.timeout_seconds, 30 * 60);
  EXPECT_EQ(config_.backoff_seconds, 5);
  EXPECT_EQ(config_.estimate_hours, 2);
  EXPECT_EQ(config_.kill_grace_seconds, 10);
  EXPECT_EQ(config_.acceptance_timeout_seconds, 10 * 60);
  EXPECT_EQ(config_.max_log_bytes, 50 * 1024 * 1024);
  EXPECT_TRUE(config_.redact_variables.empty());
  EXPECT_FALSE(config_.honor_tool);
  EXPECT_EQ(config_.default_agent_type, "sim");
  EXPECT_TRUE(config_.agents.empty());
  EXPECT_TRUE(config_.tracks.empty());
  ASSERT_EQ(config_.agent_types.size(), 6u);
  EXPECT_EQ(config_.agent_types.at("sim").time_scale, defaults.agent_types.at("sim").time_scale);
}

TEST_F(ConfigTest, ConfigWithoutFileKnowsBuiltinTypes) {
  const Config config;
  EXPECT_EQ(config.agent_types.at("sim").kind, "sim");
  EXPECT_EQ(config.agent_types.at("aider").argv, BuiltinAgentTypes().at("aider").argv);
  EXPECT_FALSE(config.agent_types.at("aider").argv.empty());
  EXPECT_EQ(config.agent_types.at("command").kind, "command");
  EXPECT_TRUE(config.agent_types.at("command").argv.empty());
}

TEST_F(ConfigTest, KeepsProjectDirSetByCaller) {
  config_.project_dir = "/somewhere/else";
  config_.max_attempts = 9;  // anything else starts from the defaults again
  ASSERT_TRUE(Load(""));
  EXPECT_EQ(config_.project_dir, "/somewhere/else");
  EXPECT_EQ(config_.config_dir, dir_.path());
  EXPECT_EQ(config_.max_attempts, 3);
}

TEST_F(ConfigTest, CodingAgentTypesTakeTheirKindsSettings) {
  ASSERT_TRUE(Load(R"([agent_types.careful]
kind = "claude"
model = "opus"
max_turns = 12
allowed_tools = ["Read", "Edit"]
[agent_types.codex]
model = "gpt-5-codex"
[agent_types.flash]
kind = "gemini"
model = "gemini-2.5-flash"
)")) << Rendered();
  EXPECT_EQ(Rendered(), "");
  const AgentType& careful = config_.agent_types.at("careful");
  EXPECT_EQ(careful.kind, "claude");
  EXPECT_EQ(careful.argv, BuiltinAgentTypes().at("claude").argv);
  EXPECT_EQ(careful.model, "opus");
  EXPECT_EQ(careful.max_turns, 12);
  EXPECT_EQ(careful.allowed_tools, (std::vector<std::string>{"Read", "Edit"}));
  EXPECT_EQ(config_.agent_types.at("codex").kind, "codex");
  EXPECT_EQ(config_.agent_types.at("codex").model, "gpt-5-codex");
  EXPECT_EQ(config_.agent_types.at("flash").argv, BuiltinAgentTypes().at("gemini").argv);
  for (const char* builtin : {"claude", "codex", "gemini", "aider"}) {
    EXPECT_EQ(config_.agent_types.at(builtin).kind, builtin);
  }
}

TEST_F(ConfigTest, CodingAgentKeysOnOtherKindsAreIgnoredWithAWarning) {
  EXPECT_TRUE(Load(R"([agent_types.codex]
max_turns = 5
allowed_tools = ["Read"]
[agent_types.sim]
model = "x"
)"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:2:1: warning: 'agent_types.codex.max_turns' only applies to kind claude; ignored\n"
            "orchestra.toml:3:1: warning: 'agent_types.codex.allowed_tools' only applies to kind claude; ignored\n"
            "orchestra.toml:5:1: warning: 'agent_types.sim.model' only applies to kinds claude, codex, gemini, "
            "aider; ignored\n");
}

TEST_F(ConfigTest, BuiltinOverrideKeepsBuiltinFields) {
  ASSERT_TRUE(Load("[agent_types.aider]\nenv = { OPENAI_API_BASE = \"http://x\" }\n"))
      << diagnostics_.Render();
  const AgentType& aider = config_.agent_types.at("aider");
  EXPECT_EQ(aider.kind, "aider");
  EXPECT_EQ(aider.argv, BuiltinAgentTypes().at("aider").argv);
  EXPECT_EQ(aider.env.at("OPENAI_API_BASE"), "http://x");
}

TEST_F(ConfigTest, ResolvesRelativeProgramAgainstConfigDir) {
  ASSERT_TRUE(Load(R"(
[agent_types.dot]
kind = "command"
argv = ["./tools/../bin/run.sh", "{id}"]
[agent_types.nested]
kind = "command"
argv = ["tools/run.sh"]
[agent_types.bare]
kind = "command"
argv = ["python3", "./script.py"]
[agent_types.absolute]
kind = "command"
argv = ["/usr/bin/env", "true"]
)")) << diagnostics_.Render();
  EXPECT_EQ(config_.agent_types.at("dot").argv,
            (std::vector<std::string>{dir_.path() + "/bin/run.sh", "{id}"}));
  EXPECT_EQ(config_.agent_types.at("nested").argv[0], dir_.path() + "/tools/run.sh");
  EXPECT_EQ(config_.agent_types.at("bare").argv,
            (std::vector<std::string>{"python3", "./script.py"}));
  EXPECT_EQ(config_.agent_types.at("absolute").argv[0], "/usr/bin/env");
}

TEST_F(ConfigTest, ReadsDurationsAsTextOrSeconds) {
  ASSERT_TRUE(Load("[defaults]\ntimeout = \"1h30m\"\nbackoff = 0.5\nkill_grace = \"30s\"\n"
                   "acceptance_timeout = \"1.5h\"\n"))
      << diagnostics_.Render();
  EXPECT_EQ(config_.timeout_seconds, 5400);
  EXPECT_EQ(config_.backoff_seconds, 0.5);
  EXPECT_EQ(config_.kill_grace_seconds, 30);
  EXPECT_EQ(config_.acceptance_timeout_seconds, 5400);
}

TEST_F(ConfigTest, ZeroBackoffRetriesAtOnceButZeroTimeoutIsRefused) {
  ASSERT_TRUE(Load("[defaults]\nbackoff = \"0s\"\n")) << diagnostics_.Render();
  EXPECT_EQ(config_.backoff_seconds, 0);
  EXPECT_TRUE(diagnostics_.items().empty()) << diagnostics_.Render();
  EXPECT_FALSE(Load("[defaults]\nbackoff = -1\nkill_grace = 0\n"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:2:11: error: 'defaults.backoff' must not be negative (hint: write a "
            "duration like \"30s\", \"45m\", \"1h30m\", \"1.5h\" or a number of seconds)\n"
            "orchestra.toml:3:14: error: 'defaults.kill_grace' must be positive (hint: write a "
            "duration like \"30s\", \"45m\", \"1h30m\", \"1.5h\" or a number of seconds)\n");
}

TEST_F(ConfigTest, ReadsIsolationKeys) {
  const Config defaults;
  EXPECT_EQ(defaults.isolation, "auto");
  EXPECT_EQ(defaults.integration_branch, "orchestra/integration");
  EXPECT_EQ(defaults.merge_strategy, "merge");
  EXPECT_FALSE(defaults.verify_after_merge);
  EXPECT_EQ(defaults.scope_policy, "warn");
  ASSERT_TRUE(Load("[defaults]\nisolation = \"worktree\"\nintegration_branch = \"int/main\"\n"
                   "merge_strategy = \"rebase\"\nverify_after_merge = true\nscope_policy = \"fail\"\n"
                   "serialize_overlapping_scopes = false\n"))
      << diagnostics_.Render();
  EXPECT_TRUE(config_.UsesWorktrees());
  EXPECT_EQ(config_.integration_branch, "int/main");
  EXPECT_EQ(config_.merge_strategy, "rebase");
  EXPECT_TRUE(config_.verify_after_merge);
  EXPECT_EQ(config_.scope_policy, "fail");
  EXPECT_FALSE(config_.SerializesOverlappingScopes());
  // Unset, serialising follows isolation.
  ASSERT_TRUE(Load("[defaults]\nisolation = \"none\"\n"));
  EXPECT_FALSE(config_.SerializesOverlappingScopes());
  ASSERT_TRUE(Load("[defaults]\nisolation = \"worktree\"\n"));
  EXPECT_TRUE(config_.SerializesOverlappingScopes());
}

TEST_F(ConfigTest, RejectsUnknownIsolationValues) {
  EXPECT_FALSE(Load("[defaults]\nisolation = \"docker\"\nmerge_strategy = \"squash\"\n"
                    "integration_branch = \"a..b\"\n"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:2:13: error: 'defaults.isolation' must be one of \"worktree\", \"none\", "
            "not \"docker\"\n"
            "orchestra.toml:3:18: error: 'defaults.merge_strategy' must be one of \"merge\", "
            "\"rebase\", not \"squash\"\n"
            "orchestra.toml:4:22: error: 'defaults.integration_branch' is not a usable branch name: "
            "\"a..b\" (hint: write a plain branch name such as \"orchestra/integration\")\n");
}

TEST_F(ConfigTest, ReportsWrongTypesWithPositions) {
  EXPECT_FALSE(Load(R"([defaults]
max_attempts = "three"
honor_tool = 1
estimate_hours = "2"
timeout = true
[paths]
logs = 4
[agent_types.sim]
fail = ["a", 1]
[tracks]
x = "ws-1"
)"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:2:16: error: 'defaults.max_attempts' must be an integer, not a string "
            "(hint: write a whole number without quotes)\n"
            "orchestra.toml:3:14: error: 'defaults.honor_tool' must be a boolean, not an integer "
            "(hint: write true or false)\n"
            "orchestra.toml:4:18: error: 'defaults.estimate_hours' must be a number, not a string "
            "(hint: write a number without quotes)\n"
            "orchestra.toml:5:11: error: 'defaults.timeout' must be a duration, not a boolean "
            "(hint: write a duration like \"30s\", \"45m\", \"1h30m\", \"1.5h\" or a number of "
            "seconds)\n"
            "orchestra.toml:7:8: error: 'paths.logs' must be a string, not an integer "
            "(hint: put the value in quotes)\n"
            "orchestra.toml:9:8: error: 'agent_types.sim.fail' must be an array of strings, not an "
            "array (hint: write [\"...\", \"...\"])\n"
            "orchestra.toml:11:5: error: 'tracks.x' must be an array of strings, not a string "
            "(hint: write [\"...\", \"...\"])\n");
  // Defaults survive the bad values.
  EXPECT_EQ(config_.max_attempts, 3);
  EXPECT_FALSE(config_.honor_tool);
}

TEST_F(ConfigTest, ReportsOutOfRangeValues) {
  EXPECT_FALSE(Load(R"([defaults]
max_attempts = 0
timeout = "0s"
backoff = -1
kill_grace = "soon"
estimate_hours = -2
[agent_types.sim]
fail_probability = 1.5
fail_attempts = -1
time_scale = -0.1
)"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:2:16: error: 'defaults.max_attempts' must be at least 1\n"
            "orchestra.toml:3:11: error: 'defaults.timeout' must be positive (hint: write a "
            "duration like \"30s\", \"45m\", \"1h30m\", \"1.5h\" or a number of seconds)\n"
            "orchestra.toml:4:11: error: 'defaults.backoff' must not be negative (hint: write a "
            "duration like \"30s\", \"45m\", \"1h30m\", \"1.5h\" or a number of seconds)\n"
            "orchestra.toml:5:14: error: 'defaults.kill_grace' is not a duration: \"soon\" (hint: "
            "write a duration like \"30s\", \"45m\", \"1h30m\", \"1.5h\" or a number of seconds)\n"
            "orchestra.toml:6:18: error: 'defaults.estimate_hours' must be positive\n"
            "orchestra.toml:8:20: error: 'agent_types.sim.fail_probability' must be between 0 and 1\n"
            "orchestra.toml:9:17: error: 'agent_types.sim.fail_attempts' must be at least 0\n"
            "orchestra.toml:10:14: error: 'agent_types.sim.time_scale' must not be negative\n");
}

TEST_F(ConfigTest, ReportsBadAgentTypes) {
  EXPECT_FALSE(Load(R"([agent_types.nokind]
argv = ["x"]
[agent_types.odd]
kind = "robot"
[agent_types.bare]
kind = "command"
[agent_types.fast]
kind = "aider"
time_scale = 2.0
)"));
  // A new type of kind aider starts from aider's default argv.
  EXPECT_EQ(config_.agent_types["fast"].argv, BuiltinAgentTypes()["aider"].argv);
  EXPECT_EQ(Rendered(),
            "orchestra.toml:1:1: error: agent type 'nokind' needs a kind (hint: kind is one of: "
            "command, sim, claude, codex, gemini, aider)\n"
            "orchestra.toml:4:8: error: unknown kind 'robot' for agent type 'odd' (hint: kind is "
            "one of: command, sim, claude, codex, gemini, aider)\n"
            "orchestra.toml:5:1: error: agent type 'bare' of kind command needs a non-empty argv "
            "(hint: for example argv = [\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"])\n"
            "orchestra.toml:9:1: warning: 'agent_types.fast.time_scale' only applies to kind "
            "sim; ignored\n");
}

TEST_F(ConfigTest, ReportsBadAgents) {
  EXPECT_FALSE(Load(R"([agent_types.reviewer]
kind = "command"
argv = ["review"]

[[agents]]
id = "agent-1"
type = "sim"

[[agents]]
id = "agent-1"
type = "reviewr"

[[agents]]
type = "sim"

[[agents]]
id = "agent-3"

[[agents]]
id = "agent-4"
type = "command"
)"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:10:6: error: duplicate agent id 'agent-1': also defined on line 5 "
            "(hint: give each [[agents]] entry its own id)\n"
            "orchestra.toml:11:8: error: unknown agent type 'reviewr' for agent 'agent-1' (hint: "
            "known types: aider, claude, codex, command, gemini, reviewer, sim)\n"
            "orchestra.toml:13:1: error: [[agents]] entry without an id (hint: add id = "
            "\"agent-1\")\n"
            "orchestra.toml:16:1: error: agent 'agent-3' has no type (hint: add type = \"NAME\" "
            "(known types: aider, claude, codex, command, gemini, reviewer, sim))\n"
            "orchestra.toml:21:8: error: agent 'agent-4' uses agent type 'command', which has no "
            "argv (hint: set argv in [agent_types.command])\n");
}

TEST_F(ConfigTest, ReportsAnEmptyArgvOnceAtItsTable) {
  EXPECT_FALSE(Load(R"([agent_types.x]
kind = "command"
argv = []
[agent_types.command]
argv = []
[[agents]]
id = "a1"
type = "x"
[[agents]]
id = "a2"
type = "command"
)"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:1:1: error: agent type 'x' of kind command needs a non-empty argv "
            "(hint: for example argv = [\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"])\n"
            "orchestra.toml:4:1: error: agent type 'command' of kind command needs a non-empty argv "
            "(hint: for example argv = [\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"])\n");
}

TEST_F(ConfigTest, MarksAFileThatCouldNotBeParsed) {
  EXPECT_TRUE(Load("[defaults]\n"));
  EXPECT_TRUE(config_.file_parsed);
  EXPECT_FALSE(Load("[defaults]\nmax_attempts = [1\n"));
  EXPECT_FALSE(config_.file_parsed);
  EXPECT_FALSE(LoadConfig(dir_.path() + "/absent.toml", &config_, &diagnostics_));
  EXPECT_FALSE(config_.file_parsed);
}

TEST_F(ConfigTest, ReportsUnknownDefaultAgentType) {
  EXPECT_FALSE(Load("[defaults]\nagent_type = \"robot\"\n"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:2:14: error: unknown agent type 'robot' for defaults.agent_type "
            "(hint: known types: aider, claude, codex, command, gemini, sim)\n");
}

TEST_F(ConfigTest, ReportsAgentsWrittenAsTable) {
  EXPECT_FALSE(Load("[agents]\nid = \"a\"\n"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:1:1: error: 'agents' must be an array of tables, not a table (hint: "
            "write each agent as an [[agents]] table with id and type)\n");
}

TEST_F(ConfigTest, ReportsMalformedToml) {
  EXPECT_FALSE(Load("[defaults]\nmax_attempts = [1\ntimeout = \"1m\"\n"));
  ASSERT_EQ(diagnostics_.items().size(), 1u);
  const Diagnostic& diagnostic = diagnostics_.items()[0];
  EXPECT_EQ(diagnostic.file, file_);
  EXPECT_EQ(diagnostic.line, 3);
  EXPECT_EQ(diagnostic.column, 1);
  EXPECT_NE(diagnostic.message.find("expected comma or closing ']'"), std::string::npos)
      << diagnostic.message;
}

TEST_F(ConfigTest, ReportsMissingFile) {
  EXPECT_FALSE(LoadConfig(dir_.path() + "/absent.toml", &config_, &diagnostics_));
  EXPECT_EQ(diagnostics_.Render(), dir_.path() +
                                       "/absent.toml: error: cannot read config file (hint: "
                                       "check that the file exists)\n");
}

TEST_F(ConfigTest, UnknownKeysAreWarnings) {
  EXPECT_TRUE(Load(R"(colour = "blue"
[defaults]
retries = 3
[paths]
cache = "c"
[agent_types.sim]
speed = 2
[[agents]]
id = "a"
type = "sim"
model = "x"
[extras]
x = 1
)"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:1:1: warning: unknown key 'colour' ignored (hint: known sections: "
            "agent_types, agents, defaults, paths, planner, routes, secrets, state, tracks)\n"
            "orchestra.toml:3:1: warning: unknown key 'defaults.retries' ignored (hint: known keys: "
            "max_attempts, timeout, backoff, estimate_hours, kill_grace, acceptance_timeout, "
            "state_lock_timeout, stall_timeout, budget_usd, max_log_size, honor_tool, agent_type, isolation, "
            "integration_branch, merge_strategy, "
            "verify_after_merge, remote, scope_policy, serialize_overlapping_scopes)\n"
            "orchestra.toml:5:1: warning: unknown key 'paths.cache' ignored (hint: known keys: "
            "workstreams, state, logs, reports)\n"
            "orchestra.toml:7:1: warning: unknown key 'agent_types.sim.speed' ignored (hint: known "
            "keys: kind, argv, env, max_concurrent, requests_per_minute, stall_timeout, price, model, "
            "max_turns, allowed_tools, time_scale, fail, fail_attempts, fail_probability, seed)\n"
            "orchestra.toml:11:1: warning: unknown key 'agents.model' ignored (hint: known keys: "
            "id, type, track)\n"
            "orchestra.toml:12:2: warning: unknown table 'extras' ignored (hint: known sections: "
            "agent_types, agents, defaults, paths, planner, routes, secrets, state, tracks)\n");
  EXPECT_EQ(config_.agents.size(), 1u);
}

TEST_F(ConfigTest, PlannerBudgetIsADuration) {
  EXPECT_EQ(config_.planner_budget_seconds, 0.2);
  EXPECT_TRUE(Load("[planner]\nbudget = \"750ms\"\n")) << Rendered();
  EXPECT_DOUBLE_EQ(config_.planner_budget_seconds, 0.75);
  EXPECT_FALSE(Load("[planner]\nbudget = \"soon\"\n"));
  EXPECT_NE(Rendered().find("'planner.budget' is not a duration"), std::string::npos) << Rendered();
}

TEST_F(ConfigTest, StateDurabilityIsPowerOrProcessWithTheOlderNamesAsAliases) {
  EXPECT_EQ(config_.state_durability, "power");
  const std::pair<const char*, const char*> spellings[] = {
      {"process", "process"}, {"power", "power"}, {"normal", "process"}, {"full", "power"}};
  for (const auto& [written, read] : spellings) {
    EXPECT_TRUE(Load(std::string("[state]\ndurability = \"") + written + "\"\n")) << Rendered();
    EXPECT_EQ(config_.state_durability, read) << written;
  }
  EXPECT_FALSE(Load("[state]\ndurability = \"disk\"\n"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:2:14: error: 'state.durability' must be \"power\" or \"process\", not \"disk\" (hint: "
            "\"power\" survives a power cut; \"process\" survives a crash of Orchestra only (docs/state.md))\n");
}

TEST_F(ConfigTest, MaxLogSizeTakesUnitsOrBytes) {
  const std::pair<const char*, int64_t> sizes[] = {
      {"\"10MB\"", 10 << 20}, {"\"512 KB\"", 512 << 10}, {"\"2gb\"", int64_t{2} << 30},
      {"\"100B\"", 100},      {"4096", 4096},              {"0", 0},
  };
  for (const auto& [written, bytes] : sizes) {
    ASSERT_TRUE(Load(std::string("[defaults]\nmax_log_size = ") + written + "\n")) << Rendered();
    EXPECT_EQ(config_.max_log_bytes, bytes) << written;
  }
  EXPECT_FALSE(Load("[defaults]\nmax_log_size = \"10 TB\"\n"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:2:16: error: 'defaults.max_log_size' is not a size: \"10 TB\" (hint: write a "
            "size like \"50MB\", \"512KB\", \"1GB\" or a number of bytes; 0: no cap)\n");
  EXPECT_FALSE(Load("[defaults]\nmax_log_size = -1\n"));
  EXPECT_NE(Rendered().find("'defaults.max_log_size' must not be negative"), std::string::npos) << Rendered();
}

TEST_F(ConfigTest, SecretsRedactListsVariableNames) {
  ASSERT_TRUE(Load("[secrets]\nredact = [\"MY_VAR\", \"DEPLOY_HOOK\"]\n")) << Rendered();
  EXPECT_EQ(config_.redact_variables, (std::vector<std::string>{"MY_VAR", "DEPLOY_HOOK"}));
  EXPECT_FALSE(Load("[secrets]\nredact = \"MY_VAR\"\n"));
  EXPECT_NE(Rendered().find("'secrets.redact' must be an array of strings"), std::string::npos) << Rendered();
}

TEST(ConfigProjectPathTest, ResolvesAgainstProjectDir) {
  Config config;
  config.project_dir = "/proj";
  EXPECT_EQ(config.ProjectPath("logs"), "/proj/logs");
  EXPECT_EQ(config.ProjectPath("./a/../.state/orchestration.db"), "/proj/.state/orchestration.db");
  EXPECT_EQ(config.ProjectPath("/var/log/x"), "/var/log/x");
}

TEST(ConfigAnonymousAgentsTest, ReplacesAgentsWithUntrackedDefaultType) {
  Config config;
  config.default_agent_type = "aider";
  config.agents.push_back({.id = "old", .type = "sim", .track = "t", .line = 4});
  UseAnonymousAgents(3, &config);
  ASSERT_EQ(config.agents.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(config.agents[i].id, "agent-" + std::to_string(i + 1));
    EXPECT_EQ(config.agents[i].type, "aider");
    EXPECT_EQ(config.agents[i].track, "");
  }
}

}  // namespace
}  // namespace orchestra
