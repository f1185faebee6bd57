#include "test_state.h"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <pqxx/pqxx>

#include "postgres_server.h"

namespace orchestra::testing {
namespace {

namespace fs = std::filesystem;

/// Skips every test of the PostgreSQL pass when the suite has no server.
class PostgresPassEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!StateIsPostgres()) return;
    std::string why;
    bool failed = false;
    if (PostgresServer::Shared(&why, &failed)) return;
    if (failed) FAIL() << why;
    GTEST_SKIP() << why;
  }
};

const bool kPassEnvironment = (::testing::AddGlobalTestEnvironment(new PostgresPassEnvironment), true);

std::string Key(const std::string& dir) {
  std::error_code ignored;
  return fs::weakly_canonical(fs::absolute(dir), ignored).string();
}

bool SqliteRows(const std::string& path, const std::string& sql, std::vector<std::vector<std::string>>* rows,
                std::string* error) {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK;
  sqlite3_stmt* statement = nullptr;
  if (ok) {
    sqlite3_busy_timeout(db, 5000);
    ok = sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK;
  }
  int step = SQLITE_DONE;
  while (ok && (step = sqlite3_step(statement)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int column = 0; column < sqlite3_column_count(statement); ++column) {
      const unsigned char* text = sqlite3_column_text(statement, column);
      row.push_back(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows->push_back(std::move(row));
  }
  ok = ok && step == SQLITE_DONE;
  if (!ok) *error = path + ": " + sql + ": " + sqlite3_errmsg(db);
  sqlite3_finalize(statement);
  sqlite3_close_v2(db);
  return ok;
}

bool PostgresRows(const std::string& url, const std::string& sql, std::vector<std::vector<std::string>>* rows,
                  std::string* error) {
  try {
    pqxx::connection connection(url);
    pqxx::nontransaction query(connection);
    for (const pqxx::row& row : query.exec(sql)) {
      std::vector<std::string> columns;
      for (pqxx::row::size_type column = 0; column < row.size(); ++column) {
        columns.push_back(row[column].is_null() ? "NULL" : row[column].c_str());
      }
      rows->push_back(std::move(columns));
    }
    return true;
  } catch (const std::exception& exception) {
    *error = url + ": " + sql + ": " + exception.what();
    return false;
  }
}

}  // namespace

bool StateIsPostgres() {
  const char* state = std::getenv("ORCHESTRA_TEST_STATE");
  return state && std::string(state) == "postgres";
}

std::string PostgresStateFor(const std::string& project_dir) {
  if (!StateIsPostgres()) return "";
  static std::map<std::string, std::string> urls;  // by project folder
  const std::string key = Key(project_dir);
  const auto found = urls.find(key);
  if (found != urls.end()) return found->second;
  std::string why;
  bool failed = false;
  PostgresServer* server = PostgresServer::Shared(&why, &failed);
  if (!server) return "";
  std::string error;
  const std::string url = server->CreateDatabase(&error);
  if (url.empty()) ADD_FAILURE() << error;
  return urls[key] = url;
}

std::string PostgresStateOfFile(const std::string& state_path) {
  if (!StateIsPostgres()) return "";
  const fs::path path = fs::absolute(state_path).lexically_normal();
  if (path.filename() != "orchestration.db" || path.parent_path().filename() != ".state") return "";
  return PostgresStateFor(path.parent_path().parent_path().string());
}

std::vector<std::string> WithTestState(const std::string& cwd, const std::vector<std::string>& args) {
  if (!StateIsPostgres()) return args;
  std::string project = cwd;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--state" || args[i].rfind("--state=", 0) == 0) return args;
    if (args[i] == "-C" && i + 1 < args.size()) project = (fs::path(cwd) / args[i + 1]).string();
  }
  const std::string url = PostgresStateFor(project);
  if (url.empty()) return args;
  std::vector<std::string> with{"--state", url};
  with.insert(with.end(), args.begin(), args.end());
  return with;
}

bool StateRows(const std::string& state_path, const std::string& sql, std::vector<std::vector<std::string>>* rows,
               std::string* error) {
  rows->clear();
  const std::string url = PostgresStateOfFile(state_path);
  return url.empty() ? SqliteRows(state_path, sql, rows, error) : PostgresRows(url, sql, rows, error);
}

}  // namespace orchestra::testing
