#include "routes.h"

#include <gtest/gtest.h>

#include "project.h"
#include "temp_dir.h"

namespace orchestra {
namespace {

using testing::TempDir;

constexpr const char* kTypes = R"([agent_types.reviewer]
kind = "command"
argv = ["./tools/review.sh", "{id}"]

[[agents]]
id = "agent-1"
type = "sim"
)";

/// A project folder: orchestra.toml is kTypes plus the routes under test, and
/// workstreams ws-01, ws-02, ws-10 and auth-api.
class RoutesTest : public ::testing::Test {
 protected:
  RoutesTest() {
    for (const char* id : {"ws-01", "ws-02", "ws-10", "auth-api"}) {
      dir_.Write(std::string("workstreams/") + id + ".json", std::string("{\"id\": \"") + id + "\"}");
    }
  }

  bool Load(const std::string& routes) {
    dir_.Write("orchestra.toml", std::string(kTypes) + routes);
    ProjectOptions options;
    options.directory = dir_.path();
    project_ = Project();
    diagnostics_ = Diagnostics();
    return LoadProject(options, &project_, &diagnostics_);
  }

  /// The diagnostics with the temp folder left out of the file names.
  std::string Rendered() const {
    std::string text = diagnostics_.Render();
    const std::string file = DisplayPath(dir_ / "orchestra.toml");
    for (size_t at = text.find(file); at != std::string::npos; at = text.find(file)) {
      text.replace(at, file.size(), "orchestra.toml");
    }
    return text;
  }

  /// The name of the type that runs workstream `id` on agent-1.
  std::string TypeOf(const std::string& id) const {
    const AgentType* type = project_.TypeFor(project_.graph->IndexOf(id), project_.config.agents[0]);
    return type ? type->name : "(none)";
  }

  TempDir dir_;
  Project project_;
  Diagnostics diagnostics_;
};

TEST(RoutePatternTest, GlobsAndShortIds) {
  const std::vector<std::string> ids{"ws-01-a", "ws-02-b", "ws-1", "auth-api"};
  EXPECT_TRUE(RoutePatternMatches("ws-0*", "ws-01-a", ids));
  EXPECT_FALSE(RoutePatternMatches("ws-0*", "ws-1", ids));
  EXPECT_TRUE(RoutePatternMatches("ws-?", "ws-1", ids));
  EXPECT_FALSE(RoutePatternMatches("ws-?", "ws-01-a", ids));
  EXPECT_TRUE(RoutePatternMatches("ws-01", "ws-01-a", ids));  // the short id, as in [tracks]
  EXPECT_TRUE(RoutePatternMatches("auth-api", "auth-api", ids));
  EXPECT_TRUE(RoutePatternMatches("auth", "auth-api", ids));  // only auth-api starts with "auth-"
  EXPECT_FALSE(RoutePatternMatches("ws", "ws-01-a", ids));      // several ids start with "ws-"
}

TEST_F(RoutesTest, FirstMatchingRouteDecidesTheType) {
  ASSERT_TRUE(Load(R"(
[[routes]]
workstreams = ["ws-0*"]
agent_type = "reviewer"

[[routes]]
workstreams = ["auth-api", "ws-10"]
argv = ["execute-pattern", "PAT-X", "--workstream", "{id}"]
)")) << diagnostics_.Render();
  EXPECT_EQ(diagnostics_.Render(), "");
  EXPECT_EQ(TypeOf("ws-01"), "reviewer");
  EXPECT_EQ(TypeOf("ws-02"), "reviewer");
  EXPECT_EQ(TypeOf("ws-10"), "argv:execute-pattern");
  EXPECT_EQ(TypeOf("auth-api"), "argv:execute-pattern");
  const AgentType* argv_type = project_.TypeFor(project_.graph->IndexOf("auth-api"), project_.config.agents[0]);
  EXPECT_EQ(argv_type->kind, "command");
  EXPECT_EQ(argv_type->argv, (std::vector<std::string>{"execute-pattern", "PAT-X", "--workstream", "{id}"}));
}

TEST_F(RoutesTest, WithoutRoutesTheAgentsTypeRuns) {
  ASSERT_TRUE(Load("")) << diagnostics_.Render();
  EXPECT_EQ(TypeOf("ws-01"), "sim");
  EXPECT_FALSE(project_.HasRoutes());
}

TEST_F(RoutesTest, RelativeArgvProgramIsNextToTheConfig) {
  ASSERT_TRUE(Load("[[routes]]\nworkstreams = [\"auth-api\"]\nargv = [\"./tools/x.sh\", \"{id}\"]\n"));
  EXPECT_EQ(project_.config.routes[0].argv_type.argv[0], dir_ / "tools/x.sh");
  EXPECT_EQ(TypeOf("auth-api"), "argv:x.sh");
}

TEST_F(RoutesTest, TwoRoutesForOneWorkstreamWarnAndTheFirstWins) {
  ASSERT_TRUE(Load(R"(
[[routes]]
workstreams = ["ws-01"]
agent_type = "reviewer"

[[routes]]
workstreams = ["ws-*"]
agent_type = "sim"
)")) << diagnostics_.Render();
  EXPECT_EQ(Rendered(),
            "orchestra.toml:13:1: warning: workstream 'ws-01' is matched by two routes: [\"ws-01\"] (line 9) and "
            "[\"ws-*\"] (line 13); the first one wins (hint: narrow the patterns so each workstream matches one "
            "route)\n");
  EXPECT_EQ(TypeOf("ws-01"), "reviewer");
  EXPECT_EQ(TypeOf("ws-02"), "sim");
}

TEST_F(RoutesTest, ARouteMatchingNothingIsAnError) {
  EXPECT_FALSE(Load("[[routes]]\nworkstreams = [\"db-*\", \"billing\"]\nagent_type = \"reviewer\"\n"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:8:1: error: route [\"db-*\", \"billing\"] matches no workstream (hint: check the ids "
            "against the workstreams folder (short ids and globs with * and ? work))\n");
}

TEST_F(RoutesTest, AShortIdMatchingSeveralIsAnError) {
  EXPECT_FALSE(Load("[[routes]]\nworkstreams = [\"ws\"]\nagent_type = \"reviewer\"\n"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:8:1: error: route [\"ws\"]: 'ws' matches several workstreams: ws-01, ws-02, ws-10 "
            "(hint: write the full id, or a glob such as \"ws-*\")\n"
            "orchestra.toml:8:1: error: route [\"ws\"] matches no workstream (hint: check the ids against the "
            "workstreams folder (short ids and globs with * and ? work))\n");
}

TEST_F(RoutesTest, ConfigErrors) {
  EXPECT_FALSE(Load(R"(
[[routes]]
workstreams = ["ws-01"]
agent_type = "nope"

[[routes]]
workstreams = ["ws-02"]

[[routes]]
agent_type = "reviewer"
argv = ["x"]

[[routes]]
workstreams = []
argv = []

[[routes]]
workstreams = "ws-01"
agent_type = "sim"
colour = "blue"
)"));
  EXPECT_EQ(Rendered(),
            "orchestra.toml:11:14: error: unknown agent type 'nope' for route at line 9 (hint: known types: aider, "
            "claude, codex, command, gemini, reviewer, sim)\n"
            "orchestra.toml:13:1: error: route at line 13 has neither agent_type nor argv (hint: add agent_type = "
            "\"NAME\" (known types: aider, claude, codex, command, gemini, reviewer, sim) or argv = [\"PROGRAM\", \"{id}\"])\n"
            "orchestra.toml:16:1: error: route at line 16 has no workstreams (hint: add workstreams = [\"ws-01\", "
            "\"auth-*\"] (ids, short ids or globs))\n"
            "orchestra.toml:16:1: error: route at line 16 has both agent_type and argv (hint: keep one of the two)\n"
            "orchestra.toml:21:15: error: route at line 20 lists no workstreams (hint: write workstreams = "
            "[\"ws-01\", \"auth-*\"] (ids, short ids or globs))\n"
            "orchestra.toml:22:8: error: route at line 20 has an empty argv (hint: write argv = "
            "[\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"])\n"
            "orchestra.toml:25:15: error: 'routes.workstreams' must be an array of strings, not a string (hint: "
            "write [\"...\", \"...\"])\n"
            "orchestra.toml:27:1: warning: unknown key 'routes.colour' ignored (hint: known keys: workstreams, "
            "agent_type, argv)\n");
}

}  // namespace
}  // namespace orchestra
