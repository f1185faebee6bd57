#include "secret_scan.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli_harness.h"

namespace orchestra::testing {

namespace {

namespace fs = std::filesystem;

std::string Base64(const std::string& bytes, const char* alphabet) {
  std::string encoded;
  for (size_t i = 0; i + 2 < bytes.size(); i += 3) {
    const unsigned group = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8 |
                           static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) encoded += alphabet[(group >> shift) & 63];
  }
  return encoded;  // whole groups only: the rest depends on what follows
}

std::string PercentEncoded(const std::string& bytes, const char* hex) {
  std::string encoded;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += hex[byte >> 4];
      encoded += hex[byte & 15];
    }
  }
  return encoded;
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Adds a line to `leaks` for each form of each secret found in `text`.
void Check(const std::string& place, const std::string& text, const std::vector<std::string>& secrets,
           std::vector<std::string>* leaks) {
  for (size_t n = 0; n < secrets.size(); ++n) {
    for (const auto& [form, bytes] : SecretForms(secrets[n])) {
      if (text.find(bytes) != std::string::npos) {
        leaks->push_back(place + ": " + form + " of secret " + std::to_string(n + 1));
      }
    }
  }
}

bool IsTestInput(const std::string& relative, const std::vector<std::string>& inputs) {
  return std::any_of(inputs.begin(), inputs.end(), [&](const std::string& input) {
    return relative == input || relative.rfind(input + "/", 0) == 0;
  });
}

void CheckTree(const std::string& root, const std::vector<std::string>& inputs, const std::vector<std::string>& secrets,
               std::vector<std::string>* leaks) {
  if (!fs::is_directory(root)) {
    if (fs::is_regular_file(root)) Check(root, ReadBytes(root), secrets, leaks);
    return;
  }
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error), end;
       it != end; it.increment(error)) {
    if (error) break;
    const std::string relative = fs::relative(it->path(), root).string();
    Check(it->path().string() + " (its name)", relative, secrets, leaks);
    if (IsTestInput(relative, inputs)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    // Fifos and sockets the tests make are skipped: reading one would block.
    if (it->is_regular_file() && !it->is_symlink()) Check(it->path().string(), ReadBytes(it->path()), secrets, leaks);
  }
}

/// Every object of the repository at `dir`, decompressed (loose and packed
/// alike): what the raw bytes of .git/objects cannot show.
void CheckGitObjects(const std::string& dir, const std::vector<std::string>& secrets, std::vector<std::string>* leaks) {
  if (!fs::exists(dir + "/.git")) return;
  const CommandResult objects = RunCommand(dir, {"git", "cat-file", "--batch-all-objects", "--batch"});
  if (objects.exit_code != 0) {
    leaks->push_back(dir + ": cannot read its git objects: " + objects.err);
    return;
  }
  Check(dir + "/.git (its objects, decompressed)", objects.out, secrets, leaks);
}

/// Every value of every table of the SQLite database at `path`.
void CheckTables(const std::string& path, const std::vector<std::string>& secrets, std::vector<std::string>* leaks) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    leaks->push_back(path + ": cannot open it to read its tables: " + sqlite3_errmsg(db));
    sqlite3_close_v2(db);
    return;
  }
  sqlite3_busy_timeout(db, 5000);
  std::vector<std::string> tables;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &statement, nullptr) ==
      SQLITE_OK) {
    while (sqlite3_step(statement) == SQLITE_ROW) {
      tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    }
  }
  sqlite3_finalize(statement);
  for (const std::string& table : tables) {
    if (sqlite3_prepare_v2(db, ("SELECT * FROM \"" + table + "\"").c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      leaks->push_back(path + ": cannot read table " + table + ": " + sqlite3_errmsg(db));
      continue;
    }
    std::string values;
    while (sqlite3_step(statement) == SQLITE_ROW) {
      for (int column = 0; column < sqlite3_column_count(statement); ++column) {
        const void* bytes = sqlite3_column_blob(statement, column);
        if (bytes != nullptr) values.append(static_cast<const char*>(bytes), sqlite3_column_bytes(statement, column));
        values += '\n';
      }
    }
    sqlite3_finalize(statement);
    Check(path + " (table " + table + ")", values, secrets, leaks);
  }
  sqlite3_close_v2(db);
}

}  // namespace

std::string CampaignSecrets::EnvLine() const {
  return "env = { ANTHROPIC_API_KEY = \"" + api_key + "\", DEPLOY_HOOK = \"" + hook + "\" }\n";
}

ExportedSecrets::ExportedSecrets(const CampaignSecrets& secrets) {
  setenv("ANTHROPIC_API_KEY", secrets.api_key.c_str(), 1);
  setenv("DEPLOY_HOOK", secrets.hook.c_str(), 1);
}

ExportedSecrets::~ExportedSecrets() {
  unsetenv("ANTHROPIC_API_KEY");
  unsetenv("DEPLOY_HOOK");
}

std::string CampaignSecrets::RedactTable() const { return "[secrets]\nredact = [\"DEPLOY_HOOK\"]\n"; }

std::vector<std::pair<std::string, std::string>> SecretForms(const std::string& secret) {
  static const char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static const char kUrlSafe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::vector<std::pair<std::string, std::string>> forms = {{"the raw value", secret}};
  for (int offset = 0; offset < 3; ++offset) {
    // Preceded by `offset` bytes, the secret's own groups start after the
    // first (mixed) group; only the groups made of its bytes alone are looked for.
    const std::string aligned = std::string(static_cast<size_t>(offset), '\0') + secret;
    for (const auto& [name, alphabet] : {std::pair{"base64", kStandard}, std::pair{"base64url", kUrlSafe}}) {
      std::string encoded = Base64(aligned, alphabet);
      if (offset > 0) encoded = encoded.substr(std::min<size_t>(4, encoded.size()));
      const std::string form = std::string(name) + " (offset " + std::to_string(offset) + ")";
      if (encoded.size() >= 8 && std::none_of(forms.begin(), forms.end(), [&](const auto& known) {
            return known.second == encoded;
          })) {
        forms.emplace_back(form, encoded);
      }
    }
  }
  for (const char* hex : {"0123456789ABCDEF", "0123456789abcdef"}) {
    const std::string encoded = PercentEncoded(secret, hex);
    if (std::none_of(forms.begin(), forms.end(), [&](const auto& known) { return known.second == encoded; })) {
      forms.emplace_back(std::string("the URL-encoded value (") + (hex[10] == 'A' ? "upper" : "lower") + "-case hex)",
                         encoded);
    }
  }
  return forms;
}

std::vector<std::string> SecretLeaks(const SecretScan& scan, const std::vector<std::string>& secrets) {
  std::vector<std::string> leaks;
  if (!scan.project_dir.empty()) {
    CheckTree(scan.project_dir, scan.test_inputs, secrets, &leaks);
    CheckGitObjects(scan.project_dir, secrets, &leaks);
  }
  for (const std::string& path : scan.extra_paths) CheckTree(path, {}, secrets, &leaks);
  for (const auto& [name, text] : scan.outputs) Check(name, text, secrets, &leaks);
  std::vector<std::string> databases = scan.databases;
  const std::string state = scan.project_dir + "/.state/orchestration.db";
  if (!scan.project_dir.empty() && fs::exists(state) && std::find(databases.begin(), databases.end(), state) == databases.end()) {
    databases.push_back(state);
  }
  for (const std::string& database : databases) CheckTables(database, secrets, &leaks);
  return leaks;
}

}  // namespace orchestra::testing
