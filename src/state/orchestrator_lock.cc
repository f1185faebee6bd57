// The advisory lock's key is hashtextextended('orchestra state ' ||
// current_database() || '.' || current_schema(), 0): one key per set of state
// tables, which hold one plan, computed by the server so every client derives
// the same one. The connection holding it is named `orchestra pid N on HOST`
// (application_name), which is how Holder() names the owner: pg_locks gives the
// server process holding the key, pg_stat_activity its application name.
#include "orchestrator_lock.h"

#include <unistd.h>

#include <cstdlib>
#include <pqxx/pqxx>

#include "state_url.h"

namespace orchestra {

struct OrchestratorLock::AdvisoryLock {
  std::unique_ptr<pqxx::connection> connection;
};

namespace {

constexpr const char* kKey = "hashtextextended('orchestra state ' || current_database() || '.' || current_schema(), 0)";
constexpr const char* kNamePrefix = "orchestra pid ";

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

std::unique_ptr<pqxx::connection> Connect(const std::string& url) {
  auto connection = std::make_unique<pqxx::connection>(url);
  pqxx::nontransaction(*connection).exec("SET client_min_messages = warning");
  return connection;
}

/// Who holds the key, asked on `connection`.
LockHolder QueryHolder(pqxx::connection& connection) {
  pqxx::nontransaction query(connection);
  const pqxx::result result = query.exec(
      std::string("SELECT COALESCE(a.application_name, '') FROM pg_locks l"
                  " LEFT JOIN pg_stat_activity a ON a.pid = l.pid, (SELECT ") +
      kKey +
      " AS key) k WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
      " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
      " AND l.classid::bigint = ((k.key >> 32) & 4294967295) AND l.objid::bigint = (k.key & 4294967295)");
  LockHolder holder;
  if (result.empty()) return holder;
  holder.held = true;
  // "orchestra pid 123 on host": anything else (another user's session,
  // whose name the server hides) leaves the pid unknown.
  const std::string name = result[0][0].c_str();
  if (name.rfind(kNamePrefix, 0) != 0) return holder;
  char* end = nullptr;
  holder.pid = std::strtol(name.c_str() + std::string(kNamePrefix).size(), &end, 10);
  const std::string on = " on ";
  if (end && std::string(end).rfind(on, 0) == 0) holder.host = std::string(end + on.size());
  holder.local = holder.host == HostName();
  return holder;
}

std::string Describe(const std::string& url, const std::exception& exception) {
  return PostgresMessage(url, exception.what());
}

}  // namespace

OrchestratorLock::OrchestratorLock() = default;

OrchestratorLock::~OrchestratorLock() {
  // Closing the connection releases the advisory lock too, but only once the
  // server has noticed; unlocking first frees it before the destructor returns.
  if (!advisory_lock_) return;
  try {
    pqxx::nontransaction(*advisory_lock_->connection).exec(std::string("SELECT pg_advisory_unlock(") + kKey + ")");
  } catch (const std::exception&) {
  }
  try {
    advisory_lock_.reset();
  } catch (const std::exception&) {
  }
}

bool OrchestratorLock::Acquire(const std::string& state, LockHolder* holder, std::string* error) {
  *holder = LockHolder();
  error->clear();
  if (!IsPostgresUrl(state)) {
    long pid = 0;
    if (file_lock_.Acquire(state, &pid, error)) return true;
    if (error->empty()) {
      holder->held = true;
      holder->pid = pid;
    }
    return false;
  }
  try {
    auto lock = std::make_unique<AdvisoryLock>();
    lock->connection = Connect(state);
    bool locked = false;
    {
      pqxx::nontransaction session(*lock->connection);
      const std::string name = kNamePrefix + std::to_string(getpid()) + " on " + HostName();
      session.exec("SET application_name = " + session.quote(name));
      locked = session.exec(std::string("SELECT pg_try_advisory_lock(") + kKey + ")")[0][0].as<bool>();
    }
    if (locked) {
      advisory_lock_ = std::move(lock);
      return true;
    }
    *holder = QueryHolder(*lock->connection);
    holder->held = true;  // even if it let go this instant: we did not get it
    return false;
  } catch (const std::exception& exception) {
    *error = "cannot lock the state " + RedactUrl(state) + ": " + Describe(state, exception);
    return false;
  }
}

LockHolder OrchestratorLock::Holder(const std::string& state) {
  if (!IsPostgresUrl(state)) {
    LockHolder holder;
    holder.pid = StateLock::Holder(state);
    holder.held = holder.pid != 0;
    return holder;
  }
  try {
    std::unique_ptr<pqxx::connection> connection = Connect(state);
    return QueryHolder(*connection);
  } catch (const std::exception&) {
    return LockHolder();
  }
}

std::string DescribeHolder(const LockHolder& holder) {
  if (holder.pid == 0) return "";
  return " (pid " + std::to_string(holder.pid) + (holder.local || holder.host.empty() ? "" : " on " + holder.host) +
         ")";
}

}  // namespace orchestra
