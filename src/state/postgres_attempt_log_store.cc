#include "postgres_attempt_log_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <pqxx/pqxx>

#include "state_url.h"

namespace orchestra {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

/// `bytes` in hex, for decode(..., 'hex').
std::string Hex(std::string_view bytes) {
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    text += kHexDigits[value >> 4];
    text += kHexDigits[value & 0xF];
  }
  return text;
}

int HexValue(char digit) { return digit <= '9' ? digit - '0' : digit - 'a' + 10; }

/// The bytes of encode(..., 'hex') text.
std::string FromHex(const char* text, size_t length) {
  std::string bytes(length / 2, '\0');
  for (size_t i = 0; i + 1 < length; i += 2) bytes[i / 2] = static_cast<char>(HexValue(text[i]) * 16 + HexValue(text[i + 1]));
  return bytes;
}

int64_t SizeOf(pqxx::transaction_base& transaction, int64_t attempt_id) {
  const pqxx::result result = transaction.exec_params(
      "SELECT COALESCE(MAX(byte_offset + length(bytes)), 0) FROM attempt_log_chunks WHERE attempt_id = $1",
      attempt_id);
  return result[0][0].as<int64_t>();
}

}  // namespace

struct PostgresAttemptLogStore::Session {
  std::unique_ptr<pqxx::connection> connection;

  /// The connection, made on first use (and again after it was lost); throws
  /// what libpqxx throws.
  pqxx::connection& Connect(const std::string& url, bool read_only) {
    if (!connection || !connection->is_open()) {
      connection = std::make_unique<pqxx::connection>(url);
      pqxx::nontransaction settings(*connection);
      settings.exec(
          "SET client_min_messages = warning; SET application_name = 'orchestra logs';"
          " SET synchronous_commit = off;"
          // Never wait long on a lock: a copy that cannot be written now is
          // reported (log_not_copied), not waited for on the run's loop.
          " SET lock_timeout = '10s'");
      if (read_only) settings.exec("SET default_transaction_read_only = on");
    }
    return *connection;
  }
};

PostgresAttemptLogStore::PostgresAttemptLogStore(std::string url, bool read_only)
    : url_(std::move(url)), read_only_(read_only), session_(std::make_unique<Session>()) {}

PostgresAttemptLogStore::~PostgresAttemptLogStore() {
  try {
    session_.reset();
  } catch (const std::exception&) {
  }
}

bool PostgresAttemptLogStore::AppendChunk(int64_t attempt_id, int64_t offset, std::string_view bytes,
                                          std::string* error) {
  try {
    pqxx::work work(session_->Connect(url_, read_only_));
    for (size_t done = 0; done < bytes.size();) {
      const size_t length = std::min(bytes.size() - done, static_cast<size_t>(kChunkBytes));
      work.exec_params(
          "INSERT INTO attempt_log_chunks (attempt_id, byte_offset, bytes) VALUES ($1, $2, decode($3, 'hex'))"
          " ON CONFLICT (attempt_id, byte_offset) DO NOTHING",
          attempt_id, offset + static_cast<int64_t>(done), Hex(bytes.substr(done, length)));
      done += length;
    }
    work.commit();
    return true;
  } catch (const std::exception& exception) {
    *error = fmt::format("state store: copy the log of attempt {}: {}", attempt_id,
                         PostgresMessage(url_, exception.what()));
    return false;
  }
}

bool PostgresAttemptLogStore::StoredSize(int64_t attempt_id, int64_t* size, std::string* error) {
  try {
    pqxx::read_transaction read(session_->Connect(url_, read_only_));
    *size = SizeOf(read, attempt_id);
    return true;
  } catch (const std::exception& exception) {
    *error = fmt::format("state store: read the size of the log of attempt {}: {}", attempt_id,
                         PostgresMessage(url_, exception.what()));
    return false;
  }
}

bool PostgresAttemptLogStore::ReadRange(int64_t attempt_id, int64_t offset, int64_t max_bytes, std::string* bytes,
                                        int64_t* start, int64_t* size, std::string* error) {
  bytes->clear();
  try {
    pqxx::read_transaction read(session_->Connect(url_, read_only_));
    *size = SizeOf(read, attempt_id);
    *start = offset < 0 ? std::max<int64_t>(0, *size - max_bytes) : std::min(offset, *size);
    const int64_t end = std::min(*size, *start + std::max<int64_t>(max_bytes, 0));
    if (end <= *start) return true;
    // The chunks overlapping [start, end), each cut to it by the server.
    const pqxx::result chunks = read.exec_params(
        "SELECT GREATEST(byte_offset, $2::bigint), encode(substring(bytes"
        " FROM (GREATEST($2::bigint - byte_offset, 0) + 1)::int FOR ($3::bigint - GREATEST($2::bigint, byte_offset))::int),"
        " 'hex') FROM attempt_log_chunks"
        " WHERE attempt_id = $1 AND byte_offset < $3::bigint AND byte_offset + length(bytes) > $2::bigint"
        " ORDER BY byte_offset",
        attempt_id, *start, end);
    for (const pqxx::row& row : chunks) {
      const int64_t reached = *start + static_cast<int64_t>(bytes->size());
      const int64_t chunk_start = row[0].as<int64_t>();
      if (chunk_start > reached) break;  // a gap (a copy under way): stop before it
      const std::string chunk = FromHex(row[1].c_str(), row[1].size());
      const auto overlap = static_cast<size_t>(reached - chunk_start);  // already read from an earlier chunk
      if (overlap < chunk.size()) bytes->append(chunk, overlap);
    }
    return true;
  } catch (const std::exception& exception) {
    *error = fmt::format("state store: read the log of attempt {}: {}", attempt_id,
                         PostgresMessage(url_, exception.what()));
    return false;
  }
}

}  // namespace orchestra
