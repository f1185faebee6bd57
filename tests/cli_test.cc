// Integration tests of the command line: diagnostics, usage errors, exit codes
// and every command, on small projects in temporary folders.
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_harness.h"
#include "project_builder.h"
#include "test_paths.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

/// Writes `<dir>/workstreams/<file>.json` for workstream `id`; `extra` is
/// inserted into the object.
void WriteWorkstream(const std::string& dir, const std::string& file, const std::string& id,
                     const std::vector<std::string>& depends_on, const std::string& extra = "") {
  std::string deps;
  for (const std::string& dependency : depends_on) deps += (deps.empty() ? "\"" : ", \"") + dependency + "\"";
  std::string text = "{\n  \"id\": \"" + id + "\",\n  \"tasks\": [\"do " + id + "\"],\n  \"depends_on\": [" + deps + "]";
  if (!extra.empty()) text += ",\n  " + extra;
  WriteFile(dir + "/workstreams/" + file + ".json", text + "\n}\n");
}

/// A project with only workstream files: a, then b and c after it, each with
/// an estimate of one hour (0.05 s on the default sim agent).
void WriteSimProject(const std::string& dir) {
  WriteWorkstream(dir, "a", "a", {}, "\"estimate_hours\": 1");
  WriteWorkstream(dir, "b", "b", {"a"}, "\"estimate_hours\": 1");
  WriteWorkstream(dir, "c", "c", {"a"}, "\"estimate_hours\": 1");
}

bool Contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

bool Matches(const std::string& text, const std::string& pattern) {
  return std::regex_search(text, std::regex(pattern));
}

CommandResult RunWithEnvironment(const std::string& cwd, const std::string& assignment,
                                 const std::vector<std::string>& args) {
  std::vector<std::string> argv{"env", assignment, ORCHESTRA_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(cwd, argv);
}

TEST(CliTest, CycleIsPrintedWithItsPosition) {
  TempDir project;
  WriteWorkstream(project.path(), "a", "a", {"b"});
  WriteWorkstream(project.path(), "b", "b", {"c"});
  WriteWorkstream(project.path(), "c", "c", {"a"});
  CommandResult result = RunOrchestra(project.path(), {"--agents", "1", "validate"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  // Cycles start at the smallest id and follow depends_on.
  EXPECT_TRUE(Matches(result.err, R"(workstreams/a\.json:\d+:\d+: error: dependency cycle: a -> b -> c -> a)"))
      << result.err;
  EXPECT_TRUE(Contains(result.err, "nothing was run")) << result.err;
}

TEST(CliTest, EveryProblemIsReportedInOneRun) {
  TempDir project;
  WriteWorkstream(project.path(), "alpha", "alpha", {});
  WriteWorkstream(project.path(), "alpha-again", "alpha", {});
  WriteWorkstream(project.path(), "beta", "beta", {"alpah"});
  WriteWorkstream(project.path(), "spaced", "has space", {});
  WriteWorkstream(project.path(), "self", "self", {"self"});
  WriteWorkstream(project.path(), "lonely", "lonely", {}, "\"track\": \"nobody\"");
  CommandResult result = RunOrchestra(project.path(), {"--agents", "1", "validate"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  const std::string& err = result.err;
  EXPECT_TRUE(Matches(err, R"(workstreams/beta\.json:\d+:\d+: error: .*'alpah'.*did you mean 'alpha'\?)")) << err;
  EXPECT_TRUE(Matches(err, R"(workstreams/alpha\.json:\d+:\d+: error: duplicate id 'alpha'.*alpha-again\.json)") ||
              Matches(err, R"(workstreams/alpha-again\.json:\d+:\d+: error: duplicate id 'alpha'.*alpha\.json)"))
      << err;
  EXPECT_TRUE(Matches(err, R"(workstreams/spaced\.json:\d+:\d+: error: .*has space)")) << err;
  EXPECT_TRUE(Matches(err, R"(workstreams/self\.json:\d+:\d+: error: self depends on itself)")) << err;
  EXPECT_TRUE(Matches(err, R"(:\d+:\d+: error: track 'nobody' has 1 workstream but no agent is bound to it)")) << err;
  EXPECT_TRUE(Contains(err, "5 error(s)")) << err;
  EXPECT_FALSE(fs::exists(project / ".state")) << "validation created state";
}

TEST(CliTest, MalformedConfigIsReportedWithItsPosition) {
  TempDir project;
  WriteWorkstream(project.path(), "a", "a", {});
  WriteFile(project / "orchestra.toml", "[defaults]\nmax_attempts = 3\n[[agents]\nid = \"x\"\n");
  CommandResult result = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_TRUE(Matches(result.err, R"(orchestra\.toml:3:\d+: error: )")) << result.err;
}

TEST(CliTest, VersionNamesTheProjectVersion) {
  TempDir folder;
  CommandResult result = RunOrchestra(folder.path(), {"--version"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "orchestra " ORCHESTRA_VERSION "\n");
}

TEST(CliTest, AnAgentProgramThatCannotStartIsCaughtBeforeAnythingRuns) {
  TempDir project;
  WriteWorkstream(project.path(), "a", "a", {});
  WriteFile(project / "not-executable.sh", "#!/bin/sh\n");
  WriteFile(project / "orchestra.toml",
            "[agent_types.missing]\nkind = \"command\"\nargv = [\"no-such-agent-program\", \"{id}\"]\n"
            "[agent_types.flat]\nkind = \"command\"\nargv = [\"./not-executable.sh\"]\n"
            "[[agents]]\nid = \"one\"\ntype = \"missing\"\n"
            "[[agents]]\nid = \"two\"\ntype = \"flat\"\n");
  const std::string expected =
      "orchestra.toml:7:1: error: agent 'one' runs 'no-such-agent-program', which is not on PATH (hint: install "
      "no-such-agent-program, or fix argv[0] in [agent_types.missing])\n"
      "orchestra.toml:10:1: error: agent 'two' runs '" + project.path() + "/not-executable.sh', which is not an "
      "executable file (hint: fix argv[0] in [agent_types.flat] (a relative path is relative to the config "
      "file's folder), or `chmod +x` it)\n"
      "orchestra: 2 error(s), 0 warning(s); nothing was run\n";
  CommandResult validate = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(validate.exit_code, 2);
  EXPECT_EQ(validate.err, expected);
  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, expected);
  EXPECT_FALSE(std::filesystem::exists(project / ".state/orchestration.db"));  // nothing ran
  // `plan` only warns: planning needs no agent program.
  CommandResult plan = RunOrchestra(project.path(), {"plan"});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_TRUE(Contains(plan.err, "agent 'one' runs 'no-such-agent-program', which is not on PATH; `orchestra run` "
                                 "would fail"))
      << plan.err;
}

TEST(CliTest, ADependencyThatFailedToLoadIsNamedAsSuchAndTyposGetASuggestion) {
  TempDir project;
  WriteWorkstream(project.path(), "ws-b", "ws-b", {}, "\"estimate_hours\": \"soon\"");
  WriteWorkstream(project.path(), "ws-c", "ws-c", {"ws-b", "ws-d"}, "\"depend_on\": [\"ws-b\"]");
  CommandResult result = RunOrchestra(project.path(), {"--agents", "1", "validate"});
  EXPECT_EQ(result.exit_code, 2);
  // ws-b exists but did not load; ws-d is unknown, and ws-c never suggests itself.
  EXPECT_TRUE(Contains(result.err, "error: ws-c depends on 'ws-b', which failed to load (hint: fix the errors "
                                   "reported for 'ws-b')\n"))
      << result.err;
  EXPECT_TRUE(Contains(result.err, "error: ws-c depends on unknown workstream 'ws-d'\n")) << result.err;
  EXPECT_TRUE(Contains(result.err, "warning: unknown field 'depend_on' is kept but not used (hint: did you mean "
                                   "'depends_on'?)\n"))
      << result.err;
}

TEST(CliTest, AMissingConfigFileIsTheOnlyComplaint) {
  TempDir project;
  WriteWorkstream(project.path(), "a", "a", {});
  CommandResult result = RunOrchestra(project.path(), {"--config", "nope.toml", "validate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "nope.toml: error: config file not found (hint: check the --config path, or leave it out to use the "
            "defaults)\norchestra: 1 error(s), 0 warning(s); nothing was run\n");
}

TEST(CliTest, UsageErrorsExitTwo) {
  TempDir project;
  WriteSimProject(project.path());
  EXPECT_EQ(RunOrchestra(project.path(), {"frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunOrchestra(project.path(), {"--json"}).exit_code, 2);  // options, no command
  EXPECT_EQ(RunOrchestra(project.path(), {"--frobnicate", "validate"}).exit_code, 2);
  EXPECT_EQ(RunOrchestra(project.path(), {"validate", "--frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunOrchestra(project.path(), {"--agents", "0", "validate"}).exit_code, 2);
  EXPECT_FALSE(fs::exists(project / ".state"));
}

TEST(CliTest, UnknownCommandIsNamedInTheError) {
  TempDir project;
  CommandResult result = RunOrchestra(project.path(), {"frobnicate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(Contains(result.err, "frobnicate")) << result.err;
}

TEST(CliTest, ValidateWithoutAgentsWarnsAndRunRefuses) {
  TempDir project;
  WriteSimProject(project.path());
  WriteWorkstream(project.path(), "api", "api", {}, "\"track\": \"api\"");
  CommandResult validate = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
  EXPECT_EQ(validate.out, "4 workstreams, 0 agents: valid\n");
  EXPECT_EQ(validate.err,
            "orchestra.toml: warning: no agents configured: `orchestra run` will need [[agents]] in "
            "orchestra.toml or --agents N\n");

  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_TRUE(Contains(run.err, "error: no agents configured: add [[agents]] to orchestra.toml or pass --agents N"))
      << run.err;
  EXPECT_TRUE(Contains(run.err, "nothing was run")) << run.err;
  EXPECT_FALSE(Contains(run.err, "warning: no agents")) << run.err;
  EXPECT_FALSE(fs::exists(project / ".state"));
}

TEST(CliTest, RunOfAnUnknownWorkstreamSuggestsTheNearestId) {
  TempDir project;
  WriteSimProject(project.path());
  WriteWorkstream(project.path(), "deploy", "deploy-service", {});
  CommandResult result = RunOrchestra(project.path(), {"--agents", "1", "run", "deploy-servise"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_TRUE(Contains(result.err, "unknown workstream 'deploy-servise'")) << result.err;
  EXPECT_TRUE(Contains(result.err, "did you mean 'deploy-service'?")) << result.err;
  EXPECT_FALSE(fs::exists(project / ".state/orchestration.db"));
}

TEST(CliTest, PlanShowsWavesCriticalPathAndAgentOrder) {
  TempDir project;
  WriteSimProject(project.path());
  WriteWorkstream(project.path(), "d", "d", {"b"}, "\"estimate_hours\": 3");
  CommandResult result = RunOrchestra(project.path(), {"--agents", "2", "plan"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string& out = result.out;
  EXPECT_TRUE(Contains(out, "Wave 1 (1): a\n")) << out;
  EXPECT_TRUE(Contains(out, "Wave 2 (2): b c\n")) << out;
  EXPECT_TRUE(Contains(out, "Wave 3 (1): d\n")) << out;
  EXPECT_TRUE(Contains(out, "Critical path (5.0h): a -> b -> d")) << out;
  EXPECT_TRUE(Matches(out, R"(agent-1 \(sim\): \d+ workstreams)")) << out;
  EXPECT_TRUE(Matches(out, R"(agent-2 \(sim\): \d+ workstreams)")) << out;
  // Each agent's workstreams are listed at their predicted start: a first.
  EXPECT_TRUE(Matches(out, R"(0\.0 - +1\.0  a\n)")) << out;
  EXPECT_FALSE(fs::exists(project / ".state"));
}

TEST(CliTest, PlanNamesAFewOfTheWorkstreamsWithoutAnEstimate) {
  TempDir project;
  for (const char* id : {"a", "b", "c", "d", "e", "f", "g"}) WriteWorkstream(project.path(), id, id, {});
  WriteWorkstream(project.path(), "h", "h", {}, "\"estimate_hours\": 1");
  CommandResult result = RunOrchestra(project.path(), {"--agents", "2", "plan"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Seven of them: five named, the rest counted (the JSON output lists all).
  EXPECT_TRUE(Contains(result.out, "\n7 workstream(s) have no estimate and use the default of 2.0h: "
                                   "a, b, c, d, e and 2 more\n"))
      << result.out;
  fs::remove(project / "workstreams/f.json");
  fs::remove(project / "workstreams/g.json");
  result = RunOrchestra(project.path(), {"--agents", "2", "plan"});
  EXPECT_TRUE(Contains(result.out, "\n5 workstream(s) have no estimate and use the default of 2.0h: a, b, c, d, e\n"))
      << result.out;
}

TEST(CliTest, RunWithEverythingCompletedSaysSoAndRecordsNoRun) {
  TempDir project;
  WriteSimProject(project.path());
  ASSERT_EQ(RunOrchestra(project.path(), {"--agents", "1", "run", "b"}).exit_code, 0);
  // b and its dependency a are done; c is not, so only `run b` has nothing to do.
  CommandResult selected = RunOrchestra(project.path(), {"--agents", "1", "run", "b"});
  EXPECT_EQ(selected.exit_code, 0) << selected.err;
  EXPECT_EQ(selected.out, "nothing to run: every selected workstream is completed\n");
  EXPECT_EQ(selected.err, "");
  const std::string state = project / ".state/orchestration.db";
  EXPECT_EQ(Sqlite3(state, "SELECT COUNT(*) FROM runs").out, "1\n");

  ASSERT_EQ(RunOrchestra(project.path(), {"--agents", "1", "run"}).exit_code, 0);
  CommandResult all = RunOrchestra(project.path(), {"--agents", "1", "run"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "nothing to run: every workstream is completed\n");
  EXPECT_EQ(Sqlite3(state, "SELECT COUNT(*) FROM runs").out, "2\n");
}

TEST(CliTest, PlanOfAPartlyDoneProjectPlansWhatIsLeftAndAllPlansEverything) {
  TempDir project;
  WriteSimProject(project.path());
  WriteWorkstream(project.path(), "d", "d", {"b"}, "\"estimate_hours\": 3");
  ASSERT_EQ(RunOrchestra(project.path(), {"--agents", "1", "run", "b"}).exit_code, 0);
  CommandResult left = RunOrchestra(project.path(), {"--agents", "1", "plan"});
  ASSERT_EQ(left.exit_code, 0) << left.err;
  EXPECT_TRUE(Contains(left.out, "Plan: 2 of 4 workstreams left (2 completed; --all plans them all), 1 agents, "
                                 "2 waves\n\nWave 1 (1): c\nWave 2 (1): d\n\nCritical path (3.0h): d\n"))
      << left.out;
  EXPECT_FALSE(Contains(left.out, "  a\n")) << left.out;
  const nlohmann::json json = nlohmann::json::parse(RunOrchestra(project.path(), {"--agents", "1", "plan", "--json"}).out);
  EXPECT_EQ(json["completed"], nlohmann::json::array({"a", "b"}));
  EXPECT_EQ(json["order"].size(), 4u);

  CommandResult all = RunOrchestra(project.path(), {"--agents", "1", "plan", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  ASSERT_EQ(RunOrchestra(project.path(), {"--agents", "1", "run"}).exit_code, 0);
  CommandResult done = RunOrchestra(project.path(), {"--agents", "1", "plan"});
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(done.out, "Nothing left to plan: every workstream is completed (`orchestra plan --all` plans them all)\n");
  EXPECT_TRUE(Contains(all.out, "Plan: 4 workstreams, 1 agents, 3 waves\n\nWave 1 (1): a\nWave 2 (2): b c\n"
                                "Wave 3 (1): d\n\nCritical path (5.0h): a -> b -> d\n"))
      << all.out;
}

TEST(CliTest, DryRunPrintsThePlanAndCreatesNoState) {
  TempDir project;
  WriteSimProject(project.path());
  CommandResult plan = RunOrchestra(project.path(), {"--agents", "2", "plan"});
  CommandResult dry_run = RunOrchestra(project.path(), {"--agents", "2", "run", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(dry_run.exit_code, 0) << dry_run.err;
  EXPECT_EQ(dry_run.out, plan.out);
  EXPECT_FALSE(fs::exists(project / ".state"));
  EXPECT_FALSE(fs::exists(project / "logs"));
  EXPECT_FALSE(fs::exists(project / "reports"));
}

TEST(CliTest, StatusBeforeAnyRunFailsClearlyWithoutCreatingState) {
  TempDir project;
  WriteSimProject(project.path());
  CommandResult result = RunOrchestra(project.path(), {"status"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(Contains(result.err, "nothing has run yet")) << result.err;
  EXPECT_FALSE(fs::exists(project / ".state"));
  CommandResult logs = RunOrchestra(project.path(), {"logs", "a"});
  EXPECT_NE(logs.exit_code, 0);
  EXPECT_FALSE(fs::exists(project / ".state"));
}

TEST(CliTest, StatusAndLogsAfterARun) {
  TempDir project;
  WriteSimProject(project.path());
  CommandResult run = RunOrchestra(project.path(), {"--agents", "2", "run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  CommandResult status = RunOrchestra(project.path(), {"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const nlohmann::json json = nlohmann::json::parse(status.out);
  EXPECT_EQ(json["totals"]["completed"], 3);
  EXPECT_EQ(json["totals"]["failed"], 0);
  ASSERT_EQ(json["workstreams"].size(), 3u);
  for (const nlohmann::json& row : json["workstreams"]) EXPECT_EQ(row["status"], "completed") << row.dump();

  CommandResult text = RunOrchestra(project.path(), {"status"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_TRUE(Contains(text.out, "3 completed")) << text.out;

  CommandResult logs = RunOrchestra(project.path(), {"logs", "b"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_TRUE(Contains(logs.out, "orchestra: argv:")) << logs.out;
  EXPECT_TRUE(Contains(logs.out, "sim agent: b done")) << logs.out;

  CommandResult unknown = RunOrchestra(project.path(), {"logs", "nosuch"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_TRUE(Contains(unknown.err, "'nosuch'")) << unknown.err;
  EXPECT_TRUE(unknown.out.empty()) << unknown.out;
}

TEST(CliTest, LogsRefusesAnAttemptNumberBelowOne) {
  TempDir project;
  WriteSimProject(project.path());
  ASSERT_EQ(RunOrchestra(project.path(), {"--agents", "1", "run", "a"}).exit_code, 0);
  for (const char* number : {"-5", "0"}) {
    CommandResult logs = RunOrchestra(project.path(), {"logs", "a", "--attempt", number});
    EXPECT_EQ(logs.exit_code, 2) << number;
    EXPECT_EQ(logs.err, std::string("--attempt: attempts are numbered from 1, so ") + number +
                            " is not one\nRun with --help for more information.\n");
    EXPECT_EQ(logs.out, "");
  }
}

TEST(CliTest, LogsTakesShortIdsLikeRun) {
  TempDir project;
  WriteWorkstream(project.path(), "first", "ws-1-first", {}, "\"estimate_hours\": 1");
  WriteWorkstream(project.path(), "second", "ws-2-second", {"ws-1-first"}, "\"estimate_hours\": 1");
  CommandResult run = RunOrchestra(project.path(), {"--agents", "1", "run", "ws-1"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  CommandResult logs = RunOrchestra(project.path(), {"logs", "ws-1"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_TRUE(Contains(logs.out, "sim agent: ws-1-first done")) << logs.out;
  CommandResult unknown = RunOrchestra(project.path(), {"logs", "ws-3"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err, "orchestra: unknown workstream 'ws-3'\n");
  CommandResult never_ran = RunOrchestra(project.path(), {"logs", "ws-2"});
  EXPECT_EQ(never_ran.exit_code, 2);
  EXPECT_TRUE(Contains(never_ran.err, "no attempts recorded for 'ws-2-second'")) << never_ran.err;
}

TEST(CliTest, ResetNeedsConfirmationThenEverythingRunsAgain) {
  TestProject project;
  project.AddWorkstream("one", {});
  project.AddWorkstream("two", {"one"});
  project.WriteConfig({{"agent-1", ""}});
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 0);
  ASSERT_EQ(project.Events().size(), 4u);

  // No --yes and stdin is not a terminal: nothing changes.
  CommandResult refused = RunOrchestra(project.path(), {"reset"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_TRUE(Contains(refused.err, "--yes")) << refused.err;
  EXPECT_EQ(project.Statuses()["two"], "completed");

  CommandResult reset = RunOrchestra(project.path(), {"reset", "--yes"});
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_TRUE(project.Statuses().empty());
  EXPECT_EQ(Sqlite3(project.StatePath(), "SELECT COUNT(*) FROM attempts").out, "0\n");

  CommandResult again = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  std::map<std::string, int> starts;
  for (const AgentEvent& event : project.Events()) starts[event.id] += event.kind == "start";
  EXPECT_EQ(starts["one"], 2);
  EXPECT_EQ(starts["two"], 2);
}

TEST(CliTest, DirectoryOptionWorksFromAnotherFolder) {
  TestProject project;
  project.AddWorkstream("here", {});
  project.WriteConfig({{"agent-1", ""}});
  TempDir elsewhere;
  CommandResult result = RunOrchestra(elsewhere.path(), {"-C", project.path(), "run"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(project.Statuses()["here"], "completed");
  EXPECT_TRUE(fs::exists(project / "reports/execution_report.md"));
  EXPECT_TRUE(fs::is_empty(elsewhere.path())) << "files were written to the caller's folder";
  CommandResult status = RunOrchestra(elsewhere.path(), {"-C", project.path(), "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(Contains(status.out, "here")) << status.out;
}

TEST(CliTest, StateOptionPutsTheDatabaseWhereAsked) {
  TestProject project;
  project.AddWorkstream("stored", {});
  project.WriteConfig({{"agent-1", ""}});
  CommandResult result = RunOrchestra(project.path(), {"--state", "custom/place.db", "run"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_TRUE(fs::exists(project / "custom/place.db"));
  EXPECT_FALSE(fs::exists(project.StatePath()));
  EXPECT_EQ(Sqlite3(project / "custom/place.db", "SELECT status FROM workstream_status").out, "completed\n");
  EXPECT_EQ(RunOrchestra(project.path(), {"status", "--state", "custom/place.db"}).exit_code, 0);

  // With -C, a relative --state is relative to where the user is.
  TempDir elsewhere;
  CommandResult moved = RunOrchestra(elsewhere.path(), {"-C", project.path(), "--state", "mine.db", "run"});
  EXPECT_EQ(moved.exit_code, 0) << moved.out << moved.err;
  EXPECT_TRUE(fs::exists(elsewhere / "mine.db"));
  EXPECT_FALSE(fs::exists(project / "mine.db"));
}

TEST(CliTest, OutputHasNoColorWithoutATerminalOrWithNoColor) {
  TestProject project;
  project.AddWorkstream("fine", {});
  project.AddWorkstream("broken", {}, "\"max_attempts\": 1");
  project.AddWorkstream("after", {"broken"});
  project.SetFailures("broken", 1);
  project.WriteConfig({{"agent-1", ""}});
  CommandResult plain = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(plain.exit_code, 1) << plain.out << plain.err;
  EXPECT_FALSE(Contains(plain.out + plain.err, "\033")) << plain.out;

  ASSERT_EQ(RunOrchestra(project.path(), {"reset", "--yes"}).exit_code, 0);
  CommandResult no_color = RunWithEnvironment(project.path(), "NO_COLOR=1", {"run"});
  EXPECT_EQ(no_color.exit_code, 1) << no_color.out << no_color.err;
  EXPECT_FALSE(Contains(no_color.out + no_color.err, "\033")) << no_color.out;
  CommandResult status = RunWithEnvironment(project.path(), "NO_COLOR=1", {"status"});
  EXPECT_FALSE(Contains(status.out + status.err, "\033")) << status.out;
  EXPECT_FALSE(Contains(ReadFile(project / "logs/orchestrator.log"), "\033"));
}

TEST(CliTest, FailureExitsOneAndTheSummaryListsFailedAndBlocked) {
  TestProject project;
  project.AddWorkstream("good", {});
  project.AddWorkstream("bad", {}, "\"max_attempts\": 1");
  project.AddWorkstream("after-bad", {"bad"});
  project.SetFailures("bad", 99);
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}});
  CommandResult result = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_TRUE(Matches(result.out, R"((^|\n)bad +failed )")) << result.out;
  EXPECT_TRUE(Matches(result.out, R"((^|\n)after-bad +blocked )")) << result.out;
  EXPECT_TRUE(Matches(result.out, R"((^|\n)good +completed )")) << result.out;
  EXPECT_TRUE(Contains(result.out, "3 workstreams: 1 completed, 1 failed, 1 blocked")) << result.out;
  EXPECT_TRUE(Contains(result.out, "retry --failed")) << result.out;
}

TEST(CliTest, AgentsOptionRunsSimAgentsWithoutAConfig) {
  TempDir project;
  WriteSimProject(project.path());
  WriteWorkstream(project.path(), "d", "d", {}, "\"estimate_hours\": 1");
  ASSERT_FALSE(fs::exists(project / "orchestra.toml"));
  CommandResult result = RunOrchestra(project.path(), {"--agents", "3", "run"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const std::string state = project / ".state/orchestration.db";
  EXPECT_EQ(Sqlite3(state, "SELECT COUNT(*) FROM workstream_status WHERE status = 'completed'").out, "4\n");
  EXPECT_EQ(Sqlite3(state, "SELECT COUNT(*) FROM attempts WHERE agent_id NOT IN ('agent-1', 'agent-2', 'agent-3')").out,
            "0\n");
  EXPECT_TRUE(Contains(ReadFile(project / "logs/workstreams/d/attempt-1.log"), "sim agent: d done"));
}

TEST(CliTest, SimAgentFailsTheInjectedAttemptsThenSucceeds) {
  TempDir project;
  WriteWorkstream(project.path(), "ws-a", "ws-a", {});
  WriteWorkstream(project.path(), "ws-b", "ws-b", {"ws-a"});
  WriteFile(project / "orchestra.toml",
            "[defaults]\nbackoff = \"0.1s\"\n\n"
            "[agent_types.sim]\ntime_scale = 0.01\nfail = [\"ws-b\"]\nfail_attempts = 1\n\n"
            "[[agents]]\nid = \"agent-1\"\ntype = \"sim\"\n");
  CommandResult result = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const std::string state = project / ".state/orchestration.db";
  EXPECT_EQ(Sqlite3(state, "SELECT attempt, outcome FROM attempts WHERE workstream_id = 'ws-b' ORDER BY id").out,
            "1|failed\n2|succeeded\n");
  EXPECT_EQ(Sqlite3(state, "SELECT attempt, outcome FROM attempts WHERE workstream_id = 'ws-a'").out,
            "1|succeeded\n");
  CommandResult first = RunOrchestra(project.path(), {"logs", "ws-b", "--attempt", "1"});
  EXPECT_TRUE(Contains(first.out, "injected failure")) << first.out;
}

TEST(CliTest, JsonNestedAHundredThousandLevelsDeepIsRefusedWithoutACrash) {
  TempDir project;
  const size_t arrays = 100000 - 2;  // inside the object and its metadata
  WriteFile(project / "workstreams/deep.json", R"({"id":"ws-d","metadata":{"x":)" + std::string(arrays, '[') +
                                                   std::string(arrays, ']') + "}}");
  CommandResult result = RunOrchestra(project.path(), {"--agents", "1", "validate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "workstreams/deep.json:1:540: error: arrays and objects nested deeper than 512 levels (hint: a "
            "workstream needs a few levels; flatten this value)\n"
            "orchestra: 1 error(s), 0 warning(s); nothing was run\n");
}

TEST(CliTest, AConfigThatCannotBeParsedIsTheOnlyComplaint) {
  TempDir project;
  WriteSimProject(project.path());
  WriteFile(project / "orchestra.toml", "[defaults]\nmax_attempts = [1\n");
  for (const std::string command : {"validate", "run"}) {
    CommandResult result = RunOrchestra(project.path(), {command});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_EQ(result.err,
              "orchestra.toml:2:19: error: Error while parsing array: encountered end-of-file\n"
              "orchestra: 1 error(s), 0 warning(s); nothing was run\n")
        << command;
  }
}

TEST(CliTest, AnEmptyArgvIsReportedOnce) {
  TempDir project;
  WriteSimProject(project.path());
  WriteFile(project / "orchestra.toml", "[agent_types.x]\nkind = \"command\"\nargv = []\n\n[[agents]]\nid = \"a1\"\ntype = \"x\"\n");
  CommandResult result = RunOrchestra(project.path(), {"validate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "orchestra.toml:1:1: error: agent type 'x' of kind command needs a non-empty argv (hint: for example "
            "argv = [\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"])\n"
            "orchestra: 1 error(s), 0 warning(s); nothing was run\n");
}

TEST(CliTest, FilesAsTheProgramIsRefusedBeforeAnythingRuns) {
  TempDir project;
  WriteWorkstream(project.path(), "a", "a", {});  // no files_scope: {files} would leave no program
  WriteFile(project / "orchestra.toml",
            "[agent_types.x]\nkind = \"command\"\nargv = [\"{files}\"]\n\n[[agents]]\nid = \"a1\"\ntype = \"x\"\n");
  for (const std::string command : {"validate", "run"}) {
    CommandResult result = RunOrchestra(project.path(), {command});
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_EQ(result.err,
              "orchestra.toml:5:1: error: agent type 'x' has a placeholder in its program: argv[0] is '{files}' "
              "(hint: write the program itself first, e.g. argv = [\"./tools/agent.sh\", \"{id}\", "
              "\"{prompt_file}\"]: workstream data must not choose what runs, and with an empty files_scope "
              "{files} leaves no program)\n"
              "orchestra: 1 error(s), 0 warning(s); nothing was run\n")
        << command;
  }
  EXPECT_FALSE(fs::exists(project / ".state"));
}

TEST(CliTest, AgentsOptionIsCappedWithAUsageError) {
  TempDir project;
  WriteSimProject(project.path());
  CommandResult result = RunOrchestra(project.path(), {"--agents", "1000000", "plan"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "--agents: must be a whole number from 1 to 1024, not 1000000\n"
            "Run with --help for more information.\n");
  CommandResult most = RunOrchestra(project.path(), {"--agents", "1024", "validate"});
  EXPECT_EQ(most.exit_code, 0) << most.err;
  EXPECT_EQ(most.out, "3 workstreams, 1024 agents: valid\n");
}

}  // namespace
}  // namespace orchestra::testing
