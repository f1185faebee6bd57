// A dashboard process for the tests that ask `orchestra serve` (or `run
// --serve`) over HTTP: started, its port read from its first line, stopped.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "cli_harness.h"

namespace orchestra::testing {

/// A dashboard process: `orchestra <args>` whose first stdout line says
/// where it serves. Stopped with SIGTERM when the test ends.
class Dashboard {
 public:
  Dashboard(const std::string& cwd, const std::vector<std::string>& args)
      : log_(cwd + "/serve-" + std::to_string(++count_) + ".out") {
    pid_ = StartOrchestra(cwd, args, log_);
    const std::regex serving("serving http://[0-9.]+:([0-9]+)/");
    // The match points into the line it matched: the port is read while the line lives.
    const bool started = WaitUntil([&] {
      const std::vector<std::string> lines = ReadLines(log_);
      std::smatch match;
      if (lines.empty() || !std::regex_match(lines[0], match, serving)) return false;
      port_ = std::stoi(match[1]);
      return true;
    });
    EXPECT_TRUE(started) << ReadFile(log_) << Errors();
    // One request from the constructing thread before any the test starts: the
    // client code of Debian's (uninstrumented) cpp-httplib builds function-local
    // static regexes on first use, and a second thread that finds one built
    // reads it through the guard's inline check, which ThreadSanitizer cannot
    // see; built here, before those threads exist, they are ordered for it.
    if (started) Client().Get("/");
  }
  ~Dashboard() { Stop(); }

  /// Ends the process with SIGTERM; its exit code.
  int Stop() {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, SIGTERM);
    exit_code_ = WaitForExit(pid_);
    pid_ = 0;
    return exit_code_;
  }
  /// Waits for the process to end by itself; its exit code.
  int WaitForEnd() {
    exit_code_ = WaitForExit(pid_);
    pid_ = 0;
    return exit_code_;
  }
  std::vector<std::string> Output() const { return ReadLines(log_); }
  /// What the process wrote on its standard error.
  std::string Errors() const { return ReadFile(log_ + ".err"); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60);
    return client;
  }
  /// GET `path`: the answer, failing the test when there is none.
  httplib::Response Get(const std::string& path, const httplib::Headers& headers = {}) const {
    httplib::Client client = Client();
    httplib::Result result = client.Get(path.c_str(), headers);
    EXPECT_TRUE(result) << path << ": " << httplib::to_string(result.error());
    return result ? result.value() : httplib::Response();
  }
  nlohmann::json GetJson(const std::string& path) const {
    const httplib::Response response = Get(path);
    EXPECT_EQ(response.status, 200) << path << ": " << response.body;
    EXPECT_EQ(response.get_header_value("Content-Type"), "application/json") << path;
    return nlohmann::json::parse(response.body, nullptr, false);
  }

 private:
  static inline int count_ = 0;
  std::string log_;
  pid_t pid_ = 0;
  int port_ = 0;
  int exit_code_ = -1;
};

}  // namespace orchestra::testing
