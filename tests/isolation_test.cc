// Integration tests for isolation and merge-back: real git repositories in
// temporary folders, the real binary, and agents that are small shell scripts
// editing files in their worktrees.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_harness.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

// The agent every test project uses: records its start and end (with the
// worktree it ran in) outside the repository, keeps a copy of its prompt, and
// runs `scripts/<id>.sh` (also outside) in its working folder.
const char kAgentScript[] = R"SH(#!/bin/sh
id="$1"
out="$ORCHESTRA_TEST_OUT"
echo "start $id $ORCHESTRA_ATTEMPT $(date +%s%N) $(pwd)" >> "$out/events.log"
cp "$ORCHESTRA_PROMPT_FILE" "$out/prompts/$id-$ORCHESTRA_ATTEMPT.md"
status=0
if [ -f "$out/scripts/$id.sh" ]; then
  sh "$out/scripts/$id.sh" || status=$?
fi
echo "end $id $ORCHESTRA_ATTEMPT $(date +%s%N)" >> "$out/events.log"
exit $status
)SH";

/// One agent start or end from events.log.
struct Event {
  std::string kind;
  std::string id;
  int attempt = 0;
  long long time_ns = 0;
  std::string workdir;  // starts only
};

/// GitProject is a git repository holding an Orchestra project (committed, so
/// the user's checkout starts clean), plus a folder outside it for the test's
/// agent scripts, event log and prompt copies.
class GitProject {
 public:
  GitProject() {
    Git({"init", "-q", "-b", "main"});
    Git({"config", "user.name", "Test User"});
    Git({"config", "user.email", "user@example.com"});
    WriteFile(outside_ / "agent.sh", kAgentScript, true);
    WriteFile(outside_ / "events.log", "");
    fs::create_directories(outside_ / "prompts");
    fs::create_directories(outside_ / "scripts");
    WriteFile(repo_ / "README.md", "project\n");
  }

  const std::string& path() const { return repo_.path(); }
  std::string operator/(const std::string& relative) const { return repo_ / relative; }
  std::string Outside(const std::string& relative) const { return outside_ / relative; }

  /// Runs git in the repository; fails the test when git fails.
  std::string Git(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"git", "-C", repo_.path()};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult result = RunCommand("/", argv);
    EXPECT_EQ(result.exit_code, 0) << "git failed: " << result.err;
    return result.out;
  }
  std::string Rev(const std::string& revision) {
    std::string out = Git({"rev-parse", revision});
    return out.substr(0, out.find('\n'));
  }
  /// `path` as committed on `branch`.
  std::string Show(const std::string& branch, const std::string& file) {
    return RunCommand("/", {"git", "-C", repo_.path(), "show", branch + ":" + file}).out;
  }

  /// workstreams/<id>.json with `extra` fields.
  void AddWorkstream(const std::string& id, const std::string& extra = "") {
    std::string text = "{\n  \"id\": \"" + id + "\",\n  \"title\": \"Do " + id + "\"";
    if (!extra.empty()) text += ",\n  " + extra;
    text += "\n}\n";
    WriteFile(repo_ / ("workstreams/" + id + ".json"), text);
  }
  /// What the agent does for `id`: a shell script run in its working folder.
  void SetScript(const std::string& id, const std::string& script) {
    WriteFile(outside_ / ("scripts/" + id + ".sh"), script);
  }
  /// orchestra.toml with `agents` script agents and `defaults` appended to [defaults].
  void WriteConfig(int agents, const std::string& defaults = "") {
    std::string text = "[defaults]\nbackoff = \"0.1s\"\nkill_grace = \"1s\"\nmax_attempts = 3\n" + defaults +
                       "\n[agent_types.script]\nkind = \"command\"\nargv = [\"" + outside_ / "agent.sh" +
                       "\", \"{id}\"]\nenv = { ORCHESTRA_TEST_OUT = \"" + outside_.path() + "\" }\n\n";
    for (int agent = 1; agent <= agents; ++agent) {
      text += "[[agents]]\nid = \"agent-" + std::to_string(agent) + "\"\ntype = \"script\"\n\n";
    }
    WriteFile(repo_ / "orchestra.toml", text);
  }
  /// Commits everything in the user's checkout.
  void CommitAll(const std::string& message = "project") {
    Git({"add", "-A"});
    Git({"commit", "-q", "-m", message});
  }

  std::vector<Event> Events() const {
    std::vector<Event> events;
    for (const std::string& line : ReadLines(outside_ / "events.log")) {
      std::istringstream in(line);
      Event event;
      in >> event.kind >> event.id >> event.attempt >> event.time_ns >> event.workdir;
      events.push_back(event);
    }
    return events;
  }
  std::string Prompt(const std::string& id, int attempt) const {
    return ReadFile(outside_ / ("prompts/" + id + "-" + std::to_string(attempt) + ".md"));
  }
  std::string Sql(const std::string& query) const {
    return Sqlite3(repo_ / ".state/orchestration.db", query).out;
  }

 private:
  TempDir repo_;
  TempDir outside_;
};

TEST(IsolationTest, IsolationDefaultsToWorktreeOnlyAtTheTopOfARepository) {
  GitProject project;
  project.AddWorkstream("ws-a");
  project.WriteConfig(1);
  project.CommitAll();
  CommandResult plan = RunOrchestra(project.path(), {"plan", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(nlohmann::json::parse(plan.out)["isolation"], "worktree");

  // A project in a subfolder of a repository runs in place, as before.
  fs::create_directories(project / "sub/workstreams");
  fs::copy(project / "workstreams/ws-a.json", project / "sub/workstreams/ws-a.json");
  plan = RunOrchestra(project / "sub", {"--agents", "1", "plan", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(nlohmann::json::parse(plan.out)["isolation"], "none");

  // Asking for worktrees outside a repository is a usage error.
  TempDir plain;
  WriteFile(plain / "workstreams/ws-a.json", "{\"id\": \"ws-a\"}\n");
  WriteFile(plain / "orchestra.toml", "[defaults]\nisolation = \"worktree\"\n");
  CommandResult refused = RunOrchestra(plain.path(), {"--agents", "1", "run"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("isolation = \"worktree\" needs the project folder to be the top level"),
            std::string::npos)
      << refused.err;
}

TEST(IsolationTest, PlanShowsTheGroupsSerialisedByOverlappingScopes) {
  GitProject project;
  project.AddWorkstream("ws-aim", "\"files_scope\": [\"aim/\"], \"estimate_hours\": 2");
  project.AddWorkstream("ws-aim-script", "\"files_scope\": [\"scripts/aim_*.py\"], \"estimate_hours\": 2");
  project.AddWorkstream("ws-bridge", "\"files_create\": [\"aim/bridge.py\"], \"estimate_hours\": 2");
  project.AddWorkstream("ws-scripts", "\"files_scope\": [\"scripts/aim_status.py\"], \"estimate_hours\": 2");
  project.AddWorkstream("ws-docs", "\"files_scope\": [\"docs/\"], \"estimate_hours\": 2");
  project.WriteConfig(5);
  project.CommitAll();
  CommandResult plan = RunOrchestra(project.path(), {"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("Serialised by overlapping file scopes (2 overlapping pair(s)"), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("  ws-aim ws-bridge\n"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("  ws-aim-script ws-scripts\n"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("predicted finish with these agents 4.0h"), std::string::npos) << plan.out;

  CommandResult json = RunOrchestra(project.path(), {"plan", "--json"});
  nlohmann::json parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["scope_groups"].size(), 2u);
  EXPECT_EQ(parsed["scope_conflicts"].size(), 2u);

  // Without serialising, five agents run all five at once.
  project.WriteConfig(5, "serialize_overlapping_scopes = false\n");
  json = RunOrchestra(project.path(), {"plan", "--json"});
  parsed = nlohmann::json::parse(json.out);
  EXPECT_TRUE(parsed["scope_groups"].empty());
  EXPECT_EQ(parsed["makespan_hours"], 2.0);
}

}  // namespace
}  // namespace orchestra::testing
