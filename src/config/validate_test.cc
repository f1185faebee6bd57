#include "validate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "shared_fixture.h"
#include "test_paths.h"

namespace orchestra {
namespace {

Workstream Make(const std::string& id, std::vector<std::string> depends_on = {},
                const std::string& file = "") {
  Workstream workstream;
  workstream.id = id;
  workstream.file = file.empty() ? "ws/" + id + ".json" : file;
  workstream.line = 1;
  workstream.column = 1;
  workstream.depends_on = std::move(depends_on);
  return workstream;
}

AgentConfig Agent(const std::string& id, const std::string& type = "sim",
                  const std::string& track = "") {
  return AgentConfig{.id = id, .type = type, .track = track, .line = 0};
}

/// A config with one untracked sim agent, so only the checks under test speak.
Config OneAgent() {
  Config config;
  config.file = "orchestra.toml";
  config.agents = {Agent("agent-1")};
  return config;
}

TrackEntry Track(const std::string& track, std::vector<std::string> names, int line) {
  return TrackEntry{.track = track, .names = std::move(names), .line = line, .column = 1};
}

std::vector<std::string> Ids(const std::vector<Workstream>& workstreams) {
  std::vector<std::string> ids;
  for (const Workstream& workstream : workstreams) ids.push_back(workstream.id);
  return ids;
}

TEST(ValidateTest, AcceptsValidProjectAndSortsById) {
  std::vector<Workstream> workstreams = {Make("ws-c", {"ws-a"}), Make("ws-a"),
                                         Make("ws-b", {"ws-a", "ws-c"})};
  Diagnostics diagnostics;
  EXPECT_TRUE(ValidateProject(OneAgent(), &workstreams, &diagnostics)) << diagnostics.Render();
  EXPECT_EQ(diagnostics.Render(), "");
  EXPECT_EQ(Ids(workstreams), (std::vector<std::string>{"ws-a", "ws-b", "ws-c"}));
}

TEST(ValidateTest, ReportsDuplicateIdsNamingBothFiles) {
  std::vector<Workstream> workstreams = {Make("ws-a", {}, "a.json"), Make("ws-b"),
                                         Make("ws-a", {"ws-missing"}, "b.json")};
  workstreams[2].line = 4;
  workstreams[2].column = 3;
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(OneAgent(), &workstreams, &diagnostics));
  // The dropped duplicate's dependencies are not checked.
  EXPECT_EQ(diagnostics.Render(),
            "b.json:4:3: error: duplicate id 'ws-a': also defined in a.json:1:1 (hint: give each "
            "workstream its own id)\n");
  ASSERT_EQ(Ids(workstreams), (std::vector<std::string>{"ws-a", "ws-b"}));
  EXPECT_EQ(workstreams[0].file, "a.json");
}

TEST(ValidateTest, SortsIdsWithLongSharedPrefixesAndKeepsTheFirstOfARepeat) {
  // The sort's key holds an id's first 8 bytes: ids that share them, ids
  // shorter than 8, a byte above 0x7f (a validation error, but sorted first)
  // and repeats must still come out as a stable sort by the whole id.
  const std::vector<std::string> ids = {"workstream-b", "workstream-a", "n10",   "n2",
                                        "workstream-a", "n1",           "w\xc3\xa9", "workstreams",
                                        "workstream",   "n2"};
  std::vector<Workstream> workstreams;
  for (size_t at = 0; at < ids.size(); ++at) {
    workstreams.push_back(Make(ids[at], {}, "f" + std::to_string(at) + ".json"));
  }
  std::vector<Workstream> expected = workstreams;
  std::stable_sort(expected.begin(), expected.end(),
                   [](const Workstream& a, const Workstream& b) { return a.id < b.id; });
  expected.erase(std::unique(expected.begin(), expected.end(),
                             [](const Workstream& a, const Workstream& b) { return a.id == b.id; }),
                 expected.end());
  Diagnostics diagnostics;
  ValidateProject(OneAgent(), &workstreams, &diagnostics);
  ASSERT_EQ(Ids(workstreams), Ids(expected));
  for (size_t at = 0; at < expected.size(); ++at) EXPECT_EQ(workstreams[at].file, expected[at].file);
  EXPECT_NE(diagnostics.Render().find("f4.json:1:1: error: duplicate id 'workstream-a': also defined in f1.json:1:1"),
            std::string::npos);
  EXPECT_NE(diagnostics.Render().find("f9.json:1:1: error: duplicate id 'n2': also defined in f3.json:1:1"),
            std::string::npos);
}

TEST(ValidateTest, ReportsInvalidIds) {
  std::vector<Workstream> workstreams = {Make("-bad"), Make("has space"), Make("ok_1.2-x")};
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(OneAgent(), &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws/-bad.json:1:1: error: invalid workstream id '-bad' (hint: use letters, digits, '.', "
            "'_' and '-'; no leading '.' or '-')\n"
            "ws/has space.json:1:1: error: invalid workstream id 'has space' (hint: use letters, "
            "digits, '.', '_' and '-'; no leading '.' or '-')\n");
}

TEST(ValidateTest, SuggestsNearestIdForUnknownDependency) {
  std::vector<Workstream> workstreams = {Make("ws-xx"), Make("ws-b", {"ws-xy", "totally-else"}),
                                         Make("ws-c", {"ws-22"}),
                                         Make("ws-22-pipeline-plus-phase0-schema")};
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(OneAgent(), &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws/ws-b.json:1:1: error: ws-b depends on unknown workstream 'ws-xy' (hint: did you "
            "mean 'ws-xx'?)\n"
            "ws/ws-b.json:1:1: error: ws-b depends on unknown workstream 'totally-else'\n"
            "ws/ws-c.json:1:1: error: ws-c depends on unknown workstream 'ws-22' (hint: did you "
            "mean 'ws-22-pipeline-plus-phase0-schema'?)\n");
}

TEST(ValidateTest, ReportsSelfDependencyOnce) {
  std::vector<Workstream> workstreams = {Make("ws-a", {"ws-a"})};
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(OneAgent(), &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws/ws-a.json:1:1: error: ws-a depends on itself (hint: remove 'ws-a' from "
            "depends_on)\n");
}

TEST(ValidateTest, PrintsTwoCycle) {
  std::vector<Workstream> workstreams = {Make("ws-b", {"ws-a"}), Make("ws-a", {"ws-b"}),
                                         Make("ws-c", {"ws-a"})};
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(OneAgent(), &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws/ws-a.json:1:1: error: dependency cycle: ws-a -> ws-b -> ws-a (hint: remove one of "
            "these depends_on entries)\n");
}

TEST(ValidateTest, PrintsThreeCycleAndSelfLoopSeparately) {
  std::vector<Workstream> workstreams = {Make("ws-a", {"ws-a", "ws-b"}), Make("ws-b", {"ws-c"}),
                                         Make("ws-c", {"ws-a"})};
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(OneAgent(), &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws/ws-a.json:1:1: error: ws-a depends on itself (hint: remove 'ws-a' from "
            "depends_on)\n"
            "ws/ws-a.json:1:1: error: dependency cycle: ws-a -> ws-b -> ws-c -> ws-a (hint: "
            "remove one of these depends_on entries)\n");
}

TEST(ValidateTest, MatchTrackNameByExactIdOrUniquePrefix) {
  const std::vector<std::string> ids = {"ws-2", "ws-22-pipeline", "ws-3-a", "ws-3-b", "ws-4"};
  std::string match;
  std::vector<std::string> candidates;
  EXPECT_TRUE(MatchTrackName("ws-2", ids, &match, &candidates));
  EXPECT_EQ(match, "ws-2");
  EXPECT_TRUE(MatchTrackName("ws-22", ids, &match, &candidates));
  EXPECT_EQ(match, "ws-22-pipeline");
  EXPECT_TRUE(candidates.empty());
  EXPECT_FALSE(MatchTrackName("ws-3", ids, &match, &candidates));
  EXPECT_EQ(candidates, (std::vector<std::string>{"ws-3-a", "ws-3-b"}));
  EXPECT_FALSE(MatchTrackName("ws-5", ids, &match, &candidates));
  EXPECT_TRUE(candidates.empty());
}

TEST(ValidateTest, ShortTrackNameDoesNotMatchLongerNumber) {
  // "ws-2-" is not a prefix of "ws-22-x": ws-2 must not resolve to it.
  std::string match;
  std::vector<std::string> candidates;
  EXPECT_FALSE(MatchTrackName("ws-2", {"ws-22-x", "ws-23-y"}, &match, &candidates));
  EXPECT_TRUE(candidates.empty());
}

TEST(ValidateTest, AssignsTracksFromConfig) {
  Config config = OneAgent();
  config.agents.push_back(Agent("agent-pp", "sim", "pp"));
  config.tracks = {Track("pp", {"ws-22", "ws-23-phase1"}, 7)};
  std::vector<Workstream> workstreams = {Make("ws-22-phase0"), Make("ws-23-phase1"), Make("ws-24")};
  workstreams[1].track = "pp";  // same track in the file and in [tracks]: fine
  Diagnostics diagnostics;
  EXPECT_TRUE(ValidateProject(config, &workstreams, &diagnostics)) << diagnostics.Render();
  EXPECT_EQ(workstreams[0].track, "pp");
  EXPECT_EQ(workstreams[1].track, "pp");
  EXPECT_EQ(workstreams[2].track, "");
}

TEST(ValidateTest, ReportsTrackNamesMatchingNoneOrSeveral) {
  Config config = OneAgent();
  config.agents.push_back(Agent("agent-pp", "sim", "pp"));
  config.tracks = {Track("pp", {"ws-3", "ws-31", "ws-2"}, 7)};
  std::vector<Workstream> workstreams = {Make("ws-3-a"), Make("ws-3-b"), Make("ws-30-x"),
                                         Make("ws-22-x"), Make("ws-1-y"), Make("ws-4"),
                                         Make("ws-5"), Make("ws-600-z")};
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(config, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "orchestra.toml:7:1: error: track 'pp': 'ws-3' matches several workstreams: ws-3-a, "
            "ws-3-b (hint: write the full id)\n"
            "orchestra.toml:7:1: error: track 'pp': 'ws-31' matches no workstream (hint: nearest "
            "ids: ws-1-y, ws-3-a, ws-3-b, ws-30-x, ws-22-x)\n"
            "orchestra.toml:7:1: error: track 'pp': 'ws-2' matches no workstream (hint: nearest "
            "ids: ws-1-y, ws-22-x, ws-3-a, ws-3-b, ws-4)\n"
            "orchestra.toml: warning: agent 'agent-pp' is bound to track 'pp', which has no "
            "workstreams (hint: check the track name; the agent still runs untracked work)\n");
}

TEST(ValidateTest, ReportsWorkstreamInTwoTracksOrConflictingWithItsFile) {
  Config config = OneAgent();
  config.agents.push_back(Agent("agent-a", "sim", "a"));
  config.agents.push_back(Agent("agent-b", "sim", "b"));
  config.tracks = {Track("a", {"ws-1", "ws-2"}, 7), Track("b", {"ws-1"}, 8)};
  std::vector<Workstream> workstreams = {Make("ws-1"), Make("ws-2")};
  workstreams[1].track = "b";
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(config, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "orchestra.toml:8:1: error: workstream 'ws-1' is in two tracks: 'a' and 'b' (hint: "
            "list it in one track only)\n"
            "ws/ws-2.json:1:1: error: ws-2 sets track 'b' but [tracks] in orchestra.toml:7:1 puts "
            "it in 'a' (hint: keep one of the two)\n");
}

TEST(ValidateTest, ReportsTrackWithoutAgentOnce) {
  Config config = OneAgent();
  config.tracks = {Track("pipeline_plus", {"ws-1", "ws-2"}, 9)};
  std::vector<Workstream> workstreams = {Make("ws-1"), Make("ws-2"), Make("ws-3")};
  workstreams[2].track = "docs";
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(config, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws/ws-3.json:1:1: error: track 'docs' has 1 workstream but no agent is bound to it "
            "(hint: add an [[agents]] entry with track = \"docs\")\n"
            "orchestra.toml:9:1: error: track 'pipeline_plus' has 2 workstreams but no agent is "
            "bound to it (hint: add an [[agents]] entry with track = \"pipeline_plus\")\n");
}

TEST(ValidateTest, WarnsAboutAgentBoundToEmptyTrack) {
  Config config = OneAgent();
  config.agents.push_back(Agent("agent-2", "sim", "pipline_plus"));
  config.agents.back().line = 12;
  std::vector<Workstream> workstreams = {Make("ws-1")};
  Diagnostics diagnostics;
  EXPECT_TRUE(ValidateProject(config, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "orchestra.toml:12:1: warning: agent 'agent-2' is bound to track 'pipline_plus', "
            "which has no workstreams (hint: check the track name; the agent still runs "
            "untracked work)\n");
}

TEST(ValidateTest, WorkstreamsValidateWithoutAgents) {
  Config config;
  std::vector<Workstream> workstreams = {Make("ws-1"), Make("ws-2")};
  workstreams[1].track = "api";
  Diagnostics diagnostics;
  EXPECT_TRUE(ValidateProject(config, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(), "");
}

TEST(ValidateTest, NoAgentsIsAWarningOrAnErrorAsTheCommandNeeds) {
  Config config;
  std::vector<Workstream> workstreams = {Make("ws-1")};
  Diagnostics warned;
  EXPECT_TRUE(CheckAgentsConfigured(config, workstreams, Severity::kWarning, &warned));
  EXPECT_EQ(warned.Render(),
            "orchestra.toml: warning: no agents configured: `orchestra run` will need [[agents]] "
            "in orchestra.toml or --agents N\n");
  Diagnostics refused;
  EXPECT_FALSE(CheckAgentsConfigured(config, workstreams, Severity::kError, &refused));
  EXPECT_EQ(refused.Render(),
            "orchestra.toml: error: no agents configured: add [[agents]] to orchestra.toml or pass "
            "--agents N\n");
  Diagnostics quiet;
  EXPECT_TRUE(CheckAgentsConfigured(config, {}, Severity::kError, &quiet));
  EXPECT_TRUE(CheckAgentsConfigured(OneAgent(), workstreams, Severity::kError, &quiet));
  EXPECT_EQ(quiet.Render(), "");
}

TEST(ValidateTest, AConfigThatCouldNotBeParsedAddsNoAgentComplaints) {
  Config config;
  config.file_parsed = false;  // its own error says why
  std::vector<Workstream> workstreams = {Make("ws-1")};
  Diagnostics diagnostics;
  EXPECT_TRUE(CheckAgentsConfigured(config, workstreams, Severity::kError, &diagnostics));
  workstreams[0].track = "api";
  UseAnonymousAgents(1, &config);
  EXPECT_TRUE(ValidateProject(config, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(), "");
}

TEST(ValidateTest, RefusesAProgramFilledInFromTheWorkstream) {
  Config config = OneAgent();
  config.agent_types["files"] = AgentType{.name = "files", .kind = "command", .argv = {"{files}"}};
  config.agents = {AgentConfig{.id = "agent-1", .type = "files", .track = "", .line = 7}};
  Diagnostics diagnostics;
  EXPECT_FALSE(CheckAgentTypes(config, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "orchestra.toml:7:1: error: agent type 'files' has a placeholder in its program: "
            "argv[0] is '{files}' (hint: write the program itself first, e.g. argv = "
            "[\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"]: workstream data must not choose "
            "what runs, and with an empty files_scope {files} leaves no program)\n");
}

TEST(ValidateTest, LeavesAMissingArgvToTheConfigLoader) {
  Config config = OneAgent();
  config.agents = {Agent("agent-1", "command")};  // the built-in, without argv
  Diagnostics diagnostics;
  EXPECT_TRUE(CheckAgentTypes(config, &diagnostics));
  EXPECT_EQ(diagnostics.Render(), "");
}

TEST(ValidateTest, ReportsWorkstreamNoAgentCanRun) {
  Config config = OneAgent();
  config.agents.push_back(Agent("agent-pp", "sim", "pp"));
  std::vector<Workstream> workstreams = {Make("ws-1"), Make("ws-2")};
  workstreams[0].agent_type = "reviewer";
  workstreams[1].agent_type = "reviewer";
  workstreams[1].track = "pp";
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(config, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws/ws-1.json:1:1: error: ws-1 requires agent type 'reviewer' but the agents are of "
            "type sim (hint: add an [[agents]] entry with type = \"reviewer\", or change its agent "
            "field)\n"
            "ws/ws-2.json:1:1: error: ws-2 requires agent type 'reviewer' but the agents of track "
            "'pp' are of type sim (hint: add an [[agents]] entry with type = \"reviewer\" and "
            "track = \"pp\", or change its agent field)\n");
}

TEST(ValidateTest, HonorToolRestrictsAgents) {
  Config config = OneAgent();
  std::vector<Workstream> workstreams = {Make("ws-1")};
  workstreams[0].tool = "aider";
  Diagnostics diagnostics;
  EXPECT_TRUE(ValidateProject(config, &workstreams, &diagnostics)) << diagnostics.Render();

  config.honor_tool = true;
  EXPECT_FALSE(AgentCanRun(config, config.agents[0], workstreams[0]));
  EXPECT_TRUE(AgentCanRun(config, Agent("agent-2", "aider"), workstreams[0]));
  EXPECT_FALSE(ValidateProject(config, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.Render(),
            "ws/ws-1.json:1:1: error: ws-1 names tool 'aider' and honor_tool is on, but the agents "
            "are of type sim (hint: add an [[agents]] entry with type = \"aider\", or set "
            "honor_tool = false)\n");

  config.agents.push_back(Agent("agent-2", "aider"));
  Diagnostics fixed;
  EXPECT_TRUE(ValidateProject(config, &workstreams, &fixed)) << fixed.Render();
}

TEST(ValidateTest, AgentCanRunChecksTrackAndType) {
  const Config config;
  Workstream workstream = Make("ws-1");
  EXPECT_TRUE(AgentCanRun(config, Agent("a", "sim", "t"), workstream));  // untracked work
  workstream.track = "t";
  EXPECT_TRUE(AgentCanRun(config, Agent("a", "sim", "t"), workstream));
  EXPECT_FALSE(AgentCanRun(config, Agent("a", "sim", "u"), workstream));
  EXPECT_FALSE(AgentCanRun(config, Agent("a", "sim"), workstream));
  workstream.agent_type = "aider";
  EXPECT_FALSE(AgentCanRun(config, Agent("a", "sim", "t"), workstream));
  EXPECT_TRUE(AgentCanRun(config, Agent("a", "aider", "t"), workstream));
}

TEST(ValidateTest, FillsDefaults) {
  Config config = OneAgent();
  config.estimate_hours = 4;
  config.timeout_seconds = 600;
  config.max_attempts = 7;
  std::vector<Workstream> workstreams = {Make("ws-1"), Make("ws-2")};
  workstreams[1].estimate_hours = 1.5;
  workstreams[1].estimate_source = EstimateSource::kField;
  workstreams[1].timeout_seconds = 60;
  workstreams[1].max_attempts = 1;
  Diagnostics diagnostics;
  EXPECT_TRUE(ValidateProject(config, &workstreams, &diagnostics)) << diagnostics.Render();
  EXPECT_EQ(workstreams[0].estimate_hours, 4);
  EXPECT_EQ(workstreams[0].estimate_source, EstimateSource::kDefault);
  EXPECT_EQ(workstreams[0].timeout_seconds, 600);
  EXPECT_EQ(workstreams[0].max_attempts, 7);
  EXPECT_EQ(workstreams[1].estimate_hours, 1.5);
  EXPECT_EQ(workstreams[1].estimate_source, EstimateSource::kField);
  EXPECT_EQ(workstreams[1].timeout_seconds, 60);
  EXPECT_EQ(workstreams[1].max_attempts, 1);
}

TEST(ValidateTest, NearestIdNeedsToBeReasonablyClose) {
  const std::vector<std::string> ids = {"ws-alpha", "ws-beta", "ws-22-x", "ws-22-y"};
  EXPECT_EQ(NearestId("ws-alpah", ids), "ws-alpha");
  EXPECT_EQ(NearestId("ws-bet", ids), "ws-beta");
  EXPECT_EQ(NearestId("something-else", ids), "");
  EXPECT_EQ(NearestId("ws-22-z", ids), "ws-22-x");  // ties go to the first id
}

TEST(ValidateTest, ReportsEveryProblemInOnePass) {
  Config config = OneAgent();
  config.tracks = {Track("t", {"nothing-like-it"}, 3)};
  std::vector<Workstream> workstreams = {Make("ws-a", {"ws-b"}), Make("ws-b", {"ws-a"}),
                                         Make("ws-c", {"ws-d"}), Make(".hidden"),
                                         Make("ws-a", {}, "copy.json")};
  Diagnostics diagnostics;
  EXPECT_FALSE(ValidateProject(config, &workstreams, &diagnostics));
  EXPECT_EQ(diagnostics.ErrorCount(), 5) << diagnostics.Render();
}

/// The ids of the workstreams in `folder` (file name = id), sorted.
std::vector<std::string> IdsOfFiles(const std::string& folder) {
  std::vector<std::string> ids;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".json") ids.push_back(entry.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(ValidateTest, MatchesShortTrackNamesAgainstUpstreamIds) {
  const std::string upstream = testing::SharedFixture("upstream-workstreams");
  if (upstream.empty()) return;  // skipped
  const std::vector<std::string> ids = IdsOfFiles(upstream + "/valid");
  ASSERT_EQ(ids.size(), 37u);
  std::string match;
  std::vector<std::string> candidates;
  for (int number = 22; number <= 30; ++number) {
    const std::string name = "ws-" + std::to_string(number);
    ASSERT_TRUE(MatchTrackName(name, ids, &match, &candidates)) << name;
    EXPECT_TRUE(match.starts_with(name + "-pipeline-plus-")) << match;
  }
  EXPECT_TRUE(MatchTrackName("ws-22", ids, &match, &candidates));
  EXPECT_EQ(match, "ws-22-pipeline-plus-phase0-schema");
  // Upstream numbers are zero-padded: nothing starts with "ws-1-" or "ws-2-".
  EXPECT_FALSE(MatchTrackName("ws-1", ids, &match, &candidates));
  EXPECT_TRUE(candidates.empty());
  EXPECT_FALSE(MatchTrackName("ws-2", ids, &match, &candidates));
  EXPECT_TRUE(candidates.empty());
  EXPECT_TRUE(MatchTrackName("ws-test-001", ids, &match, &candidates));
  EXPECT_EQ(match, "ws-test-001");
}

// The same on our own files, numbered the upstream way (ws-01-..., ws-10-...).
TEST(ValidateTest, MatchesShortTrackNamesAgainstOurFixtureIds) {
  const std::vector<std::string> ids = IdsOfFiles(std::string(ORCHESTRA_TEST_FIXTURES_DIR) + "/workstreams/tracked");
  ASSERT_EQ(ids, (std::vector<std::string>{"ws-01-schema", "ws-02-storage", "ws-03-api", "ws-10-cli",
                                           "ws-11-docs", "ws-12-release", "ws-test-001",
                                           "ws-test-pipeline"}));
  const std::pair<const char*, const char*> unique[] = {
      {"ws-01", "ws-01-schema"}, {"ws-02", "ws-02-storage"}, {"ws-03", "ws-03-api"},
      {"ws-10", "ws-10-cli"},    {"ws-11", "ws-11-docs"},    {"ws-12", "ws-12-release"},
      {"ws-test-001", "ws-test-001"},  // an exact id wins
  };
  std::string match;
  std::vector<std::string> candidates;
  for (const auto& [name, id] : unique) {
    match.clear();
    EXPECT_TRUE(MatchTrackName(name, ids, &match, &candidates)) << name;
    EXPECT_EQ(match, id) << name;
    EXPECT_TRUE(candidates.empty()) << name;
  }
  // Zero-padded numbers: nothing starts with "ws-1-", "ws-3-" or "ws-0-".
  for (const char* name : {"ws-1", "ws-3", "ws-0"}) {
    EXPECT_FALSE(MatchTrackName(name, ids, &match, &candidates)) << name;
    EXPECT_TRUE(candidates.empty()) << name;
  }
  EXPECT_FALSE(MatchTrackName("ws-test", ids, &match, &candidates));
  EXPECT_EQ(candidates, (std::vector<std::string>{"ws-test-001", "ws-test-pipeline"}));
}

}  // namespace
}  // namespace orchestra
