// Where the state lives: a SQLite database file (a path) or a PostgreSQL
// server (a postgresql:// URL, from --state or `[state] url`). Messages name a
// URL only through RedactUrl, so a password in it is never printed.
#pragma once

#include <string>

namespace orchestra {

/// True when `location` is a PostgreSQL URL (postgresql:// or postgres://)
/// rather than the path of a SQLite database.
bool IsPostgresUrl(const std::string& location);

/// `url` with its password replaced by `***`, both the one after the user
/// (postgresql://user:secret@host) and a `password=` parameter.
std::string RedactUrl(const std::string& url);

/// How messages name the state: the path as is, a URL redacted.
std::string StateDisplayName(const std::string& location);

/// `text` with every occurrence of the password of `url` replaced by `***`:
/// for messages of the PostgreSQL client library, which may quote the URL.
std::string RedactPasswordOf(const std::string& url, const std::string& text);

/// A message of the PostgreSQL client library (`what()` of a libpqxx
/// exception) as one line: each line trimmed, joined by "; ", a leading
/// "ERROR:" cut, the password of `url` masked.
std::string PostgresMessage(const std::string& url, const std::string& message);

}  // namespace orchestra
