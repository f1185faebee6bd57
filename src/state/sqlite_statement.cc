#include "sqlite_statement.h"

#include <sqlite3.h>

namespace orchestra {

StatementCache::~StatementCache() {
  for (auto& [sql, entry] : entries_) sqlite3_finalize(entry.statement);
}

sqlite3_stmt* StatementCache::Prepare(std::string_view sql, unsigned flags, std::string* error) {
  ++prepare_count_;
  sqlite3_stmt* statement = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &statement, &tail) != SQLITE_OK) {
    *error = sqlite3_errmsg(db_);
    return nullptr;
  }
  if (tail != nullptr && tail != sql.data() + sql.size() &&
      std::string_view(tail, sql.data() + sql.size() - tail).find_first_not_of(" \t\n;") != std::string_view::npos) {
    sqlite3_finalize(statement);
    *error = "more than one statement in: " + std::string(sql);
    return nullptr;
  }
  if (statement == nullptr) *error = "no statement in: '" + std::string(sql) + "'";
  return statement;
}

sqlite3_stmt* StatementCache::Acquire(std::string_view sql, bool* borrowed, std::string* error) {
  // SQLite carries out a pragma while compiling it (a setting is applied, a
  // value read into the program), so running a kept one again would do nothing.
  if (sql.starts_with("PRAGMA") || sql.starts_with("pragma")) {
    *borrowed = false;
    return Prepare(sql, 0, error);
  }
  auto found = entries_.find(sql);
  if (found != entries_.end() && found->second.in_use) {
    *borrowed = false;  // nested use of the same SQL: one of its own
    return Prepare(sql, 0, error);
  }
  if (found == entries_.end()) {
    sqlite3_stmt* statement = Prepare(sql, SQLITE_PREPARE_PERSISTENT, error);
    if (statement == nullptr) return nullptr;
    found = entries_.emplace(std::string(sql), Entry{statement, false}).first;
  }
  found->second.in_use = true;
  *borrowed = true;
  return found->second.statement;
}

void StatementCache::Release(sqlite3_stmt* statement) {
  // A reset ends the statement's read (an unfinished SELECT would otherwise
  // hold a read transaction open); its return repeats a step's error, which
  // was reported already.
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  for (auto& [sql, entry] : entries_) {
    if (entry.statement == statement) {
      entry.in_use = false;
      return;
    }
  }
}

Statement::Statement(StatementCache* cache, std::string_view sql) : db_(cache->db()) {
  bool borrowed = false;
  statement_ = cache->Acquire(sql, &borrowed, &error_);
  if (borrowed) cache_ = cache;
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
    error_ = sqlite3_errmsg(db);
  }
}

Statement::~Statement() {
  if (cache_ != nullptr) {
    cache_->Release(statement_);
  } else {
    sqlite3_finalize(statement_);
  }
}

Statement& Statement::BindText(int index, const std::string& text) {
  if (text.empty()) return BindNull(index);
  return Check(
      sqlite3_bind_text(statement_, index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
}

Statement& Statement::BindInt(int index, int64_t value) { return Check(sqlite3_bind_int64(statement_, index, value)); }

Statement& Statement::BindReal(int index, double value) {
  return Check(sqlite3_bind_double(statement_, index, value));
}

Statement& Statement::BindNull(int index) { return Check(sqlite3_bind_null(statement_, index)); }

bool Statement::Step(bool* row, std::string* error) {
  if (error_.empty()) {
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW || code == SQLITE_DONE) {
      *row = code == SQLITE_ROW;
      return true;
    }
    error_ = sqlite3_errmsg(db_);
  }
  *error = error_;
  return false;
}

bool Statement::RunOnOneRow(const std::string& missing, std::string* error) {
  if (!Run(error)) return false;
  if (sqlite3_changes(db_) == 1) return true;
  *error = missing;
  return false;
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  return text ? reinterpret_cast<const char*>(text) : "";
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(statement_, column); }

double Statement::Real(int column) const { return sqlite3_column_double(statement_, column); }

std::optional<double> Statement::OptionalReal(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(statement_, column);
}

std::optional<int> Statement::Optional(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int(statement_, column);
}

Statement& Statement::Check(int code) {
  if (code != SQLITE_OK && error_.empty()) error_ = sqlite3_errmsg(db_);
  return *this;
}

bool ExecuteCached(StatementCache* cache, std::string_view sql, std::string* error) {
  return Statement(cache, sql).Run(error);
}

}  // namespace orchestra
