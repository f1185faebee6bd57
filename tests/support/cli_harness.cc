#include "cli_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "test_state.h"
#include "test_paths.h"

namespace orchestra::testing {

namespace fs = std::filesystem;

void WriteFile(const std::string& path, const std::string& text, bool executable) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::trunc) << text;
  if (executable) fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

bool SleepSeconds(double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return true;
}

namespace {

pid_t Spawn(const std::string& cwd, const std::vector<std::string>& argv, const std::string& out_path,
            const std::string& err_path) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

int WaitForExit(pid_t pid, double timeout_seconds) {
  int status = 0;
  const bool exited = WaitUntil([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout_seconds);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ADD_FAILURE() << "process " << pid << " did not exit within " << timeout_seconds << "s";
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

CommandResult RunCommand(const std::string& cwd, const std::vector<std::string>& argv,
                         double timeout_seconds) {
  TempDir capture;
  const pid_t pid = Spawn(cwd, argv, capture / "out", capture / "err");
  CommandResult result;
  result.exit_code = WaitForExit(pid, timeout_seconds);
  result.out = ReadFile(capture / "out");
  result.err = ReadFile(capture / "err");
  return result;
}

CommandResult RunOrchestra(const std::string& cwd, const std::vector<std::string>& args,
                           double timeout_seconds) {
  std::vector<std::string> argv{ORCHESTRA_BINARY};
  const std::vector<std::string> with_state = WithTestState(cwd, args);
  argv.insert(argv.end(), with_state.begin(), with_state.end());
  return RunCommand(cwd, argv, timeout_seconds);
}

pid_t StartOrchestra(const std::string& cwd, const std::vector<std::string>& args,
                     const std::string& log_path) {
  std::vector<std::string> argv{ORCHESTRA_BINARY};
  const std::vector<std::string> with_state = WithTestState(cwd, args);
  argv.insert(argv.end(), with_state.begin(), with_state.end());
  return Spawn(cwd, argv, log_path, log_path + ".err");
}

CommandResult Sqlite3(const std::string& database, const std::string& query) {
  if (PostgresStateOfFile(database).empty()) {
    return RunCommand("/", {"sqlite3", "-cmd", ".timeout 5000", database, query});
  }
  // The PostgreSQL pass: the project's database, printed as sqlite3 prints (NULL as nothing).
  CommandResult result;
  std::vector<std::vector<std::string>> rows;
  if (!StateRows(database, query, &rows, &result.err)) {
    result.exit_code = 1;
    return result;
  }
  result.exit_code = 0;
  for (const std::vector<std::string>& row : rows) {
    for (size_t column = 0; column < row.size(); ++column) {
      result.out += (column ? "|" : "") + (row[column] == "NULL" ? "" : row[column]);
    }
    result.out += "\n";
  }
  return result;
}

bool ProcessAlive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  const size_t close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

bool WaitUntilGone(pid_t pid) {
  return WaitUntil([pid] { return !ProcessAlive(pid); });
}

}  // namespace orchestra::testing
