#include "postgres_server.h"

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <pqxx/pqxx>

#include "cli_harness.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuperuser = "orchestra";
constexpr int kStartTries = 3;  // a free port may be taken before the server binds it

std::unique_ptr<PostgresServer>& SharedServer() {
  static std::unique_ptr<PostgresServer> server;
  return server;
}

/// The folder holding initdb and pg_ctl: Debian's newest
/// /usr/lib/postgresql/<version>/bin, else the one on PATH; "" when none.
std::string FindBinDir() {
  std::error_code ignored;
  std::string best;
  int best_version = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator("/usr/lib/postgresql", ignored)) {
    const std::string bin = entry.path() / "bin";
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && fs::exists(bin + "/initdb", ignored) && fs::exists(bin + "/pg_ctl", ignored)) {
      best = bin;
      best_version = version;
    }
  }
  if (!best.empty()) return best;
  const char* path = std::getenv("PATH");
  std::string list = path ? path : "";
  for (size_t start = 0; start <= list.size();) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    const std::string dir = list.substr(start, end - start);
    if (!dir.empty() && access((dir + "/initdb").c_str(), X_OK) == 0 && access((dir + "/pg_ctl").c_str(), X_OK) == 0) {
      return fs::canonical(dir + "/initdb", ignored).parent_path();
    }
    start = end + 1;
  }
  return "";
}

/// A TCP port on 127.0.0.1 nobody listens on right now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::string Output(const CommandResult& result) { return result.out + result.err; }

/// Why no server can run here ("" when one can), and the bin folder.
std::string CannotRun(std::string* bin_dir) {
  *bin_dir = FindBinDir();
  if (bin_dir->empty()) {
    return "the PostgreSQL server binaries (initdb, pg_ctl) are not installed: looked in "
           "/usr/lib/postgresql/*/bin and on PATH; install Debian's postgresql package (scripts/install-deps.sh)";
  }
  if (geteuid() == 0 && getpwnam("postgres") == nullptr) {
    return "running as root, and there is no 'postgres' user to run initdb and the server as "
           "(Debian's postgresql package creates it)";
  }
  return "";
}

/// The port of the suite's server (ORCHESTRA_TEST_POSTGRES_DIR/port), 0 when none.
int SuitePort() {
  const char* folder = std::getenv("ORCHESTRA_TEST_POSTGRES_DIR");
  if (!folder || !*folder) return 0;
  const std::string text = ReadFile(std::string(folder) + "/port");
  return text.empty() ? 0 : std::atoi(text.c_str());
}

}  // namespace

PostgresServer* PostgresServer::Shared(std::string* why, bool* failed) {
  *failed = false;
  static std::string start_error;
  static bool tried = false;
  if (SharedServer()) return SharedServer().get();
  if (!tried) {
    tried = true;
    if (const int port = SuitePort()) {
      // The suite's server (the ctest fixture): attach, never stop it.
      std::unique_ptr<PostgresServer> server(new PostgresServer());
      server->folder_ = std::getenv("ORCHESTRA_TEST_POSTGRES_DIR");
      server->port_ = port;
      SharedServer() = std::move(server);
      return SharedServer().get();
    }
    std::string bin_dir;
    const std::string cannot = CannotRun(&bin_dir);
    if (!cannot.empty()) {
      start_error = "skipped: " + cannot;
    } else {
      std::unique_ptr<PostgresServer> server(new PostgresServer());
      server->temp_ = std::make_unique<TempDir>();
      server->folder_ = server->temp_->path();
      std::string error;
      if (server->Start(bin_dir, &error)) {
        SharedServer() = std::move(server);
        return SharedServer().get();
      }
      start_error = "cannot start a PostgreSQL server: " + error;
    }
  }
  *failed = start_error.rfind("skipped: ", 0) != 0;
  *why = start_error;
  return nullptr;
}

bool PostgresServer::StartInFolder(const std::string& folder, bool* skipped, std::string* error) {
  std::string bin_dir;
  *error = CannotRun(&bin_dir);
  *skipped = !error->empty();
  if (*skipped) return false;
  std::error_code ignored;
  fs::remove_all(folder, ignored);
  if (!fs::create_directories(folder, ignored)) {
    *error = "cannot create " + folder;
    return false;
  }
  PostgresServer server;
  server.folder_ = fs::absolute(folder);
  if (!server.Start(bin_dir, error)) return false;
  const std::string port = std::to_string(server.port_) + "\n";
  const std::string port_path = server.folder_ + "/port";
  FILE* file = std::fopen(port_path.c_str(), "w");
  if (!file || std::fputs(port.c_str(), file) < 0 || std::fclose(file) != 0) {
    *error = "cannot write " + port_path;
    return false;
  }
  server.running_ = false;  // it outlives this process; StopInFolder stops it
  return true;
}

void PostgresServer::StopInFolder(const std::string& folder) {
  std::string bin_dir;
  if (CannotRun(&bin_dir).empty() && fs::exists(folder + "/data/postmaster.pid")) {
    PostgresServer server;
    server.folder_ = fs::absolute(folder);
    server.bin_dir_ = bin_dir;
    server.as_postgres_user_ = geteuid() == 0;
    server.running_ = true;
    server.Stop();
  }
  std::error_code ignored;
  fs::remove_all(folder, ignored);
}

void PostgresServer::StopShared() { SharedServer().reset(); }

PostgresServer::~PostgresServer() { Stop(); }

std::vector<std::string> PostgresServer::Command(const std::string& program,
                                                 const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  if (as_postgres_user_) argv = {"runuser", "-u", "postgres", "--"};
  argv.push_back(bin_dir_ + "/" + program);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

bool PostgresServer::Start(const std::string& bin_dir, std::string* error) {
  bin_dir_ = bin_dir;
  as_postgres_user_ = geteuid() == 0;
  if (as_postgres_user_) {
    const passwd* user = getpwnam("postgres");
    if (chown(folder_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      *error = "cannot hand " + folder_ + " to the postgres user";
      return false;
    }
  }
  const std::string data = folder_ + "/data";
  const CommandResult initdb = RunCommand(
      folder_, Command("initdb", {"-D", data, "-U", kSuperuser, "-A", "trust", "-E", "UTF8", "--locale=C",
                                         "--no-sync"}));
  if (initdb.exit_code != 0) {
    *error = "initdb failed: " + Output(initdb);
    return false;
  }
  for (int attempt = 0; attempt < kStartTries; ++attempt) {
    port_ = FreePort();
    // fsync off: a test server never needs to survive a power cut.
    const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " +
                                folder_ + " -c fsync=off -c full_page_writes=off -c max_connections=50";
    const CommandResult start = RunCommand(
        folder_, Command("pg_ctl", {"-D", data, "-l", folder_ + "/server.log", "-w", "-o", options, "start"}));
    if (start.exit_code == 0) {
      running_ = true;
      return true;
    }
    *error = "pg_ctl start failed: " + Output(start) + ReadFile(folder_ + "/server.log");
  }
  return false;
}

void PostgresServer::Stop() {
  if (!running_) return;
  running_ = false;
  RunCommand(folder_, Command("pg_ctl", {"-D", folder_ + "/data", "-m", "immediate", "-w", "stop"}));
}

std::string PostgresServer::Url(const std::string& name) const {
  return "postgresql://" + std::string(kSuperuser) + "@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

std::string PostgresServer::CreateDatabase(std::string* error) {
  // The suite's server is shared by every test process: the pid keeps names
  // apart among the live ones. A database of that name is an ended process's
  // (pids are reused over a suite of hundreds of processes): dropped first.
  const std::string name = "orchestra_test_" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  try {
    pqxx::connection connection(Url("postgres"));
    pqxx::nontransaction(connection).exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    pqxx::nontransaction(connection).exec("CREATE DATABASE " + name);
  } catch (const std::exception& exception) {
    *error = "cannot create database " + name + ": " + exception.what();
    return "";
  }
  return Url(name);
}

void PostgresServerEnvironment::TearDown() { PostgresServer::StopShared(); }

int RegisterPostgresServerEnvironment() {
  static const bool registered = (::testing::AddGlobalTestEnvironment(new PostgresServerEnvironment), true);
  return registered ? 1 : 0;
}

void FreshPostgresDatabase(std::string* url) {
  url->clear();
  std::string why;
  bool failed = false;
  PostgresServer* server = PostgresServer::Shared(&why, &failed);
  if (!server && failed) FAIL() << why;
  if (!server) GTEST_SKIP() << why;
  std::string error;
  *url = server->CreateDatabase(&error);
  if (url->empty()) FAIL() << error;
}

std::vector<std::string> PostgresQuery(const std::string& url, const std::string& sql) {
  std::vector<std::string> rows;
  try {
    pqxx::connection connection(url);
    pqxx::nontransaction query(connection);
    for (const pqxx::row& row : query.exec(sql)) {
      std::string line;
      for (pqxx::row::size_type column = 0; column < row.size(); ++column) {
        if (column) line += "|";
        line += row[column].is_null() ? "NULL" : row[column].c_str();
      }
      rows.push_back(line);
    }
  } catch (const std::exception& exception) {
    ADD_FAILURE() << sql << ": " << exception.what();
  }
  return rows;
}

}  // namespace orchestra::testing
