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
// runs `scripts/<id>.sh` (also outside) in its working folder. Scripts wait
// for each other with WaitFor (below) to prove concurrency without timing.
const char kAgentScript[] = R"SH(#!/bin/sh
id="$1"
out="$ORCHESTRA_TEST_OUT"
echo "start $id $ORCHESTRA_ATTEMPT $(date +%s%N) $(pwd)" >> "$out/events.log"
touch "$out/started-$id"
cp "$ORCHESTRA_PROMPT_FILE" "$out/prompts/$id-$ORCHESTRA_ATTEMPT.md"
status=0
if [ -f "$out/scripts/$id.sh" ]; then
  sh "$out/scripts/$id.sh" || status=$?
fi
echo "end $id $ORCHESTRA_ATTEMPT $(date +%s%N)" >> "$out/events.log"
exit $status
)SH";

/// Shell that waits (at most 20 s) until one of `ids` has started.
std::string WaitFor(const std::vector<std::string>& ids) {
  std::string test;
  for (const std::string& id : ids) test += (test.empty() ? "" : " || ") + ("[ -f \"$ORCHESTRA_TEST_OUT/started-" + id + "\" ]");
  return "for i in $(seq 400); do if " + test + "; then break; fi; sleep 0.05; done\n";
}

/// The one line `output` holds, without its newline; fails the test (and
/// returns `output` as it is) unless that is all there is.
std::string OnlyLine(const std::string& output) {
  const bool one_line = !output.empty() && output.find('\n') == output.size() - 1;
  EXPECT_TRUE(one_line) << "expected one line, got: '" << output << "'";
  return one_line ? output.substr(0, output.size() - 1) : output;
}

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
  std::string Rev(const std::string& revision) { return OnlyLine(Git({"rev-parse", revision})); }
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

/// Everything of the user's checkout a run must leave alone: HEAD, the index
/// file, `git status`, and every file of the working tree (including untracked
/// and ignored ones) but Orchestra's own: the `.orchestra/` folder and the
/// state, logs and reports, which git ignores through .git/info/exclude.
std::string CheckoutSnapshot(GitProject& project) {
  std::ostringstream snapshot;
  snapshot << "index " << std::hash<std::string>{}(ReadFile(project / ".git/index")) << "\n";
  snapshot << "HEAD " << ReadFile(project / ".git/HEAD") << project.Rev("HEAD") << "\n";
  snapshot << "status\n" << project.Git({"status", "--porcelain", "--untracked-files=all"});
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(project.path()); it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() &&
        (name == ".git" || name == ".orchestra" || name == ".state" || name == "logs" || name == "reports") &&
        it->path().parent_path() == fs::path(project.path())) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) {
      files.push_back(fs::relative(it->path(), project.path()).string() + " " +
                      std::to_string(std::hash<std::string>{}(ReadFile(it->path().string()))) + " " +
                      std::to_string(static_cast<int>(fs::status(it->path()).permissions())));
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) snapshot << file << "\n";
  return snapshot.str();
}

/// True when the [start, end] intervals of two workstreams' attempts overlap.
bool RanTogether(const std::vector<Event>& events, const std::string& a, const std::string& b) {
  std::map<std::pair<std::string, int>, std::pair<long long, long long>> spans;
  for (const Event& event : events) {
    auto& span = spans[{event.id, event.attempt}];
    (event.kind == "start" ? span.first : span.second) = event.time_ns;
  }
  for (const auto& [key_a, span_a] : spans) {
    for (const auto& [key_b, span_b] : spans) {
      if (key_a.first == a && key_b.first == b && span_a.first < span_b.second && span_b.first < span_a.second) {
        return true;
      }
    }
  }
  return false;
}


TEST(IsolationTest, ParallelWorkstreamsLandOnTheIntegrationBranchAndTheCheckoutIsUntouched) {
  GitProject project;
  for (const char* id : {"ws-a", "ws-b", "ws-c"}) {
    const std::string name = std::string(id).substr(3);
    project.AddWorkstream(id, "\"files_scope\": [\"" + name + "/\"]");
    // Each waits until the others have started: they must run at once.
    project.SetScript(id, WaitFor({"ws-a"}) + WaitFor({"ws-b"}) + WaitFor({"ws-c"}) + "mkdir -p " + name +
                              "\necho 'made by " + id + "' > " + name + "/file.txt\n");
  }
  project.WriteConfig(3);
  project.CommitAll();
  // The user is in the middle of something: staged, unstaged and untracked work.
  WriteFile(project / "README.md", "unstaged edit\n");
  WriteFile(project / "staged.txt", "staged\n");
  project.Git({"add", "staged.txt"});
  WriteFile(project / "notes/untracked.txt", "mine\n");
  const std::string main_before = project.Rev("main");
  const std::string before = CheckoutSnapshot(project);

  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("3 workstream(s) merged into orchestra/integration; `orchestra land` brings them into main"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(CheckoutSnapshot(project), before);
  EXPECT_EQ(project.Rev("main"), main_before);
  // Orchestra's files are there, ignored (.orchestra/ holds only empty folders now).
  EXPECT_EQ(project.Git({"status", "--porcelain", "--ignored", "--", ".orchestra", ".state", "logs", "reports"}),
            "!! .state/\n!! logs/\n!! reports/\n");

  for (const char* id : {"ws-a", "ws-b", "ws-c"}) {
    const std::string name = std::string(id).substr(3);
    EXPECT_EQ(project.Show("orchestra/integration", name + "/file.txt"), std::string("made by ") + id + "\n");
    // Merged worktrees are removed; the branch stays for `orchestra diff`.
    EXPECT_FALSE(fs::exists(project / (".orchestra/worktrees/" + std::string(id))));
    EXPECT_EQ(project.Git({"log", "-1", "--format=%s%n%b", std::string("orchestra/") + id}),
              std::string(id) + ": Do " + id + "\nOrchestra-Agent: " +
                  OnlyLine(project.Sql(std::string("SELECT agent_id FROM attempts WHERE workstream_id = '") + id + "'")) +
                  "\nOrchestra-Attempt: 1\n\n");
  }
  // History: one merge commit per workstream on top of the user's HEAD.
  const std::string merges = project.Git({"log", "--first-parent", "--format=%s", "orchestra/integration"});
  EXPECT_EQ(std::count(merges.begin(), merges.end(), '\n'), 4) << merges;
  EXPECT_NE(merges.find("Merge ws-a: Do ws-a"), std::string::npos) << merges;
  EXPECT_EQ(project.Git({"merge-base", "orchestra/integration", "main"}), main_before + "\n");
  const std::vector<Event> events = project.Events();
  EXPECT_TRUE(RanTogether(events, "ws-a", "ws-b") && RanTogether(events, "ws-b", "ws-c") &&
              RanTogether(events, "ws-a", "ws-c"));
  for (const Event& event : events) {
    if (event.kind == "start") {
      EXPECT_EQ(event.workdir, project / (".orchestra/worktrees/" + event.id));
    }
  }
  EXPECT_EQ(project.Sql("SELECT COUNT(*) FROM attempts WHERE outcome = 'succeeded' AND merge_commit IS NOT NULL"),
            "3\n");
}

TEST(IsolationTest, ADependentStartsFromItsDependencysMergedWork) {
  GitProject project;
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"]");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"], \"depends_on\": [\"ws-a\"]");
  project.SetScript("ws-a", "echo from-a > a.txt\n");
  project.SetScript("ws-b", "cat a.txt > b.txt\necho and-b >> b.txt\n");
  project.WriteConfig(2);
  project.CommitAll();
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "from-a\nand-b\n");
}

TEST(IsolationTest, AConflictIsRetriedFromTheNewIntegrationHeadWithTheConflictInThePrompt) {
  GitProject project;
  // No declared scopes, so nothing serialises them: both edit README.md at once.
  project.AddWorkstream("ws-a");
  project.AddWorkstream("ws-b");
  project.SetScript("ws-a", "echo 'line from a' > README.md\n");
  // ws-b waits until ws-a is merged, so ws-b's first merge is the one that conflicts.
  project.SetScript("ws-b",
                    "for i in $(seq 400); do git show orchestra/integration:README.md | grep -q 'line from a' "
                    "&& break; sleep 0.05; done\n"
                    "if grep -q 'line from a' README.md; then echo 'line from b' >> README.md; "
                    "else echo 'line from b' > README.md; fi\n");
  project.WriteConfig(2);
  project.CommitAll();
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(project.Show("orchestra/integration", "README.md"), "line from a\nline from b\n");
  // ws-b's second attempt made the last merge: the integration branch's head.
  EXPECT_EQ(project.Sql("SELECT attempt, outcome, IFNULL(conflict_paths, '-'), IFNULL(merge_commit, '-') "
                        "FROM attempts WHERE workstream_id = 'ws-b' ORDER BY id"),
            "1|conflict|README.md|-\n2|succeeded|-|" + project.Rev("orchestra/integration") + "\n");
  // The failed merge never moved the integration branch: created (with no
  // message), ws-a, ws-b; newest first.
  const std::string reflog = project.Git({"reflog", "show", "--format=%gs", "refs/heads/orchestra/integration"});
  EXPECT_EQ(reflog, "orchestra: merge ws-b\norchestra: merge ws-a\n\n");
  EXPECT_EQ(std::count(reflog.begin(), reflog.end(), '\n'), 3) << reflog;
  const std::string prompt = project.Prompt("ws-b", 2);
  EXPECT_NE(prompt.find("The previous attempt failed"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("merge conflict with orchestra/integration in: README.md"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("ws-a: Do ws-a"), std::string::npos) << prompt;  // the other side
}

TEST(IsolationTest, OverlappingScopesNeverRunAtTheSameTime) {
  GitProject project;
  project.AddWorkstream("ws-dir", "\"files_scope\": [\"src/\"]");
  project.AddWorkstream("ws-glob", "\"files_scope\": [\"src/*.py\"]");
  project.AddWorkstream("ws-file", "\"files_create\": [\"src/new.py\"]");
  project.AddWorkstream("ws-docs", "\"files_scope\": [\"docs/\"]");
  for (const char* id : {"ws-dir", "ws-glob", "ws-file", "ws-docs"}) {
    const std::string dir = std::string(id) == "ws-docs" ? "docs" : "src";
    const std::string file = std::string(id) == "ws-file" ? "src/new.py" : dir + "/" + std::string(id).substr(3) + ".py";
    // ws-docs waits for a src workstream to start and they wait for ws-docs:
    // it overlaps at least one of them, whatever the machine's speed.
    const std::string wait = std::string(id) == "ws-docs" ? WaitFor({"ws-dir", "ws-glob", "ws-file"})
                                                          : WaitFor({"ws-docs"});
    project.SetScript(id, wait + "sleep 0.2\nmkdir -p " + dir + "\necho " + id + " > " + file + "\n");
  }
  project.WriteConfig(4);
  project.CommitAll();
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::vector<Event> events = project.Events();
  EXPECT_FALSE(RanTogether(events, "ws-dir", "ws-glob"));
  EXPECT_FALSE(RanTogether(events, "ws-dir", "ws-file"));
  EXPECT_FALSE(RanTogether(events, "ws-glob", "ws-file"));
  EXPECT_TRUE(RanTogether(events, "ws-docs", "ws-dir") || RanTogether(events, "ws-docs", "ws-glob") ||
              RanTogether(events, "ws-docs", "ws-file"));
}

TEST(IsolationTest, AnAgentThatWritesIntoTheMainCheckoutIsReportedNotFailed) {
  GitProject project;
  project.AddWorkstream("ws-stray");
  project.AddWorkstream("ws-clean");
  // From its worktree (.orchestra/worktrees/ws-stray), ../../.. is the user's checkout.
  project.SetScript("ws-stray", "echo mine > mine.txt\necho stray > ../../../stray.txt\n"
                                "echo edited >> ../../../README.md\n");
  project.SetScript("ws-clean", "echo mine > clean.txt\n");
  project.WriteConfig(1);  // one at a time: each change has one possible author
  project.CommitAll();
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string message = "attempt 1 of ws-stray: files outside its worktree changed in the main checkout " +
                              project.path() + " while its agent ran: README.md, stray.txt (unless you made them)";
  EXPECT_EQ(project.Sql("SELECT workstream_id, agent_id, message FROM execution_log WHERE event_type = 'wrote_outside'"),
            "ws-stray|agent-1|" + message + "\n");
  EXPECT_NE(ReadFile(project / "logs/workstreams/ws-stray/attempt-1.log").find("orchestra: " + message + "\n"),
            std::string::npos);
  EXPECT_EQ(ReadFile(project / "logs/workstreams/ws-clean/attempt-1.log").find("outside its worktree"),
            std::string::npos);
  EXPECT_NE(run.out.find(message), std::string::npos) << run.out;
  EXPECT_NE(ReadFile(project / "reports/execution_report.md").find("| wrote_outside | ws-stray | agent-1 | " + message),
            std::string::npos);
  // Reported, not failed: its own work landed; what it wrote outside did not.
  EXPECT_EQ(project.Sql("SELECT workstream_id, status FROM workstream_status ORDER BY 1"),
            "ws-clean|completed\nws-stray|completed\n");
  EXPECT_EQ(project.Show("orchestra/integration", "mine.txt"), "mine\n");
  EXPECT_EQ(project.Show("orchestra/integration", "stray.txt"), "");
}

TEST(IsolationTest, EditsOutsideTheDeclaredScopeAreReportedOrFail) {
  GitProject project;
  project.AddWorkstream("ws-docs", "\"files_scope\": [\"docs/\"]");
  project.SetScript("ws-docs", "mkdir -p docs src\necho doc > docs/a.md\necho stray > src/stray.py\n");
  project.WriteConfig(1);
  project.CommitAll();
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(project.Sql("SELECT out_of_scope_paths FROM attempts WHERE workstream_id = 'ws-docs'"), "src/stray.py\n");
  EXPECT_NE(project.Sql("SELECT message FROM execution_log WHERE event_type = 'changes'")
                .find("1 outside the declared scope: src/stray.py"),
            std::string::npos);

  GitProject strict;
  strict.AddWorkstream("ws-docs", "\"files_scope\": [\"docs/\"], \"max_attempts\": 1");
  strict.SetScript("ws-docs", "mkdir -p docs src\necho doc > docs/a.md\necho stray > src/stray.py\n");
  strict.WriteConfig(1, "scope_policy = \"fail\"\n");
  strict.CommitAll();
  run = RunOrchestra(strict.path(), {"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(strict.Sql("SELECT error_message FROM workstream_status").find("outside its declared scope"),
            std::string::npos);
  // A failed workstream's worktree is kept for inspection.
  EXPECT_TRUE(fs::exists(strict / ".orchestra/worktrees/ws-docs/src/stray.py"));
}

TEST(IsolationTest, AnAgentThatChangesNothingFailsUnlessEmptyIsAllowed) {
  GitProject project;
  project.AddWorkstream("ws-idle", "\"max_attempts\": 1");
  project.AddWorkstream("ws-check", "\"allow_empty\": true");
  project.WriteConfig(2);
  project.CommitAll();
  const std::string head = project.Rev("HEAD");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const std::string statuses = project.Sql("SELECT workstream_id, status FROM workstream_status ORDER BY 1");
  EXPECT_EQ(statuses, "ws-check|completed\nws-idle|failed\n");
  EXPECT_NE(project.Sql("SELECT error_message FROM workstream_status WHERE workstream_id = 'ws-idle'")
                .find("the agent changed no file"),
            std::string::npos);
  EXPECT_EQ(project.Rev("orchestra/integration"), head);  // nothing merged
}

int Starts(const std::vector<Event>& events, const std::string& id) {
  return static_cast<int>(std::count_if(events.begin(), events.end(), [&](const Event& event) {
    return event.kind == "start" && event.id == id;
  }));
}

TEST(IsolationTest, AFailedVerificationAfterMergeRecordsNoMerge) {
  GitProject project;
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"]");
  // ws-b's own worktree has no a.txt, so its test passes there; the merged
  // result has ws-a's a.txt, so the same test fails on it.
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"], \"max_attempts\": 1, "
                                "\"acceptance_tests\": [\"test ! -f a.txt\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.SetScript("ws-b", "for i in $(seq 400); do git cat-file -e orchestra/integration:a.txt 2>/dev/null "
                           "&& break; sleep 0.05; done\necho b > b.txt\n");
  project.WriteConfig(2, "verify_after_merge = true\n");
  project.CommitAll();
  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(project.Sql("SELECT error_message FROM workstream_status WHERE workstream_id = 'ws-b'")
                .find("on the result of merging onto orchestra/integration (nothing was merged)"),
            std::string::npos);
  EXPECT_EQ(project.Sql("SELECT IFNULL(merge_commit, '-') FROM attempts WHERE workstream_id = 'ws-b'"), "-\n");
  EXPECT_EQ(project.Show("orchestra/integration", "a.txt"), "a\n");
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "");
  EXPECT_FALSE(fs::exists(project / ".orchestra/verify/ws-b"));  // the temporary worktree is gone
}

TEST(IsolationTest, KillDuringAMergeLeavesTheIntegrationBranchBeforeItAndResumeFinishes) {
  GitProject project;
  const std::string verifying = project.Outside("verifying");
  const std::string resumed = project.Outside("resumed");
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"], \"acceptance_tests\": [\"if [ \\\"$ORCHESTRA_PHASE\\\" = verify ] && "
                                "[ ! -f " + resumed + " ]; then touch " + verifying + "; sleep 60; fi\"]");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"], \"depends_on\": [\"ws-a\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.SetScript("ws-b", "cat a.txt > b.txt\n");
  project.WriteConfig(1, "verify_after_merge = true\n");
  project.CommitAll();
  const std::string initial = project.Rev("HEAD");
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project.Outside("run.log"));
  ASSERT_TRUE(WaitUntil([&] { return fs::exists(verifying); }, 20));
  kill(orchestrator, SIGKILL);
  WaitForExit(orchestrator);
  EXPECT_EQ(project.Rev("orchestra/integration"), initial);  // before the merge
  WriteFile(resumed, "");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "a\n");
  // The agent's end was recorded by its supervisor: collected, its verify and merge done again.
  EXPECT_NE(project.Sql("SELECT event_type FROM execution_log").find("collected"), std::string::npos);
}

TEST(IsolationTest, KillRightAfterTheBranchMovesCountsTheMergeOnResume) {
  GitProject project;
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"]");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"], \"depends_on\": [\"ws-a\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.SetScript("ws-b", "cat a.txt > b.txt\n");
  project.WriteConfig(1);
  project.CommitAll();
  // git runs this hook once the integration branch has moved for the first
  // merge; it kills the orchestrator (the parent of git update-ref) right then.
  const std::string crashed = project.Outside("crashed");
  WriteFile(project / ".git/hooks/reference-transaction",
            "#!/bin/sh\n[ \"$1\" = committed ] || exit 0\n[ -f " + crashed + " ] && exit 0\n"
            "while read old new ref; do\n"
            "  if [ \"$ref\" = refs/heads/orchestra/integration ] && [ \"$old\" != 0000000000000000000000000000000000000000 ]; then\n"
            "    touch " + crashed + "\n    kill -9 $(awk '{print $4}' /proc/$PPID/stat)\n  fi\n"
            "done\n",
            true);
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project.Outside("run.log"));
  EXPECT_EQ(WaitForExit(orchestrator, 30), 128 + SIGKILL);
  ASSERT_TRUE(fs::exists(crashed));
  const std::string merged = project.Rev("orchestra/integration");
  EXPECT_EQ(project.Show("orchestra/integration", "a.txt"), "a\n");  // after the merge
  EXPECT_EQ(project.Sql("SELECT outcome, merge_commit FROM attempts"), "running|" + merged + "\n");

  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::vector<Event> events = project.Events();
  EXPECT_EQ(Starts(events, "ws-a"), 1);  // merged once, never run again
  EXPECT_EQ(Starts(events, "ws-b"), 1);
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "a\n");
  EXPECT_NE(project.Sql("SELECT message FROM execution_log WHERE workstream_id = 'ws-a'")
                .find("was merged into orchestra/integration before the orchestrator stopped"),
            std::string::npos);
  const std::string merges = project.Git({"log", "--first-parent", "--format=%s", "orchestra/integration"});
  EXPECT_EQ(std::count(merges.begin(), merges.end(), '\n'), 3) << merges;  // ws-b, ws-a, project
  EXPECT_FALSE(fs::exists(project / ".orchestra/worktrees/ws-a"));
}

TEST(IsolationTest, LandFastForwardsOrMergesAndRefusesADirtyWorkingTree) {
  GitProject project;
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.WriteConfig(1);
  project.CommitAll();
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 0);
  const std::string head = project.Rev("HEAD");

  WriteFile(project / "README.md", "uncommitted\n");
  CommandResult land = RunOrchestra(project.path(), {"land"});
  EXPECT_EQ(land.exit_code, 2);
  EXPECT_NE(land.err.find("uncommitted changes"), std::string::npos) << land.err;
  EXPECT_EQ(project.Rev("HEAD"), head);
  project.Git({"checkout", "--", "README.md"});

  land = RunOrchestra(project.path(), {"land"});
  ASSERT_EQ(land.exit_code, 0) << land.err;
  EXPECT_NE(land.out.find("fast-forwarded main to orchestra/integration"), std::string::npos) << land.out;
  EXPECT_EQ(project.Rev("main"), project.Rev("orchestra/integration"));
  EXPECT_EQ(ReadFile(project / "a.txt"), "a\n");
  EXPECT_NE(RunOrchestra(project.path(), {"land"}).out.find("nothing to land"), std::string::npos);

  // The user moves on during the next run: landing its work makes a merge commit.
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"]");
  project.SetScript("ws-b", "echo b > b.txt\n");
  project.CommitAll("another workstream");
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 0);
  WriteFile(project / "mine.txt", "mine\n");
  project.CommitAll("user work");
  land = RunOrchestra(project.path(), {"land"});
  ASSERT_EQ(land.exit_code, 0) << land.err;
  EXPECT_EQ(project.Git({"log", "-1", "--format=%s"}), "Land orchestra/integration into main\n");
  EXPECT_EQ(project.Rev("HEAD^2"), project.Rev("orchestra/integration"));  // a merge commit
  EXPECT_EQ(ReadFile(project / "b.txt"), "b\n");
  EXPECT_EQ(ReadFile(project / "mine.txt"), "mine\n");
}

/// The line of `output` that starts with `start`, with its newline; "" when none does.
std::string LineStartingWith(const std::string& output, const std::string& start) {
  for (size_t at = 0; at < output.size();) {
    const size_t end = std::min(output.find('\n', at), output.size() - 1) + 1;
    if (output.compare(at, start.size(), start) == 0) return output.substr(at, end - at);
    at = end;
  }
  return "";
}

TEST(IsolationTest, ANewWorkstreamAfterLandSeesTheUsersLaterCommit) {
  GitProject project;
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.WriteConfig(1);
  project.CommitAll();
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 0);
  ASSERT_EQ(RunOrchestra(project.path(), {"land"}).exit_code, 0);
  WriteFile(project / "user.txt", "the user's commit\n");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"]");
  project.SetScript("ws-b", "cat user.txt a.txt > b.txt\n");
  project.CommitAll("user work and a new workstream");
  const std::string main_head = project.Rev("main");

  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(LineStartingWith(run.out, "orchestra/integration"),
            "orchestra/integration fast-forwarded to main (" + main_head.substr(0, 7) + ")\n")
      << run.out;
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "the user's commit\na\n");
  EXPECT_EQ(project.Git({"merge-base", "orchestra/integration", "main"}), main_head + "\n");
  EXPECT_EQ(Starts(project.Events(), "ws-a"), 1);
}

TEST(IsolationTest, RunMergesTheUsersBranchIntoUnlandedWorkWithoutTouchingTheCheckout) {
  GitProject project;
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.WriteConfig(1);
  project.CommitAll();
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 0);
  const std::string unlanded = project.Rev("orchestra/integration");
  WriteFile(project / "user.txt", "the user's commit\n");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"]");
  project.SetScript("ws-b", "cat user.txt a.txt > b.txt\n");
  project.CommitAll("user work and a new workstream");
  const std::string main_head = project.Rev("main");
  const std::string before = CheckoutSnapshot(project);

  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string sync_merge = project.Rev("orchestra/integration^1");
  EXPECT_EQ(LineStartingWith(run.out, "merged main"),
            "merged main into orchestra/integration (" + sync_merge.substr(0, 7) + ")\n")
      << run.out;
  EXPECT_EQ(project.Git({"log", "-1", "--format=%s", sync_merge}), "Merge main into orchestra/integration\n");
  EXPECT_EQ(project.Rev(sync_merge + "^1"), unlanded);
  EXPECT_EQ(project.Rev(sync_merge + "^2"), main_head);
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "the user's commit\na\n");
  EXPECT_EQ(CheckoutSnapshot(project), before);
}

TEST(IsolationTest, AConflictWithTheUsersBranchStopsTheRunAndSyncFollowsTheUsersMerge) {
  GitProject project;
  project.AddWorkstream("ws-a", "\"files_scope\": [\"README.md\"]");
  project.SetScript("ws-a", "echo 'from ws-a' > README.md\n");
  project.WriteConfig(1);
  project.CommitAll();
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 0);
  const std::string unlanded = project.Rev("orchestra/integration");
  WriteFile(project / "README.md", "from the user\n");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"]");
  project.SetScript("ws-b", "echo b > b.txt\n");
  project.CommitAll("user edit and a new workstream");

  const std::string conflict =
      "orchestra: main and orchestra/integration conflict, so orchestra/integration was left as it was. Merge "
      "them in your checkout: `git merge orchestra/integration`, resolve the conflict and commit, then run "
      "again. Conflicting paths:\n  README.md\n";
  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, conflict);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(Starts(project.Events(), "ws-b"), 0);
  EXPECT_EQ(project.Rev("orchestra/integration"), unlanded);
  CommandResult sync = RunOrchestra(project.path(), {"sync"});
  EXPECT_EQ(sync.exit_code, 1);
  EXPECT_EQ(sync.err, conflict);

  // The user resolves it in their checkout; sync (or the next run) follows.
  RunCommand("/", {"git", "-C", project.path(), "merge", "-q", "orchestra/integration"});
  WriteFile(project / "README.md", "both\n");
  project.CommitAll("resolve");
  sync = RunOrchestra(project.path(), {"sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_EQ(sync.out,
            "orchestra/integration fast-forwarded to main (" + project.Rev("main").substr(0, 7) + ")\n");
  EXPECT_EQ(RunOrchestra(project.path(), {"sync"}).out, "orchestra/integration already contains main\n");
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 0);
  EXPECT_EQ(project.Show("orchestra/integration", "README.md"), "both\n");
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "b\n");
}

/// A project whose ws-a appends to lib.txt (so running it twice shows) and
/// whose ws-bad fails its acceptance test, after one run.
void RunAppendAndFail(GitProject& project) {
  WriteFile(project / "lib.txt", "start\n");
  project.AddWorkstream("ws-a", "\"files_scope\": [\"lib.txt\"]");
  project.AddWorkstream("ws-bad", "\"files_scope\": [\"bad.txt\"], \"max_attempts\": 1, "
                                  "\"acceptance_tests\": [\"grep good bad.txt\"]");
  project.SetScript("ws-a", "echo 'int f();' >> lib.txt\n");
  project.SetScript("ws-bad", "echo bad > bad.txt\n");
  project.WriteConfig(2);
  project.CommitAll();
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 1);
  ASSERT_TRUE(fs::exists(project / ".orchestra/worktrees/ws-bad"));
}

TEST(IsolationTest, ResetAsksWhatHappensToTheIntegrationBranchAndFromBranchStartsOver) {
  GitProject project;
  RunAppendAndFail(project);
  const std::string merged = project.Rev("orchestra/integration");
  CommandResult reset = RunOrchestra(project.path(), {"reset", "--yes"});
  EXPECT_EQ(reset.exit_code, 2);
  EXPECT_EQ(reset.err,
            "orchestra: reset must say what happens to orchestra/integration, which holds the work merged so far "
            "(a plain reset would run it all again on top of itself): --from-branch starts over from your "
            "current branch (moves orchestra/integration back to it, removes Orchestra's worktrees and "
            "orchestra/<id> branches, every workstream runs again); --keep-merged keeps the merged work "
            "(workstreams merged into orchestra/integration stay completed; the others run again in fresh "
            "worktrees, the kept ones are removed)\n");
  EXPECT_EQ(project.Rev("orchestra/integration"), merged);
  EXPECT_EQ(project.Sql("SELECT status FROM workstream_status WHERE workstream_id = 'ws-a'"), "completed\n");
  // Not while the user stands on one of the branches it would move or delete.
  project.Git({"checkout", "-q", "orchestra/ws-a"});
  reset = RunOrchestra(project.path(), {"reset", "--yes", "--from-branch"});
  EXPECT_EQ(reset.exit_code, 2);
  EXPECT_EQ(reset.err, "orchestra: you are on orchestra/ws-a, one of Orchestra's branches; check out your own "
                       "branch first (nothing was changed)\n");
  EXPECT_EQ(project.Rev("orchestra/integration"), merged);
  project.Git({"checkout", "-q", "main"});

  reset = RunOrchestra(project.path(), {"reset", "--yes", "--from-branch"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(reset.out, "orchestra/integration moved back to main (" + project.Rev("main").substr(0, 7) +
                           "); it was at " + merged.substr(0, 7) +
                           "\n1 worktree(s) and 2 orchestra/<id> branch(es) removed\n"
                           "state reset: every workstream will run again\n");
  EXPECT_EQ(project.Rev("orchestra/integration"), project.Rev("main"));
  EXPECT_EQ(project.Git({"branch", "--list", "orchestra/*", "--format=%(refname:short)"}), "orchestra/integration\n");
  EXPECT_FALSE(fs::exists(project / ".orchestra/worktrees/ws-bad"));

  project.SetScript("ws-bad", "echo good > bad.txt\n");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(project.Show("orchestra/integration", "lib.txt"), "start\nint f();\n");
  EXPECT_EQ(Starts(project.Events(), "ws-a"), 2);
}

TEST(IsolationTest, ResetKeepMergedKeepsMergedWorkstreamsCompletedAndRunsOnlyTheOthers) {
  GitProject project;
  RunAppendAndFail(project);
  const std::string merged = project.Rev("orchestra/integration");
  CommandResult reset = RunOrchestra(project.path(), {"reset", "--yes", "--keep-merged"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(reset.out,
            "1 workstream(s) merged into orchestra/integration stay completed: ws-a\n"
            "1 workstream(s) back to pending: ws-bad\n"
            "orchestra/integration keeps the merged work; 1 kept worktree(s) removed\n");
  EXPECT_EQ(project.Rev("orchestra/integration"), merged);
  EXPECT_EQ(project.Sql("SELECT workstream_id, status FROM workstream_status ORDER BY workstream_id"),
            "ws-a|completed\nws-bad|pending\n");
  EXPECT_FALSE(fs::exists(project / ".orchestra/worktrees/ws-bad"));

  project.SetScript("ws-bad", "echo good > bad.txt\n");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(project.Show("orchestra/integration", "lib.txt"), "start\nint f();\n");
  EXPECT_EQ(Starts(project.Events(), "ws-a"), 1);
  EXPECT_EQ(Starts(project.Events(), "ws-bad"), 2);
  // Both flags at once is a usage error.
  EXPECT_EQ(RunOrchestra(project.path(), {"reset", "--yes", "--keep-merged", "--from-branch"}).exit_code, 2);
}

TEST(IsolationTest, ResetYesStillForgetsEverythingWithoutIsolationAndRefusesTheWorktreeChoices) {
  GitProject project;
  project.AddWorkstream("ws-a");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.WriteConfig(1, "isolation = \"none\"\n");
  project.CommitAll();
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 0);
  CommandResult reset = RunOrchestra(project.path(), {"reset", "--yes", "--keep-merged"});
  EXPECT_EQ(reset.exit_code, 2);
  EXPECT_EQ(reset.err,
            "orchestra: --from-branch and --keep-merged are for worktree isolation (isolation is \"none\" here)\n");
  reset = RunOrchestra(project.path(), {"reset", "--yes"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(reset.out, "state reset: every workstream will run again\n");
  EXPECT_EQ(project.Sql("SELECT COUNT(*) FROM workstream_status"), "0\n");
}

TEST(IsolationTest, RunWithNothingLeftPointsAtLandUntilTheWorkIsLanded) {
  GitProject project;
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.WriteConfig(1);
  project.CommitAll();
  ASSERT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 0);
  const std::string ahead = OnlyLine(project.Git({"rev-list", "--count", "main..orchestra/integration"}));

  CommandResult again = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "nothing to run: every workstream is completed\norchestra/integration has " + ahead +
                           " commit(s) not yet in main: `orchestra land` brings them in\n");
  EXPECT_EQ(again.err, "");
  EXPECT_EQ(project.Sql("SELECT COUNT(*) FROM runs"), "1\n");  // no empty run recorded

  ASSERT_EQ(RunOrchestra(project.path(), {"land"}).exit_code, 0);
  again = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "nothing to run: every workstream is completed\n");
  EXPECT_EQ(project.Events().size(), 2u);  // one start, one end: nothing ran again
}

TEST(IsolationTest, SimulatedAgentsFollowTheRulesOfRealOnes) {
  GitProject project;
  project.AddWorkstream("ws-a");
  project.AddWorkstream("ws-b", "\"depends_on\": [\"ws-a\"]");
  project.CommitAll();
  CommandResult run = RunOrchestra(project.path(), {"--agents", "2", "run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  // Each attempt's work is a real change, committed and merged like an agent's.
  EXPECT_EQ(project.Show("orchestra/integration", ".orchestra-sim/ws-a.md"), "simulated work on ws-a\n");
  EXPECT_EQ(project.Show("orchestra/integration", ".orchestra-sim/ws-b.md"), "simulated work on ws-b\n");
  EXPECT_EQ(project.Sql("SELECT workstream_id, outcome FROM attempts ORDER BY workstream_id"),
            "ws-a|succeeded\nws-b|succeeded\n");
}

TEST(IsolationTest, CleanRemovesKeptWorktreesAndMergedBranchesAndDiffShowsAChange) {
  GitProject project;
  project.AddWorkstream("ws-ok", "\"files_scope\": [\"ok.txt\"]");
  project.AddWorkstream("ws-bad", "\"files_scope\": [\"bad.txt\"], \"max_attempts\": 1, "
                                  "\"acceptance_tests\": [\"false\"]");
  project.SetScript("ws-ok", "echo 'made by ok' > ok.txt\n");
  project.SetScript("ws-bad", "echo bad > bad.txt\n");
  project.WriteConfig(2);
  project.CommitAll();
  EXPECT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 1);
  EXPECT_FALSE(fs::exists(project / ".orchestra/worktrees/ws-ok"));
  EXPECT_TRUE(fs::exists(project / ".orchestra/worktrees/ws-bad/bad.txt"));  // kept for inspection

  CommandResult diff = RunOrchestra(project.path(), {"diff", "ws-ok"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("+made by ok"), std::string::npos) << diff.out;
  EXPECT_NE(RunOrchestra(project.path(), {"diff", "ws-bad", "--stat"}).out.find("bad.txt"), std::string::npos);

  CommandResult clean = RunOrchestra(project.path(), {"clean"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_NE(clean.out.find("removed worktree .orchestra/worktrees/ws-bad"), std::string::npos) << clean.out;
  EXPECT_NE(clean.out.find("deleted merged branch orchestra/ws-ok"), std::string::npos) << clean.out;
  EXPECT_NE(clean.out.find("kept orchestra/ws-bad (not merged"), std::string::npos) << clean.out;
  EXPECT_FALSE(fs::exists(project / ".orchestra/worktrees/ws-bad"));
  EXPECT_EQ(project.Git({"branch", "--list", "orchestra/*", "--format=%(refname:short)"}),
            "orchestra/integration\norchestra/ws-bad\n");
  EXPECT_EQ(project.Git({"worktree", "list", "--porcelain"}).find(".orchestra"), std::string::npos);

  // A resumed run recreates the failed workstream's worktree from scratch.
  ASSERT_EQ(RunOrchestra(project.path(), {"retry", "ws-bad"}).exit_code, 0);
  project.Git({"update-ref", "-d", "refs/heads/orchestra/ws-bad"});
  EXPECT_EQ(RunOrchestra(project.path(), {"run"}).exit_code, 1);
  EXPECT_TRUE(fs::exists(project / ".orchestra/worktrees/ws-bad/bad.txt"));
}

TEST(IsolationTest, DiffTakesShortIdsLikeRun) {
  GitProject project;
  project.AddWorkstream("ws-7-change", "\"files_scope\": [\"seven.txt\"]");
  project.SetScript("ws-7-change", "echo 'made by seven' > seven.txt\n");
  project.WriteConfig(1);
  project.CommitAll();
  ASSERT_EQ(RunOrchestra(project.path(), {"run", "ws-7"}).exit_code, 0);
  CommandResult diff = RunOrchestra(project.path(), {"diff", "ws-7", "--stat"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_EQ(diff.out.rfind("ws-7-change attempt 1 (succeeded): ", 0), 0u) << diff.out;
  EXPECT_NE(diff.out.find("seven.txt"), std::string::npos) << diff.out;
  CommandResult unknown = RunOrchestra(project.path(), {"diff", "ws-8"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown workstream 'ws-8'"), std::string::npos) << unknown.err;
}

TEST(IsolationTest, RebaseStrategyLandsEachWorkstreamAsOneCommitOnALinearHistory) {
  GitProject project;
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"]");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"], \"depends_on\": [\"ws-a\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.SetScript("ws-b", "echo b > b.txt\n");
  project.WriteConfig(2, "merge_strategy = \"rebase\"\n");
  project.CommitAll();
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(project.Git({"log", "--format=%s", "-2", "orchestra/integration"}), "ws-b: Do ws-b\nws-a: Do ws-a\n");
  EXPECT_EQ(project.Git({"rev-list", "--merges", "--count", "orchestra/integration"}), "0\n");
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "b\n");
}

TEST(IsolationTest, AnInterruptStopsAMergeAndTheQueueBehindItAndResumeFinishes) {
  GitProject project;
  const std::string verifying = project.Outside("verifying");
  const std::string resumed = project.Outside("resumed");
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"], \"acceptance_tests\": [\"if [ \\\"$ORCHESTRA_PHASE\\\" = verify ] && "
                                "[ ! -f " + resumed + " ]; then touch " + verifying + "; sleep 60; fi\"]");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  // ws-b finishes while ws-a's merge is being verified, so it waits in the queue.
  project.SetScript("ws-b", "for i in $(seq 400); do [ -f " + verifying + " ] && break; sleep 0.05; done\necho b > b.txt\n");
  project.WriteConfig(2, "verify_after_merge = true\n");
  project.CommitAll();
  const std::string initial = project.Rev("HEAD");
  const pid_t orchestrator = StartOrchestra(project.path(), {"run"}, project.Outside("run.log"));
  ASSERT_TRUE(WaitUntil([&] { return project.Sql("SELECT COUNT(*) FROM execution_log WHERE event_type = 'changes' "
                                                 "AND workstream_id = 'ws-b'") == "1\n"; }, 20));
  ASSERT_TRUE(WaitUntil([&] { return fs::exists(verifying); }, 20));
  kill(orchestrator, SIGINT);
  EXPECT_EQ(WaitForExit(orchestrator, 20), 130);
  EXPECT_EQ(project.Rev("orchestra/integration"), initial);
  EXPECT_EQ(project.Sql("SELECT workstream_id, outcome FROM attempts ORDER BY workstream_id"),
            "ws-a|interrupted\nws-b|interrupted\n");
  WriteFile(resumed, "");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(project.Show("orchestra/integration", "a.txt"), "a\n");
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "b\n");
}

TEST(IsolationTest, AWorkstreamThatKeepsConflictingFailsAndBlocksItsDependents) {
  GitProject project;
  project.AddWorkstream("ws-a");
  project.AddWorkstream("ws-b", "\"max_attempts\": 1");
  project.AddWorkstream("ws-c", "\"depends_on\": [\"ws-b\"]");
  project.SetScript("ws-a", "echo 'line from a' > README.md\n");
  project.SetScript("ws-b", "for i in $(seq 400); do git show orchestra/integration:README.md | grep -q 'line from a' "
                            "&& break; sleep 0.05; done\necho 'line from b' > README.md\n");
  project.WriteConfig(2);
  project.CommitAll();
  CommandResult run = RunOrchestra(project.path(), {"run"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(project.Sql("SELECT workstream_id, status FROM workstream_status ORDER BY 1"),
            "ws-a|completed\nws-b|failed\nws-c|blocked\n");
  EXPECT_EQ(project.Sql("SELECT outcome, conflict_paths FROM attempts WHERE workstream_id = 'ws-b'"),
            "conflict|README.md\n");
  // The other side of the conflict: ws-a's commit, as `git log --oneline` shows it.
  const std::string ws_a = OnlyLine(project.Git({"log", "-1", "--format=%h %s", "orchestra/ws-a"}));
  EXPECT_EQ(project.Sql("SELECT error_message FROM workstream_status WHERE workstream_id = 'ws-b'"),
            "merge conflict with orchestra/integration in: README.md\n"
            "Your previous changes were not merged. Start again from the current orchestra/integration and make "
            "your changes fit what is there now.\n"
            "Conflicting paths:\nREADME.md\n"
            "Merged meanwhile (the other side):\n" +
                ws_a + "\n\n");
  // `status` finds the state under .orchestra/ like `run` does.
  CommandResult status = RunOrchestra(project.path(), {"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("1 completed, 1 failed, 1 blocked"), std::string::npos) << status.out;
}

/// The event lines a run printed: its output up to the summary after them.
std::string EventLines(const std::string& run_output) { return run_output.substr(0, run_output.find("\n\n") + 1); }

TEST(IsolationTest, StateLogsAndReportsKeepTheirPathsAndGitStatusStaysClean) {
  GitProject project;
  // Files the agent writes under reports/ and logs/ are its work: they are merged.
  project.AddWorkstream("ws-a", "\"files_scope\": [\"reports/\", \"logs/\"]");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"]");
  project.SetScript("ws-a", "mkdir -p reports logs\necho summary > reports/summary.md\necho app > logs/app.log\n");
  project.SetScript("ws-b", "echo b > b.txt\n");
  project.WriteConfig(2);
  project.CommitAll();
  const std::string exclude = ReadFile(project / ".git/info/exclude");
  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  // The monitoring of the original tool finds the run where it always looked.
  EXPECT_EQ(Sqlite3(project / ".state/orchestration.db",
                    "SELECT status, COUNT(*) FROM workstream_status GROUP BY status").out,
            "completed|2\n");
  EXPECT_EQ(ReadFile(project / "logs/orchestrator.log"), EventLines(run.out));
  EXPECT_TRUE(fs::exists(project / "reports/execution_report.md"));
  EXPECT_FALSE(fs::exists(project / ".orchestra/state"));
  EXPECT_FALSE(fs::exists(project / ".orchestra/logs"));
  // git status shows none of it: info/exclude names the files Orchestra
  // writes there, not the folders, which the agents' worktrees share.
  EXPECT_EQ(project.Git({"status", "--porcelain", "--untracked-files=all"}), "");
  EXPECT_EQ(ReadFile(project / ".git/info/exclude"),
            exclude + "# Orchestra's own files (see orchestra's README)\n/.orchestra/\n/.state/orchestration.db*\n"
                      "/logs/orchestrator.log\n/logs/workstreams/\n"
                      "/reports/execution_report.md\n/reports/gantt.html\n/reports/report.html\n");
  // `report` writes the HTML page beside the Markdown file; it stays out of git status too.
  CommandResult report = RunOrchestra(project.path(), {"report"});
  ASSERT_EQ(report.exit_code, 0) << report.out << report.err;
  EXPECT_TRUE(fs::exists(project / "reports/report.html"));
  EXPECT_EQ(project.Git({"status", "--porcelain", "--untracked-files=all"}), "");
  EXPECT_EQ(project.Show("orchestra/integration", "reports/summary.md"), "summary\n");
  EXPECT_EQ(project.Show("orchestra/integration", "logs/app.log"), "app\n");

  // land brings the agent's files in beside Orchestra's; clean leaves the state alone.
  CommandResult land = RunOrchestra(project.path(), {"land"});
  ASSERT_EQ(land.exit_code, 0) << land.err;
  EXPECT_EQ(ReadFile(project / "reports/summary.md"), "summary\n");
  EXPECT_EQ(project.Git({"status", "--porcelain", "--untracked-files=all"}), "");
  CommandResult clean = RunOrchestra(project.path(), {"clean"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(project.Git({"status", "--porcelain", "--untracked-files=all"}), "");
  EXPECT_EQ(project.Sql("SELECT COUNT(*) FROM workstream_status WHERE status = 'completed'"), "2\n");
}

TEST(IsolationTest, AProjectRunWithTheEarlierLayoutMovesToTheDefaultPathsAndKeepsItsState) {
  GitProject project;
  const std::string release = project.Outside("release-b");
  project.AddWorkstream("ws-a", "\"files_scope\": [\"a.txt\"]");
  project.AddWorkstream("ws-b", "\"files_scope\": [\"b.txt\"]");
  project.SetScript("ws-a", "echo a > a.txt\n");
  project.SetScript("ws-b",
                    "for i in $(seq 400); do [ -f " + release + " ] && break; sleep 0.05; done\necho b > b.txt\n");
  project.WriteConfig(2);
  project.CommitAll();
  // A run with the paths earlier versions used with worktrees (the config
  // lies outside the checkout), crashed while ws-b runs.
  const std::string earlier = project.Outside("earlier.toml");
  WriteFile(earlier, ReadFile(project / "orchestra.toml") +
                         "[paths]\nstate = \".orchestra/state/orchestration.db\"\nlogs = \".orchestra/logs\"\n"
                         "reports = \".orchestra/reports\"\n");
  const std::string earlier_db = project / ".orchestra/state/orchestration.db";
  const pid_t orchestrator = StartOrchestra(project.path(), {"--config", earlier, "run"}, project.Outside("run.log"));
  ASSERT_TRUE(WaitUntil([&] {
    return fs::exists(project.Outside("started-ws-b")) &&
           Sqlite3(earlier_db, "SELECT status FROM workstream_status WHERE workstream_id = 'ws-a'").out ==
               "completed\n";
  }, 20));

  // While it holds the database, the earlier paths are used where they are.
  CommandResult status = RunOrchestra(project.path(), {"status", "--json"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_EQ(status.err, "orchestra: .orchestra/state/orchestration.db is in use (pid " + std::to_string(orchestrator) +
                            "): using the files under .orchestra/ where earlier versions kept them; they move once "
                            "that orchestrator has ended\n");
  EXPECT_EQ(nlohmann::json::parse(status.out)["totals"]["completed"], 1) << status.out;
  EXPECT_FALSE(fs::exists(project / ".state"));

  kill(orchestrator, SIGKILL);
  WaitForExit(orchestrator);
  WriteFile(release, "");
  ASSERT_TRUE(WaitUntil([&] {  // the orphaned agent ends
    const std::vector<Event> events = project.Events();
    return std::any_of(events.begin(), events.end(),
                       [](const Event& event) { return event.kind == "end" && event.id == "ws-b"; });
  }, 20));
  ASSERT_TRUE(fs::exists(earlier_db + "-wal"));  // what the crashed run recorded is there

  status = RunOrchestra(project.path(), {"status", "--json"});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_EQ(status.err,
            "orchestra: moved .orchestra/state/orchestration.db to .state/orchestration.db, .orchestra/logs to logs "
            "(where earlier versions kept them with worktree isolation)\n");
  EXPECT_EQ(project.Sql("SELECT workstream_id, status FROM workstream_status ORDER BY 1"),
            "ws-a|completed\nws-b|running\n");
  EXPECT_FALSE(fs::exists(earlier_db));
  EXPECT_EQ(project.Git({"status", "--porcelain", "--untracked-files=all"}), "");
  // The log paths recorded before the move still lead to the logs.
  CommandResult logs = RunOrchestra(project.path(), {"logs", "ws-a"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(logs.out, ReadFile(project / "logs/workstreams/ws-a/attempt-1.log"));

  CommandResult run = RunOrchestra(project.path(), {"run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.err, "");  // moved once
  EXPECT_EQ(Starts(project.Events(), "ws-a"), 1);  // completed before the move: not run again
  // ws-b's agent ended after the crash; its supervisor recorded the end, which this run collects.
  EXPECT_EQ(Starts(project.Events(), "ws-b"), 1);
  EXPECT_NE(run.out.find("collected"), std::string::npos) << run.out;
  EXPECT_EQ(project.Sql("SELECT workstream_id, status FROM workstream_status ORDER BY 1"),
            "ws-a|completed\nws-b|completed\n");
  EXPECT_EQ(project.Show("orchestra/integration", "b.txt"), "b\n");
  EXPECT_EQ(ReadFile(project / "logs/orchestrator.log"), ReadFile(project.Outside("run.log")) + EventLines(run.out));
  EXPECT_EQ(project.Git({"status", "--porcelain", "--untracked-files=all"}), "");
}

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
