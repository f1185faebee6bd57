// The live dashboard (`orchestra serve`, `orchestra run --serve`) as a user's
// browser meets it: the real binary on real projects, asked over HTTP.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "cli_harness.h"
#include "dashboard_process.h"
#include "test_state.h"
#include "project_builder.h"
#include "test_paths.h"

namespace orchestra::testing {
namespace {

using nlohmann::json;

/// Reads /api/events on a thread, keeping every event's JSON.
class EventReader {
 public:
  EventReader(const Dashboard& dashboard, const std::string& path) {
    thread_ = std::thread([this, &dashboard, path] {
      httplib::Client client = dashboard.Client();
      client.Get(path.c_str(), [this](const char* data, size_t size) {
        std::lock_guard<std::mutex> lock(mutex_);
        buffer_.append(data, size);
        for (size_t end; (end = buffer_.find("\n\n")) != std::string::npos;) {
          Parse(buffer_.substr(0, end));
          buffer_.erase(0, end + 2);
        }
        return !stop_;
      });
    });
  }
  ~EventReader() {
    stop_ = true;
    thread_.join();
  }
  std::vector<json> Events() {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  /// Waits until an event of `type` for `workstream` ("" any) has arrived.
  bool WaitFor(const std::string& type, const std::string& workstream) {
    return WaitUntil([&] {
      for (const json& event : Events()) {
        if (event["event"] == type && (workstream.empty() || event["workstream"] == workstream)) return true;
      }
      return false;
    });
  }

 private:
  /// One event: its `id:` line must be the id in its data.
  void Parse(const std::string& block) {
    if (block.starts_with(":")) return;  // a keep-alive comment
    const std::regex event("id: ([0-9]+)\nevent: log\ndata: (.*)");
    std::smatch match;
    if (!std::regex_match(block, match, event)) {
      ADD_FAILURE() << "not an event: " << block;
      return;
    }
    json data = json::parse(match[2].str());
    EXPECT_EQ(data["id"], std::stoll(match[1]));
    events_.push_back(data);
  }
  std::mutex mutex_;
  std::string buffer_;
  std::vector<json> events_;
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

/// The execution_log ids, as sqlite3 lists them.
std::vector<long long> LogIds(const std::string& database) {
  std::vector<long long> ids;
  std::istringstream out(Sqlite3(database, "SELECT id FROM execution_log ORDER BY id").out);
  for (std::string line; std::getline(out, line);) ids.push_back(std::stoll(line));
  return ids;
}

std::vector<long long> EventIds(const std::vector<json>& events) {
  std::vector<long long> ids;
  for (const json& event : events) ids.push_back(event["id"]);
  return ids;
}

/// How many events an event stream's text holds: its lines that start with "id: ".
size_t EventsIn(const std::string& stream) {
  size_t events = stream.starts_with("id: ") ? 1 : 0;
  for (size_t at = 0; (at = stream.find("\nid: ", at)) != std::string::npos; ++at) ++events;
  return events;
}

/// The bytes of a file, "<absent>" when there is none.
std::string Contents(const std::string& path) {
  return std::filesystem::exists(path) ? ReadFile(path) : "<absent>";
}

/// a, then b (track docs) and c after it, run to the end on two sim agents.
class FinishedRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_.AddWorkstream("a", {}, "\"estimate_hours\": 2");
    project_.AddWorkstream("b", {"a"}, "\"estimate_hours\": 3, \"track\": \"docs\", \"files_scope\": [\"docs/**\"]");
    project_.AddWorkstream("c", {"a"});
    WriteFile(project_ / "orchestra.toml",
              "[[agents]]\nid = \"agent-1\"\ntype = \"sim\"\ntrack = \"docs\"\n\n"
              "[[agents]]\nid = \"agent-2\"\ntype = \"sim\"\n");
    const CommandResult run = RunOrchestra(project_.path(), {"run"});
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  }
  TestProject project_;
};

TEST_F(FinishedRunTest, StatusSaysTheRunCompletedEverything) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
  json status = dashboard.GetJson("/api/status");
  // The run row as JSON, in each store's own words.
  const std::string run_json =
      StateIsPostgres() ? "SELECT json_build_object('id', id, 'state', state, 'started_at', started_at, "
                          "'ended_at', ended_at, 'pause_requested', false) FROM runs"
                        : "SELECT json_object('id', id, 'state', state, 'started_at', started_at, "
                          "'ended_at', ended_at, 'pause_requested', json('false')) FROM runs";
  const json run = json::parse(Sqlite3(project_.StatePath(), run_json).out);
  ASSERT_TRUE(status["elapsed_seconds"].is_number()) << status;
  const json expected = {{"run", run},
                         {"totals", {{"completed", 3}, {"running", 0}, {"failed", 0}, {"blocked", 0}, {"pending", 0}}},
                         {"workstreams", 3},
                         {"elapsed_seconds", status["elapsed_seconds"]},
                         {"eta_seconds", nullptr},
                         {"usage", {{"cost_usd", nullptr},
                                    {"tokens", {{"input", 0}, {"output", 0}, {"cache_read", 0}, {"cache_write", 0}}}}},
                         {"budget_usd", nullptr},
                         {"pauses", json::array()}};
  EXPECT_EQ(status, expected);
  EXPECT_EQ(dashboard.Stop(), 0);
  EXPECT_EQ(dashboard.Output(), std::vector<std::string>{"serving http://127.0.0.1:" +
                                                         std::to_string(dashboard.port()) + "/"});
}

TEST_F(FinishedRunTest, WorkstreamsListEveryWorkstreamWithItsAttempts) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
  json list = dashboard.GetJson("/api/workstreams");
  ASSERT_EQ(list.size(), 3u) << list;
  for (json& row : list) {
    EXPECT_GT(row["duration_seconds"].get<double>(), 0) << row;
    EXPECT_TRUE(row["agent"] == "agent-1" || row["agent"] == "agent-2") << row;
    row.erase("duration_seconds");
    row.erase("agent");
  }
  const json expected = json::array(
      {{{"id", "a"}, {"title", ""}, {"status", "completed"}, {"track", ""}, {"type", "sim"}, {"attempts", 1},
        {"cost_usd", nullptr}, {"reason", ""}, {"estimate_hours", 2.0}},
       {{"id", "b"}, {"title", ""}, {"status", "completed"}, {"track", "docs"}, {"type", "sim"}, {"attempts", 1},
        {"cost_usd", nullptr}, {"reason", ""}, {"estimate_hours", 3.0}},
       {{"id", "c"}, {"title", ""}, {"status", "completed"}, {"track", ""}, {"type", "sim"}, {"attempts", 1},
        {"cost_usd", nullptr}, {"reason", ""}, {"estimate_hours", 2.0}}});
  EXPECT_EQ(list, expected);
}

TEST_F(FinishedRunTest, AWorkstreamsDetailsAndLog) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
  json detail = dashboard.GetJson("/api/workstreams/b");
  EXPECT_EQ(detail["depends_on"], json::parse(R"([{"id": "a", "status": "completed"}])"));
  EXPECT_EQ(detail["dependents"], json::array());
  EXPECT_EQ(detail["tasks"], json::parse(R"(["do b"])"));
  EXPECT_EQ(detail["files_scope"], json::parse(R"(["docs/**"])"));
  EXPECT_EQ(detail["diff"], nullptr);  // no worktree isolation
  EXPECT_NE(detail["prompt"].get<std::string>().find("do b"), std::string::npos) << detail["prompt"];
  ASSERT_EQ(detail["attempts"].size(), 1u) << detail;
  const json& attempt = detail["attempts"][0];
  EXPECT_EQ(attempt["outcome"], "succeeded");
  EXPECT_EQ(attempt["exit_code"], 0);
  EXPECT_EQ(attempt["signal"], nullptr);
  EXPECT_EQ(attempt["attempt"], 1);

  const std::string log_path = Sqlite3(project_.StatePath(), "SELECT log_path FROM attempts WHERE workstream_id = 'b'")
                                   .out;
  const std::string log = ReadFile(log_path.substr(0, log_path.size() - 1));
  ASSERT_FALSE(log.empty());
  const json whole = dashboard.GetJson("/api/workstreams/b/log?offset=0");
  const json expected = {{"attempt_id", attempt["id"]}, {"attempt", 1},  {"running", false},
                         {"offset", 0},                 {"next_offset", log.size()}, {"size", log.size()},
                         {"text", log}};
  EXPECT_EQ(whole, expected);
  const json rest = dashboard.GetJson("/api/workstreams/b/log?offset=5");
  EXPECT_EQ(rest["text"], log.substr(5));
  EXPECT_EQ(dashboard.Get("/api/workstreams/b/log?offset=x").status, 400);
}

TEST_F(FinishedRunTest, TheGraphIsAnSvgColouredByStatus) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
  const httplib::Response svg = dashboard.Get("/api/graph.svg");
  EXPECT_EQ(svg.status, 200);
  EXPECT_EQ(svg.get_header_value("Content-Type"), "image/svg+xml");
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_NE(svg.body.find(std::string("<title>") + id + "</title>"), std::string::npos) << id;
  }
  // Completed nodes are filled with palette.h's green.
  EXPECT_NE(svg.body.find("fill=\"#a8dda0\""), std::string::npos) << svg.body;
}

TEST_F(FinishedRunTest, ThePageAndItsAssetsAreTheEmbeddedFiles) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
  for (const auto& [path, file, type] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/", "index.html", "text/html; charset=utf-8"},
           {"/assets/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"},
           {"/assets/dashboard.css", "dashboard.css", "text/css; charset=utf-8"}}) {
    const httplib::Response response = dashboard.Get(path);
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.get_header_value("Content-Type"), type) << path;
    EXPECT_EQ(response.body, ReadFile(std::string(ORCHESTRA_SOURCE_DIR) + "/src/server/assets/" + file)) << path;
  }
}

TEST_F(FinishedRunTest, PathTricksAndUnknownIdsAre404) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
  for (const char* path : {"/api/workstreams/nope", "/api/workstreams/../../etc/passwd",
                           "/api/workstreams/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/api/workstreams/%2e%2e/log",
                           "/api/workstreams/..%2f..%2fetc%2fpasswd/log", "/assets/../../etc/passwd",
                           "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/etc/passwd", "/assets/index.htm",
                           "/api/workstreams/a/../../../etc/passwd"}) {
    const httplib::Response response = dashboard.Get(path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.body.find("root:"), std::string::npos) << path;
  }
}

// Eight clients at once, each asking every route (the event stream too) three
// times, get exactly what one client asking alone got: the server's pool of
// threads shares nothing a request can see. Under ThreadSanitizer
// (scripts/sanitize.sh tsan, in CI) this is the test that has the server's
// threads race, if anything in them does.
TEST_F(FinishedRunTest, ManyClientsAtOnceGetWhatOneClientAloneGets) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
  const std::vector<std::string> paths = {"/", "/assets/dashboard.js", "/api/status", "/api/workstreams",
                                          "/api/lanes", "/api/workstreams/b", "/api/workstreams/b/log?offset=0",
                                          "/api/graph.svg", "/api/workstreams/nope"};
  // status's elapsed_seconds is the only part of an answer that may change between asks.
  auto answer = [](const std::string& path, const httplib::Response& response) {
    std::string body = response.body;
    if (path == "/api/status") {
      json status = json::parse(body, nullptr, false);
      status.erase("elapsed_seconds");
      body = status.dump();
    }
    return std::to_string(response.status) + " " + response.get_header_value("Content-Type") + "\n" + body;
  };
  std::map<std::string, std::string> alone;
  for (const std::string& path : paths) alone[path] = answer(path, dashboard.Get(path));
  const size_t events = LogIds(project_.StatePath()).size();
  ASSERT_GT(events, 0u);

  std::mutex mutex;
  std::vector<std::string> differences;
  std::vector<std::thread> clients;
  for (int client_number = 0; client_number < 8; ++client_number) {
    clients.emplace_back([&, client_number] {
      httplib::Client client = dashboard.Client();
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < paths.size(); ++i) {
          const std::string& path = paths[(i + client_number) % paths.size()];
          httplib::Result result = client.Get(path.c_str());
          const std::string got = result ? answer(path, result.value()) : "no answer: " + httplib::to_string(result.error());
          if (got != alone.at(path)) {
            std::lock_guard<std::mutex> lock(mutex);
            differences.push_back(path + " (client " + std::to_string(client_number) + "): " + got.substr(0, 200));
          }
        }
        // The event stream: the whole log replayed, then this client hangs up.
        std::string stream;
        client.Get("/api/events", [&](const char* data, size_t size) {
          stream.append(data, size);
          return EventsIn(stream) < events;
        });
        const size_t ids = EventsIn(stream);
        if (ids < events) {
          std::lock_guard<std::mutex> lock(mutex);
          differences.push_back("/api/events (client " + std::to_string(client_number) + "): " +
                                std::to_string(ids) + " of " + std::to_string(events) + " events");
        }
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(differences, std::vector<std::string>{});
  EXPECT_EQ(dashboard.Stop(), 0) << dashboard.Errors();
}

TEST_F(FinishedRunTest, EventsReplayTheWholeLogAndResumeAfterAnId) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
  const std::vector<long long> ids = LogIds(project_.StatePath());
  ASSERT_GT(ids.size(), 3u);
  {
    EventReader reader(dashboard, "/api/events?after=0");
    EXPECT_TRUE(reader.WaitFor("run_ended", "")) << reader.Events().size();
    EXPECT_EQ(EventIds(reader.Events()), ids);
  }
  EventReader resumed(dashboard, "/api/events?after=" + std::to_string(ids[1]));
  EXPECT_TRUE(resumed.WaitFor("run_ended", ""));
  EXPECT_EQ(EventIds(resumed.Events()), std::vector<long long>(ids.begin() + 2, ids.end()));
}

TEST_F(FinishedRunTest, ServingNeverWritesTheState) {
  SKIP_UNDER_POSTGRES("it compares the SQLite file and its WAL before and after; a PostgreSQL reader's "
                      "connections are read-only (default_transaction_read_only)");
  const std::string state = project_.StatePath();
  const std::string before = Contents(state), wal_before = Contents(state + "-wal");
  const auto modified = std::filesystem::last_write_time(state);
  {
    Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
    dashboard.GetJson("/api/status");
    dashboard.GetJson("/api/workstreams");
    dashboard.GetJson("/api/workstreams/a");
    dashboard.Get("/api/graph.svg");
    EventReader reader(dashboard, "/api/events");
    EXPECT_TRUE(reader.WaitFor("run_ended", ""));
  }
  EXPECT_EQ(Contents(state), before);
  EXPECT_EQ(std::filesystem::last_write_time(state), modified);
  const std::string wal_after = Contents(state + "-wal");
  EXPECT_TRUE(wal_after == wal_before || (wal_before == "<absent>" && wal_after.empty())) << wal_after.size();
}

TEST_F(FinishedRunTest, ATokenIsRequiredOfEveryRequestWhenSet) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0", "--token", "s3cret"});
  EXPECT_EQ(dashboard.Get("/api/status").status, 401);
  EXPECT_EQ(dashboard.Get("/").status, 401);
  EXPECT_EQ(dashboard.Get("/api/events").status, 401);
  EXPECT_EQ(dashboard.Get("/api/status?token=wrong").status, 401);
  EXPECT_EQ(dashboard.Get("/api/status", {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(dashboard.Get("/api/status", {{"Authorization", "Bearer s3cret"}}).status, 200);
  EXPECT_EQ(dashboard.Get("/api/status?token=s3cret").status, 200);
  EXPECT_EQ(dashboard.Get("/?token=s3cret").status, 200);
}

TEST_F(FinishedRunTest, TheTokenMayComeFromTheEnvironmentAndStaysOutOfTheCommandLine) {
  // Set only while the process starts (it inherits the environment at its fork).
  ASSERT_EQ(setenv("ORCHESTRA_DASHBOARD_TOKEN", "from-the-environment", 1), 0);
  Dashboard dashboard(project_.path(), {"serve", "--port", "0", "--bind", "0.0.0.0"});
  ASSERT_EQ(unsetenv("ORCHESTRA_DASHBOARD_TOKEN"), 0);
  // The token is the one given, not a generated one: only the serving line.
  EXPECT_EQ(dashboard.Output().size(), 1u) << dashboard.Errors();
  EXPECT_EQ(dashboard.Get("/api/status").status, 401);
  EXPECT_EQ(dashboard.Get("/api/status", {{"Authorization", "Bearer from-the-environment"}}).status, 200);
  EXPECT_EQ(dashboard.Get("/api/status?token=from-the-environment").status, 200);
  // What every local user can read of the process: its command line.
  const std::string cmdline = ReadFile("/proc/" + std::to_string(dashboard.pid()) + "/cmdline");
  EXPECT_NE(cmdline.find("0.0.0.0"), std::string::npos);
  EXPECT_EQ(cmdline.find("from-the-environment"), std::string::npos);
}

TEST_F(FinishedRunTest, ANonLoopbackBindGetsAGeneratedToken) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0", "--bind", "0.0.0.0"});
  // The first line names the address bound: wait for the token line after it.
  std::vector<std::string> lines;
  ASSERT_TRUE(WaitUntil([&] { return (lines = dashboard.Output()).size() >= 2; }));
  std::smatch match;
  const std::regex token_line("token ([0-9a-f]{32}) \\(generated: send it as `Authorization: Bearer TOKEN`, "
                              "or open http://0\\.0\\.0\\.0:([0-9]+)/\\?token=\\1\\)");
  ASSERT_TRUE(std::regex_match(lines[1], match, token_line)) << lines[1];
  EXPECT_EQ(lines[0], "serving http://0.0.0.0:" + match[2].str() + "/");
  EXPECT_EQ(dashboard.Get("/api/status").status, 401);
  EXPECT_EQ(dashboard.Get("/api/status", {{"Authorization", "Bearer " + match[1].str()}}).status, 200);
}

TEST_F(FinishedRunTest, LanesHoldEachAttemptAndThePlan) {
  Dashboard dashboard(project_.path(), {"serve", "--port", "0"});
  const json lanes = dashboard.GetJson("/api/lanes");
  std::map<std::string, std::string> actual, planned;  // workstream -> agent (and state)
  for (const json& lane : lanes["actual"]["lanes"]) {
    for (const json& bar : lane["bars"]) {
      EXPECT_LE(bar["start"].get<double>(), bar["end"].get<double>()) << bar;
      actual[bar["workstream"]] = lane["agent"].get<std::string>() + " " + bar["state"].get<std::string>();
    }
  }
  for (const json& lane : lanes["planned"]["lanes"]) {
    for (const json& bar : lane["bars"]) planned[bar["workstream"]] = lane["agent"];
  }
  // b (track docs) can only run on agent-1; the others anywhere.
  EXPECT_EQ(actual["b"], "agent-1 succeeded");
  EXPECT_EQ(actual.size(), 3u);
  EXPECT_EQ(planned["b"], "agent-1");
  EXPECT_EQ(planned.size(), 3u);
  EXPECT_EQ(lanes["planned"]["unit"], "h");
}

/// A workstream's diff with worktree isolation is `git diff base head` of its attempt.
TEST(DashboardTest, AWorkstreamsDiffIsWhatItsAttemptCommitted) {
  TempDir repo;
  const auto git = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"git"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(repo.path(), argv);
  };
  git({"init", "-q", "-b", "main"});
  git({"config", "user.name", "Test User"});
  git({"config", "user.email", "user@example.com"});
  WriteFile(repo / "workstreams/only.json", R"({"id": "only", "tasks": ["write it"]})");
  git({"add", "-A"});
  git({"commit", "-q", "-m", "workstreams"});
  const CommandResult run = RunOrchestra(repo.path(), {"--agents", "1", "run"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string commits = Sqlite3(repo / ".state/orchestration.db",
                                      "SELECT base_commit || ' ' || head_commit FROM attempts").out;
  const std::string base = commits.substr(0, commits.find(' '));
  const std::string head = commits.substr(commits.find(' ') + 1, commits.size() - commits.find(' ') - 2);
  const CommandResult diff = git({"diff", base, head});
  ASSERT_NE(diff.out.find(".orchestra-sim/only.md"), std::string::npos) << diff.out;

  Dashboard dashboard(repo.path(), {"--agents", "1", "serve", "--port", "0"});
  const json detail = dashboard.GetJson("/api/workstreams/only");
  EXPECT_EQ(detail["diff"], json({{"attempt", 1}, {"base", base}, {"head", head}, {"text", diff.out}}));
}

TEST(DashboardTest, ARunInProgressStreamsItsEventsAsTheyHappen) {
  TestProject project;
  project.WriteConfig({{"agent-1", ""}});
  project.AddWorkstream("first", {});
  project.AddWorkstream("second", {"first"});
  project.Hold("first");
  const pid_t run = StartOrchestra(project.path(), {"run"}, project / "run.out");
  ASSERT_TRUE(WaitUntil([&] { return project.Events().size() == 1; })) << ReadFile(project / "run.out.err");
  Dashboard dashboard(project.path(), {"serve", "--port", "0"});
  EventReader reader(dashboard, "/api/events?after=0");
  ASSERT_TRUE(reader.WaitFor("started", "first"));

  json status = dashboard.GetJson("/api/status");
  EXPECT_EQ(status["run"]["state"], "running");
  EXPECT_EQ(status["totals"], json::parse(R"({"completed": 0, "running": 1, "failed": 0, "blocked": 0,
                                               "pending": 1})"));
  EXPECT_EQ(dashboard.GetJson("/api/workstreams/first/log")["running"], true);
  EXPECT_EQ(dashboard.GetJson("/api/workstreams/second/log"),
            json::parse(R"({"attempt_id": null, "attempt": 0, "running": false, "offset": 0, "next_offset": 0,
                            "size": 0, "text": ""})"));

  project.Release("first");
  EXPECT_TRUE(reader.WaitFor("completed", "first"));
  EXPECT_TRUE(reader.WaitFor("completed", "second"));
  EXPECT_TRUE(reader.WaitFor("run_ended", ""));
  EXPECT_EQ(WaitForExit(run), 0) << ReadFile(project / "run.out");
  EXPECT_EQ(EventIds(reader.Events()), LogIds(project.StatePath()));
  status = dashboard.GetJson("/api/status");
  EXPECT_EQ(status["run"]["state"], "completed");
  EXPECT_EQ(status["totals"]["completed"], 2);
}

/// The log endpoint follows a log as it grows: pieces from offsets add up to the file.
TEST(DashboardTest, TheLogOfARunningAttemptIsFollowedByOffsets) {
  TempDir project;
  WriteFile(project / "agent.sh",
            "#!/bin/sh\necho \"first line\"\n"
            "for i in $(seq 6000); do [ -f \"$(dirname \"$0\")/go\" ] && break; sleep 0.01; done\n"
            "echo \"second line\"\n",
            true);
  WriteFile(project / "orchestra.toml",
            "[agent_types.script]\nkind = \"command\"\nargv = [\"./agent.sh\"]\n\n"
            "[[agents]]\nid = \"agent-1\"\ntype = \"script\"\n");
  WriteFile(project / "workstreams/talker.json", R"({"id": "talker", "tasks": ["talk"]})");
  const pid_t run = StartOrchestra(project.path(), {"run"}, project / "run.out");
  Dashboard dashboard(project.path(), {"serve", "--port", "0"});
  json first;
  ASSERT_TRUE(WaitUntil([&] {
    first = dashboard.GetJson("/api/workstreams/talker/log?offset=0");
    return first["text"].get<std::string>().find("first line\n") != std::string::npos;
  })) << first;
  EXPECT_EQ(first["running"], true);
  WriteFile(project / "go", "");
  const std::string log_path = Sqlite3(project / ".state/orchestration.db", "SELECT log_path FROM attempts").out;
  json rest;
  ASSERT_TRUE(WaitUntil([&] {
    rest = dashboard.GetJson("/api/workstreams/talker/log?offset=" + first["next_offset"].dump());
    return rest["running"] == false;
  }));
  rest = dashboard.GetJson("/api/workstreams/talker/log?offset=" + first["next_offset"].dump());
  const std::string log = ReadFile(log_path.substr(0, log_path.size() - 1));
  EXPECT_EQ(first["text"].get<std::string>() + rest["text"].get<std::string>(), log);
  EXPECT_NE(rest["text"].get<std::string>().find("second line\n"), std::string::npos) << rest;
  EXPECT_EQ(rest["next_offset"], log.size());
  EXPECT_EQ(WaitForExit(run), 0) << ReadFile(project / "run.out");
}

// Eight clients asking every route over and over while `run --serve` starts,
// watches and ends agents beside them: every answer is whole, and the run ends
// well. Under ThreadSanitizer (in CI) this has the server's threads open the
// state and read logs while the run's loop spawns processes and closes their
// pipes, which is where an unsynchronised access between them would show.
TEST(DashboardTest, ManyClientsAtOnceWhileTheRunStartsAndEndsAgents) {
  TestProject project;
  project.WriteConfig({{"agent-1", ""}, {"agent-2", ""}, {"agent-3", ""}});
  project.AddWorkstream("gate", {});
  project.Hold("gate");
  std::vector<std::string> quick;
  for (int i = 1; i <= 8; ++i) {
    quick.push_back("quick-" + std::to_string(i));
    project.AddWorkstream(quick.back(), {});
  }
  Dashboard dashboard(project.path(), {"run", "--serve", "--port", "0"});
  EventReader reader(dashboard, "/api/events");
  const std::vector<std::string> paths = {"/api/status", "/api/workstreams", "/api/lanes", "/api/workstreams/gate",
                                          "/api/workstreams/gate/log?offset=0", "/api/graph.svg", "/"};
  std::atomic<bool> stop = false;
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<int> rounds(8, 0);
  std::vector<std::thread> clients;
  for (int client_number = 0; client_number < 8; ++client_number) {
    clients.emplace_back([&, client_number] {
      httplib::Client client = dashboard.Client();
      do {
        for (const std::string& path : paths) {
          httplib::Result result = client.Get(path.c_str());
          const bool whole = result && result->status == 200 &&
                             (!path.starts_with("/api/") || path.ends_with(".svg") ||
                              !json::parse(result->body, nullptr, false).is_discarded());
          if (!whole) {
            std::lock_guard<std::mutex> lock(mutex);
            failures.push_back(path + ": " + (result ? std::to_string(result->status) + " " + result->body.substr(0, 200)
                                                     : httplib::to_string(result.error())));
          }
        }
        ++rounds[client_number];
      } while (!stop);
    });
  }
  for (const std::string& id : quick) EXPECT_TRUE(reader.WaitFor("completed", id)) << id;
  stop = true;
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(failures, std::vector<std::string>{});
  for (int client_rounds : rounds) EXPECT_GE(client_rounds, 1);
  project.Release("gate");
  EXPECT_EQ(dashboard.WaitForEnd(), 0) << dashboard.Errors();
  EXPECT_EQ(project.Statuses().at("gate"), "completed");
}

TEST(DashboardTest, RunServeServesWhileTheRunLastsAndStopsAfterIt) {
  TestProject project;
  project.WriteConfig({{"agent-1", ""}});
  project.AddWorkstream("only", {});
  project.Hold("only");
  Dashboard dashboard(project.path(), {"run", "--serve", "--port", "0"});
  EventReader reader(dashboard, "/api/events");
  ASSERT_TRUE(reader.WaitFor("started", "only"));
  EXPECT_EQ(dashboard.GetJson("/api/status")["run"]["state"], "running");
  project.Release("only");
  EXPECT_EQ(dashboard.WaitForEnd(), 0);
  httplib::Client client = dashboard.Client();
  EXPECT_FALSE(client.Get("/api/status"));  // nobody listens any more
}

}  // namespace
}  // namespace orchestra::testing
