// Prepared SQLite statements of one connection, compiled once and reused:
// the state store runs the same few statements for every transition, and
// compiling one costs more than running it. StatementCache keeps them;
// Statement borrows one for a single use (binds, steps, reads columns) and
// hands it back reset, with its bindings cleared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace orchestra {

/// StatementCache holds the prepared statements of one connection, by SQL
/// text, each compiled once (SQLITE_PREPARE_PERSISTENT) for the connection's
/// life. Not thread-safe, like the connection. Finalizes them all when
/// destroyed, which must happen before the connection is closed.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();

  sqlite3* db() const { return db_; }

  /// The statement for `sql` (one statement, no trailing SQL), ready to bind
  /// and step; `*borrowed` tells whether the cache keeps it (give it back
  /// with Release) or the caller owns it (finalize it): a statement already
  /// borrowed and not given back yet (a nested use of the same SQL) is
  /// prepared afresh, and so is a PRAGMA (SQLite applies it, or reads its
  /// value, while compiling). Null with `*error` when it does not compile.
  sqlite3_stmt* Acquire(std::string_view sql, bool* borrowed, std::string* error);
  /// Gives back a statement from Acquire: reset (a failed step's error is
  /// already reported), bindings cleared.
  void Release(sqlite3_stmt* statement);

  /// How many times a statement was compiled (for tests: reuse keeps it flat).
  int64_t prepare_count() const { return prepare_count_; }

 private:
  struct Entry {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
  };
  /// Hashes std::string and string_view alike, so a lookup copies nothing.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  sqlite3_stmt* Prepare(std::string_view sql, unsigned flags, std::string* error);

  sqlite3* db_;
  std::unordered_map<std::string, Entry, TextHash, std::equal_to<>> entries_;
  int64_t prepare_count_ = 0;
};

/// Statement is one use of a prepared statement. Binding errors are
/// remembered and reported by the first Step, so call sites bind without
/// checking each call.
class Statement {
 public:
  /// Borrows the cache's statement for `sql`.
  Statement(StatementCache* cache, std::string_view sql);
  /// Compiles `sql` for this one use (before a store exists, or for SQL run once).
  Statement(sqlite3* db, std::string_view sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  /// Binds `text`, or NULL when it is empty (absent values are NULL in the state).
  Statement& BindText(int index, const std::string& text);
  Statement& BindInt(int index, int64_t value);
  /// Binds `value`, or NULL when it is 0 (a pid not known yet).
  Statement& BindNonZero(int index, int64_t value) { return value == 0 ? BindNull(index) : BindInt(index, value); }
  Statement& BindOptional(int index, const std::optional<int>& value) {
    return value ? BindInt(index, *value) : BindNull(index);
  }
  Statement& BindReal(int index, double value);
  Statement& BindOptionalReal(int index, const std::optional<double>& value) {
    return value ? BindReal(index, *value) : BindNull(index);
  }
  Statement& BindNull(int index);

  /// Advances once: true with `*row` set when a row came, true with `*row`
  /// false when done, false with `*error` on failure.
  bool Step(bool* row, std::string* error);
  /// Runs a statement that returns no rows.
  bool Run(std::string* error) {
    bool row = false;
    return Step(&row, error);
  }
  /// Runs an UPDATE meant to change exactly one row; when no row matched it
  /// fails with `missing` as the error ("no such attempt").
  bool RunOnOneRow(const std::string& missing, std::string* error);

  std::string Text(int column) const;
  int64_t Int(int column) const;
  double Real(int column) const;
  std::optional<double> OptionalReal(int column) const;
  std::optional<int> Optional(int column) const;

 private:
  Statement& Check(int code);

  sqlite3* db_;
  StatementCache* cache_ = nullptr;  // set when the statement is borrowed from it
  sqlite3_stmt* statement_ = nullptr;
  std::string error_;
};

/// Runs one statement of `sql` that returns no rows (BEGIN, COMMIT, a pragma),
/// prepared once in `cache`.
bool ExecuteCached(StatementCache* cache, std::string_view sql, std::string* error);

}  // namespace orchestra
