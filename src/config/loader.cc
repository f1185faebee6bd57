#include "loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "clean_workstreams.h"
#include "json_depth.h"
#include "json_positions.h"
#include "run_beside.h"
#include "text_encoding.h"
#include "validate.h"
#include "workstream_fields.h"

namespace orchestra {
namespace {

using nlohmann::json;

// How a wrong value reads in "'x' must be ..., not <this>": scalars as written
// (long strings shortened), containers and null by their kind.
std::string Describe(const json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_string()) {
    constexpr size_t kMaxLength = 40;
    std::string text = value.get<std::string>();
    if (text.size() > kMaxLength) {
      size_t cut = kMaxLength;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      text = text.substr(0, cut) + "...";
    }
    return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// WorkstreamReader reads one workstream object into a Workstream, reporting
/// every problem at the position of the field that has it. A field with the
/// wrong type makes the whole workstream unusable, but reading goes on so one
/// run shows all of its problems.
class WorkstreamReader {
 public:
  WorkstreamReader(const std::string& file, const JsonPositions& positions, const json& object,
                   std::string pointer, Diagnostics* diagnostics)
      : file_(file),
        positions_(positions),
        object_(object),
        pointer_(std::move(pointer)),
        diagnostics_(diagnostics) {}

  /// Fills `workstream`; false when any error was reported. Its problems are
  /// reported in file order, as a reader fixing them goes down the file.
  bool Read(Workstream* workstream, std::vector<std::string>* warned_fields) {
    const TextPosition start = positions_.Find(pointer_);
    workstream->file = file_;
    workstream->line = start.line;
    workstream->column = start.column;
    ReadId(&workstream->id);
    ReadString("title", &workstream->title);
    ReadString("prompt", &workstream->prompt);
    ReadString("track", &workstream->track);
    ReadString("agent", &workstream->agent_type);
    ReadString("tool", &workstream->tool);
    ReadStringList("tasks", &workstream->tasks);
    ReadPathList("files_scope", &workstream->files_scope);
    ReadPathList("files_create", &workstream->files_create);
    ReadStringList("acceptance_tests", &workstream->acceptance_tests);
    ReadDependsOn(&workstream->depends_on);
    CheckMetadata();
    ReadAllowEmpty(&workstream->allow_empty);
    ReadEstimate(workstream);
    ReadTimeout(&workstream->timeout_seconds);
    ReadMaxAttempts(&workstream->max_attempts);
    ReadMaxCost(&workstream->max_cost_usd);
    ReadPriority(&workstream->priority);
    WarnUnknownFields(warned_fields);
    ReportInFileOrder();
    return !found_.HasErrors();
  }

 private:
  void ReportInFileOrder() {
    std::vector<Diagnostic> found = found_.items();
    std::stable_sort(found.begin(), found.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    for (Diagnostic& diagnostic : found) diagnostics_->Add(std::move(diagnostic));
  }

  const json* Field(const std::string& name) const {
    auto found = object_.find(name);
    return found == object_.end() ? nullptr : &*found;
  }

  const json* Metadata() const {
    const json* metadata = Field("metadata");
    return metadata != nullptr && metadata->is_object() ? metadata : nullptr;
  }

  std::string Pointer(const std::string& field) const { return JsonPointerChild(pointer_, field); }

  // "files_scope[2]": how an element is named in messages.
  static std::string ElementName(const std::string& name, size_t index) {
    return name + "[" + std::to_string(index) + "]";
  }

  void Error(const std::string& pointer, const std::string& message, const std::string& hint = "") {
    const TextPosition position = positions_.Find(pointer);
    found_.Error(file_, position.line, position.column, message, hint);
  }

  void Warning(const std::string& pointer, const std::string& message,
               const std::string& hint = "") {
    const TextPosition position = positions_.Find(pointer);
    found_.Warning(file_, position.line, position.column, message, hint);
  }

  // "'<name>' must be <expected>, not <what was there>" at the value's position.
  void WrongValue(const std::string& pointer, const std::string& name, const std::string& expected,
                  const json& value, const std::string& hint = "") {
    Error(pointer, "'" + name + "' must be " + expected + ", not " + Describe(value), hint);
  }

  void ReadId(std::string* id) {
    const json* value = Field("id");
    if (value == nullptr) {
      Error(pointer_, "workstream has no 'id'",
            "add \"id\": \"ws-name\"; the id names the workstream's branch, log and dependencies");
      return;
    }
    if (!value->is_string() || value->get<std::string>().empty()) {
      WrongValue(Pointer("id"), "id", "a non-empty string", *value);
      return;
    }
    *id = value->get<std::string>();
    if (id->size() > kMaxWorkstreamIdBytes) {
      Error(Pointer("id"),
            "'id' is " + std::to_string(id->size()) + " bytes long; at most " +
                std::to_string(kMaxWorkstreamIdBytes) + " are allowed",
            "shorten it: the id names the branch orchestra/<id>, and git's lock file <id>.lock "
            "must fit in a file name of 255 bytes");
      return;
    }
    if (!IsValidWorkstreamId(*id)) {
      WrongValue(Pointer("id"), "id", "a valid workstream id", *value,
                 "ids name git branches and files: use letters, digits, '.', '_' and '-', "
                 "do not start with '.' or '-', and avoid '..' and a trailing '.' or '.lock'");
    }
  }

  void ReadString(const std::string& name, std::string* out) {
    const json* value = Field(name);
    if (value == nullptr) return;
    if (!value->is_string()) {
      WrongValue(Pointer(name), name, "a string", *value);
      return;
    }
    *out = value->get<std::string>();
  }

  // Every element that is not a string is reported at its own position; `out`
  // is filled only when all are strings, so its indices are the file's.
  void ReadStringList(const std::string& name, std::vector<std::string>* out) {
    const json* value = Field(name);
    if (value == nullptr) return;
    if (!value->is_array()) {
      WrongValue(Pointer(name), name, "an array of strings", *value);
      return;
    }
    bool all_strings = true;
    for (size_t index = 0; index < value->size(); ++index) {
      const json& element = (*value)[index];
      if (!element.is_string()) {
        WrongValue(JsonPointerChild(Pointer(name), index), ElementName(name, index), "a string",
                   element);
        all_strings = false;
      }
    }
    if (all_strings) *out = value->get<std::vector<std::string>>();
  }

  // Paths reach an agent's argv through {files}: one starting with '-' would
  // be read there as an option (`--help`, `--read=/etc/passwd`).
  void ReadPathList(const std::string& name, std::vector<std::string>* paths) {
    ReadStringList(name, paths);
    for (size_t index = 0; index < paths->size(); ++index) {
      const std::string& path = (*paths)[index];
      if (!path.starts_with('-')) continue;
      WrongValue(JsonPointerChild(Pointer(name), index), ElementName(name, index),
                 "a path that does not start with '-'", json(path),
                 "an agent's program would read it as an option; write \"./" + path +
                     "\" to name a file whose name starts with '-'");
    }
  }

  // Repeats are harmless (the upstream plans have some), so they are dropped
  // with a warning rather than failing the load.
  void ReadDependsOn(std::vector<std::string>* depends_on) {
    std::vector<std::string> listed;
    ReadStringList("depends_on", &listed);
    for (size_t index = 0; index < listed.size(); ++index) {
      const std::string& dependency = listed[index];
      // Too long to be any workstream's id; said here, at its position, and
      // shortened, rather than quoted whole as an unknown dependency.
      if (dependency.size() > kMaxWorkstreamIdBytes) {
        WrongValue(JsonPointerChild(Pointer("depends_on"), index), ElementName("depends_on", index),
                   "a workstream id of at most " + std::to_string(kMaxWorkstreamIdBytes) + " bytes",
                   json(dependency), "name the id of a workstream");
        continue;
      }
      if (std::find(depends_on->begin(), depends_on->end(), dependency) != depends_on->end()) {
        Warning(JsonPointerChild(Pointer("depends_on"), index),
                "'" + dependency + "' is listed twice in depends_on", "the repeat is ignored");
        continue;
      }
      depends_on->push_back(dependency);
    }
  }

  void CheckMetadata() {
    const json* metadata = Field("metadata");
    if (metadata != nullptr && !metadata->is_object()) {
      WrongValue(Pointer("metadata"), "metadata", "an object", *metadata);
    }
  }

  void ReadAllowEmpty(bool* out) {
    const json* allow_empty = Field("allow_empty");
    if (allow_empty == nullptr) return;
    if (!allow_empty->is_boolean()) {
      WrongValue(Pointer("allow_empty"), "allow_empty", "true or false", *allow_empty);
      return;
    }
    *out = allow_empty->get<bool>();
  }

  // `estimate_hours` wins; otherwise the upstream metadata estimates are used
  // when they parse. Metadata is free-form, so a value that does not parse
  // there is ignored, not reported.
  void ReadEstimate(Workstream* workstream) {
    if (const json* value = Field("estimate_hours")) {
      const double hours = value->is_number() ? value->get<double>() : 0;
      if (!std::isfinite(hours) || hours <= 0) {
        WrongValue(Pointer("estimate_hours"), "estimate_hours", "a positive number of hours",
                   *value);
        return;
      }
      workstream->estimate_hours = hours;
      workstream->estimate_source = EstimateSource::kField;
      return;
    }
    const json* metadata = Metadata();
    if (metadata == nullptr) return;
    for (const char* name : {"estimated_hours", "estimated_effort_hours"}) {
      auto found = metadata->find(name);
      if (found == metadata->end()) continue;
      if (auto estimate = ParseMetadataEstimate(*found)) {
        workstream->estimate_hours = estimate->hours;
        workstream->estimate_source =
            estimate->is_range ? EstimateSource::kMetadataRange : EstimateSource::kMetadataHours;
        return;
      }
    }
  }

  void ReadTimeout(std::optional<double>* timeout_seconds) {
    const json* value = Field("timeout");
    if (value == nullptr) return;
    double seconds = 0;
    if (value->is_number()) {
      seconds = value->get<double>();
    } else if (value->is_string()) {
      ParseDuration(value->get<std::string>(), &seconds);
    }
    if (!std::isfinite(seconds) || seconds <= 0) {
      WrongValue(Pointer("timeout"), "timeout", "a duration or a positive number of seconds",
                 *value, "write e.g. \"45m\", \"1h30m\", \"90s\" or 600");
      return;
    }
    *timeout_seconds = seconds;
  }

  // `max_attempts` wins over the upstream `circuit_breaker.max_attempts`; both
  // are checked when present.
  void ReadMaxAttempts(std::optional<int>* max_attempts) {
    if (const json* value = Field("max_attempts")) {
      *max_attempts = IntegerAtLeast(*value, 1);
      if (!*max_attempts) {
        WrongValue(Pointer("max_attempts"), "max_attempts", "an integer >= 1", *value);
      }
    }
    const json* circuit_breaker = Field("circuit_breaker");
    if (circuit_breaker == nullptr) return;
    if (!circuit_breaker->is_object()) {
      WrongValue(Pointer("circuit_breaker"), "circuit_breaker", "an object", *circuit_breaker);
      return;
    }
    auto found = circuit_breaker->find("max_attempts");
    if (found == circuit_breaker->end()) return;
    const std::optional<int> breaker_attempts = IntegerAtLeast(*found, 1);
    if (!breaker_attempts) {
      WrongValue(JsonPointerChild(Pointer("circuit_breaker"), "max_attempts"),
                 "circuit_breaker.max_attempts", "an integer >= 1", *found);
    } else if (!*max_attempts) {
      *max_attempts = breaker_attempts;
    }
  }

  // `max_cost_usd` (upstream): a positive number of US dollars.
  void ReadMaxCost(std::optional<double>* max_cost_usd) {
    const json* value = Field("max_cost_usd");
    if (value == nullptr) return;
    const double usd = value->is_number() ? value->get<double>() : 0;
    if (!std::isfinite(usd) || usd <= 0) {
      WrongValue(Pointer("max_cost_usd"), "max_cost_usd", "a positive number of US dollars", *value,
                 "write e.g. 2.5 for at most $2.50 over all its attempts");
      return;
    }
    *max_cost_usd = usd;
  }

  // `priority` is an integer or an upstream word; without it, a word in
  // metadata.priority (free-form: ignored when it does not parse).
  void ReadPriority(int* priority) {
    if (const json* value = Field("priority")) {
      const std::optional<int> parsed = PriorityFrom(*value);
      if (!parsed) {
        WrongValue(Pointer("priority"), "priority", "an integer or a priority word", *value,
                   "words (any case): critical, high, medium, normal, low, foreground, "
                   "background, or P0..P3");
        return;
      }
      *priority = *parsed;
      return;
    }
    const json* metadata = Metadata();
    if (metadata == nullptr) return;
    auto found = metadata->find("priority");
    if (found == metadata->end()) return;
    if (const std::optional<int> parsed = PriorityFrom(*found)) *priority = *parsed;
  }

  // Once per field name per load: a folder of files sharing an extra field
  // would otherwise bury the real problems.
  void WarnUnknownFields(std::vector<std::string>* warned_fields) {
    for (const auto& [name, value] : object_.items()) {
      if (IsKnownField(name)) continue;
      if (std::find(warned_fields->begin(), warned_fields->end(), name) != warned_fields->end()) {
        continue;
      }
      warned_fields->push_back(name);
      const std::string nearest = NearestId(name, KnownFields());
      Warning(Pointer(name), "unknown field '" + name + "' is kept but not used",
              nearest.empty() ? "docs/workstream-format.md lists the fields Orchestra reads"
                              : "did you mean '" + nearest + "'?");
    }
  }

  const std::string& file_;
  const JsonPositions& positions_;
  const json& object_;
  const std::string pointer_;
  Diagnostics* diagnostics_;
  Diagnostics found_;  // this workstream's problems, sorted into diagnostics_ at the end
};

// nlohmann's message without its "[json.exception.parse_error.101] parse error
// at line 1, column 1: " preamble: the diagnostic carries the position itself.
std::string ParseErrorMessage(const std::string& what) {
  std::string message = what;
  if (message.rfind("[json.exception.", 0) == 0) {
    const size_t end = message.find("] ");
    if (end != std::string::npos) message.erase(0, end + 2);
  }
  if (message.rfind("parse error", 0) == 0) {
    const size_t end = message.find(": ");
    if (end != std::string::npos) message.erase(0, end + 2);
  }
  return "invalid JSON: " + message;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-';
}

// nlohmann reports the last character it read; a diagnostic reads better at
// the start of the offending token: the opening quote of "title", not its end.
size_t TokenStart(const std::string& text, size_t offset) {
  if (offset >= text.size()) return offset;
  if (text[offset] == '"') {
    for (size_t index = offset; index > 0; --index) {
      if (text[index - 1] != '"') continue;
      size_t backslashes = 0;
      while (index - 1 - backslashes > 0 && text[index - 2 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return index - 1;
    }
    return offset;
  }
  while (offset > 0 && IsTokenChar(text[offset]) && IsTokenChar(text[offset - 1])) --offset;
  return offset;
}

// The last character before `offset` that is not whitespace, or '\0'.
char CharBefore(const std::string& text, size_t offset) {
  for (size_t index = std::min(offset, text.size()); index > 0; --index) {
    const char c = text[index - 1];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return c;
  }
  return '\0';
}

bool IsCommentAt(const std::string& text, size_t offset) {
  return text.compare(offset, 2, "/*") == 0 || text.compare(offset, 2, "//") == 0;
}

bool StartsValue(char c) { return c == '"' || c == '{' || c == '[' || IsTokenChar(c); }

bool EndsValue(char c) { return c == '"' || c == '}' || c == ']' || IsTokenChar(c); }

// How to fix the usual hand-written JSON mistakes, judged by the text at the
// error: nlohmann's message says what it expected, not what the author meant.
std::string ParseErrorHint(const std::string& text, size_t offset, const std::string& message) {
  if (text.compare(offset, 2, "/*") == 0) {
    return "JSON does not allow comments; remove the /* ... */ lines";
  }
  if (text.compare(offset, 2, "//") == 0) return "JSON does not allow comments; remove the // lines";
  if (message.find("UTF-8") != std::string::npos) return "save the file as UTF-8";
  if (message.find("control character") != std::string::npos) {
    return "write line breaks and tabs inside strings as \\n and \\t";
  }
  const char at = offset < text.size() ? text[offset] : '\0';
  if (at == '\'') return "JSON strings need double quotes";
  const char before = CharBefore(text, offset);
  if ((at == '}' || at == ']') && before == ',') return "remove the ',' before the closing bracket";
  if (before == '{' && at != '"' && at != '}') {
    return "a value is wrapped in { } like a template placeholder; write the plain value";
  }
  if (StartsValue(at) && EndsValue(before)) return "a ',' is missing before this value";
  return "check for a missing ',', quote or bracket just before this point";
}

// Reports a syntax error at its position; returns true when it sat on a comment.
bool ReportParseError(const std::string& file, const std::string& text,
                      const json::parse_error& error, Diagnostics* diagnostics) {
  // nlohmann may place an error at the end of the text one past it (`//` alone: byte 3 of 2).
  const size_t offset =
      std::min(TokenStart(text, error.byte > 0 ? error.byte - 1 : 0), text.size());  // from 1
  const TextPosition position = JsonPositions::FromOffset(text, offset);
  const std::string message = ParseErrorMessage(error.what());
  diagnostics->Error(file, position.line, position.column, message,
                     ParseErrorHint(text, offset, message));
  return IsCommentAt(text, offset);
}

// nlohmann reports a number too large for a double ("number overflow parsing
// '1e999'") without an offset; the literal it quotes finds the spot.
TextPosition OverflowPosition(const std::string& text, const std::string& message) {
  const size_t open = message.find('\'');
  const size_t close = message.rfind('\'');
  if (open == std::string::npos || close <= open + 1) return TextPosition();
  const size_t found = text.find(message.substr(open + 1, close - open - 1));
  return JsonPositions::FromOffset(text, found == std::string::npos ? 0 : found);
}

// Parses `text` with `comments` allowed or not; reports the failure. Returns
// nullopt on failure, with `on_comment` telling whether it sat on a comment.
std::optional<json> ParseReporting(const std::string& file, const std::string& text, bool comments,
                                   Diagnostics* diagnostics, bool* on_comment) {
  *on_comment = false;
  try {
    return json::parse(text, nullptr, true, comments);
  } catch (const json::parse_error& error) {
    *on_comment = ReportParseError(file, text, error, diagnostics);
  } catch (const json::exception& error) {  // a number too large for a double
    const TextPosition position = OverflowPosition(text, error.what());
    diagnostics->Error(file, position.line, position.column, ParseErrorMessage(error.what()),
                       "write a smaller number");
  }
  return std::nullopt;
}

// A file saved as UTF-16 or UTF-32 fails to parse at its first byte with a
// misleading hint; it is told for what it is.
bool CheckUtf8(const std::string& file, const std::string& text, Diagnostics* diagnostics) {
  WideEncoding encoding;
  if (!DetectWideEncoding(text, &encoding)) return true;
  const std::string& name = encoding.name;
  diagnostics->Error(file, 0, 0,
                     encoding.from_byte_order_mark
                         ? "the file is " + name + ", not UTF-8: it starts with a " + name +
                               " byte order mark"
                         : "the file is not UTF-8: it holds NUL bytes, as " + name + " text does",
                     "convert it: iconv -f " + name + " -t UTF-8 " + file + " > " + file +
                         ".utf8 && mv " + file + ".utf8 " + file);
  return false;
}

// Parsing and copying a JSON value recurse once per level: a file nested too
// deep is refused, at the bracket that goes too deep, before anything recurses.
bool CheckDepth(const std::string& file, const std::string& text, Diagnostics* diagnostics) {
  const size_t too_deep = FindTooDeep(text);
  if (too_deep == std::string::npos) return true;
  const TextPosition position = JsonPositions::FromOffset(text, too_deep);
  diagnostics->Error(file, position.line, position.column,
                     "arrays and objects nested deeper than " + std::to_string(kMaxJsonDepth) +
                         " levels",
                     "a workstream needs a few levels; flatten this value");
  return false;
}

bool ParseJson(const std::string& file, const std::string& text, json* document,
               Diagnostics* diagnostics) {
  bool on_comment = false;
  std::optional<json> parsed = ParseReporting(file, text, false, diagnostics, &on_comment);
  if (parsed) {
    *document = std::move(*parsed);
    return true;
  }
  // Comments are the usual first defect of hand-edited files; parsing past them
  // reports the next problem now rather than on the next run.
  if (on_comment) ParseReporting(file, text, true, diagnostics, &on_comment);
  return false;
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  return !dir.empty() && dir.back() == '/' ? dir + name : dir + "/" + name;
}

namespace fs = std::filesystem;

// "a symbolic link to 'gone.json' that cannot be followed: No such file or
// directory": what a dangling or looping link is, `error` being why.
std::string UnfollowableLink(const fs::path& path, const std::error_code& error) {
  std::error_code ignored;
  return "a symbolic link to '" + fs::read_symlink(path, ignored).string() +
         "' that cannot be followed: " + error.message();
}

bool IsSymlink(const fs::path& path) {
  std::error_code ignored;
  return fs::is_symlink(fs::symlink_status(path, ignored));
}

// True when `dir` is a folder; otherwise says what it is instead.
bool CheckFolder(const std::string& dir, Diagnostics* diagnostics) {
  std::error_code error;
  const fs::file_status status = fs::status(dir, error);
  if (fs::is_directory(status)) return true;
  if (error && IsSymlink(dir)) {
    diagnostics->Error(dir, 0, 0, "workstreams folder is " + UnfollowableLink(dir, error),
                       "point the link at a folder, or pass --workstreams DIR");
  } else {
    diagnostics->Error(dir, 0, 0,
                       fs::exists(status) ? "workstreams path is not a folder"
                                          : "workstreams folder not found",
                       "create it or pass --workstreams DIR");
  }
  return false;
}

// Hidden files are skipped, as the shell's `*.json` would.
bool IsWorkstreamFileName(const std::string& name) {
  return name.size() > 5 && name.front() != '.' && name.ends_with(".json");
}

// The file a symbolic link in `dir` ends at, when that is outside `dir` (the
// folder's own real path): a workstream file must live in its folder, so a
// link cannot make Orchestra read, and hand an agent, a file from elsewhere.
// Empty when the link stays inside.
std::string LinkOutside(const std::string& dir, const fs::path& link) {
  std::error_code error;
  const fs::path folder = fs::canonical(dir, error);
  const fs::path target = fs::canonical(link, error);
  if (error) return "";
  const fs::path relative = target.lexically_relative(folder);
  if (!relative.empty() && *relative.begin() != "..") return "";
  return target.string();
}

// Names of the `*.json` files directly in `dir`, sorted. A link among them
// that cannot be followed is skipped with a warning; a folder silently; a link
// to a file outside `dir` is refused with an error (`*refused` set).
bool ListJsonFiles(const std::string& dir, std::vector<std::string>* names,
                   Diagnostics* diagnostics, bool* refused) {
  if (!CheckFolder(dir, diagnostics)) return false;
  std::error_code error;
  for (fs::directory_iterator entry(dir, error), end; !error && entry != end;
       entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (!IsWorkstreamFileName(name)) continue;
    std::error_code type_error;
    if (entry->is_regular_file(type_error)) {
      // The entry's own type comes with the listing: no lstat per file.
      std::error_code link_error;
      const std::string outside = entry->is_symlink(link_error) ? LinkOutside(dir, entry->path()) : "";
      if (!outside.empty()) {
        diagnostics->Error(JoinPath(dir, name), 0, 0,
                           "not read: the file is a symbolic link to '" + outside +
                               "', outside the workstreams folder",
                           "copy the file into the folder, or link to a file inside it");
        *refused = true;
        continue;
      }
      names->push_back(name);
    } else if (type_error && IsSymlink(entry->path())) {
      diagnostics->Warning(JoinPath(dir, name), 0, 0,
                           "not read: the file is " + UnfollowableLink(entry->path(), type_error),
                           "point the link at a workstream file, or remove it");
    }
  }
  if (error) {
    diagnostics->Error(dir, 0, 0, "cannot list the workstreams folder: " + error.message());
    return false;
  }
  if (names->empty() && !*refused) {
    diagnostics->Error(dir, 0, 0, "no *.json workstream files in " + dir,
                       "add one file per workstream; docs/workstream-format.md shows the format");
    return false;
  }
  std::sort(names->begin(), names->end());
  return true;
}

/// A file of the second half of a large folder, as the helper thread left it:
/// clean (its `count` workstreams are the next in the helper's vector), read
/// but with something to report (its text kept), or not read at all.
struct SecondHalfFile {
  bool read = false;
  bool clean = false;
  size_t count = 0;
  std::string text;
  std::string fingerprint;  // when asked for
};

/// Folders of at least this many files are read in two halves at once.
constexpr size_t kTwoPartFiles = 512;

// open and read, not a stream: a load of 100,000 files pays for every call.
bool ReadFile(const std::string& path, std::string* text, Diagnostics* diagnostics) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    diagnostics->Error(path, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    return false;
  }
  text->clear();
  char buffer[65536];
  ssize_t count = 0;
  while ((count = read(fd, buffer, sizeof buffer)) != 0) {
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) break;
    text->append(buffer, static_cast<size_t>(count));
    // A large file (one array of thousands): sized once from its length and
    // read straight into the text, not grown by doubling through the buffer
    // (on 7 MB that was a copy of everything and a fresh page per 4 KB twice).
    struct stat status {};
    if (text->size() == sizeof buffer && fstat(fd, &status) == 0 &&
        static_cast<size_t>(status.st_size) > text->size()) {
      text->reserve(static_cast<size_t>(status.st_size) + 1);
    }
  }
  close(fd);
  if (count < 0) {
    diagnostics->Error(path, 0, 0, "cannot read the file");
    return false;
  }
  return true;
}

}  // namespace

std::string ContentFingerprint(std::string_view text) {
  return fmt::format("{}:{:x}", text.size(), std::hash<std::string_view>{}(text));
}

bool LoadWorkstreams(const std::string& dir, std::vector<Workstream>* workstreams,
                     Diagnostics* diagnostics, std::vector<std::string>* unloaded_ids,
                     std::map<std::string, std::string>* fingerprints) {
  std::vector<std::string> names;
  bool refused = false;
  if (!ListJsonFiles(dir, &names, diagnostics, &refused)) return false;
  std::vector<std::string> warned_fields;
  workstreams->reserve(workstreams->size() + names.size());
  bool ok = !refused;
  // Many files: the second half is read and parsed by the fast path on a
  // helper thread while this thread takes the first (opening and reading
  // 100,000 files was half of `plan`'s time, on one core). What the helper
  // could not take (a file it could not read, or one with something to
  // report) is left to this thread, in file order, so the diagnostics and
  // the workstreams come out exactly as one pass would give them.
  const size_t split = names.size() >= kTwoPartFiles ? names.size() / 2 : names.size();
  std::vector<SecondHalfFile> second(names.size() - split);
  std::vector<Workstream> tail;
  const auto read_second_half = [&] {
    tail.reserve(second.size());
    Diagnostics ignored;  // this thread repeats the read of a file that failed, reporting it
    for (size_t index = 0; index < second.size(); ++index) {
      SecondHalfFile& result = second[index];
      const std::string file = JoinPath(dir, names[split + index]);
      result.read = ReadFile(file, &result.text, &ignored);
      if (!result.read) continue;
      if (fingerprints != nullptr) result.fingerprint = ContentFingerprint(result.text);
      const size_t before = tail.size();
      result.clean = ParseCleanWorkstreams(file, result.text, &tail);
      result.count = tail.size() - before;
      if (result.clean) result.text = {};
    }
  };
  // One file read and parsed here, reporting whatever it has to report.
  const auto load = [&](const std::string& name) {
    const std::string file = JoinPath(dir, name);
    std::string text;
    if (!ReadFile(file, &text, diagnostics)) return false;
    if (fingerprints != nullptr) (*fingerprints)[name] = ContentFingerprint(text);
    return ParseWorkstreamFile(file, text, workstreams, diagnostics, &warned_fields, unloaded_ids);
  };
  const auto read_first_half = [&] {
    for (size_t index = 0; index < split; ++index) ok = load(names[index]) && ok;
  };
  if (second.empty()) {
    read_first_half();
  } else {
    RunBeside(read_second_half, read_first_half);
  }
  auto next = tail.begin();
  for (size_t index = 0; index < second.size(); ++index) {
    SecondHalfFile& result = second[index];
    const std::string file = JoinPath(dir, names[split + index]);
    if (fingerprints != nullptr && result.read) (*fingerprints)[names[split + index]] = std::move(result.fingerprint);
    if (result.clean) {
      workstreams->insert(workstreams->end(), std::make_move_iterator(next),
                          std::make_move_iterator(next + static_cast<std::ptrdiff_t>(result.count)));
      next += static_cast<std::ptrdiff_t>(result.count);
    } else if (result.read) {
      ok = ParseWorkstreamFileReporting(file, result.text, workstreams, diagnostics, &warned_fields,
                                        unloaded_ids) &&
           ok;
    } else {
      ok = load(names[split + index]) && ok;  // the helper could not read it: again, reporting why
    }
  }
  return ok;
}

bool ParseWorkstreamFile(const std::string& file, const std::string& text,
                         std::vector<Workstream>* workstreams, Diagnostics* diagnostics,
                         std::vector<std::string>* warned_fields, std::vector<std::string>* unloaded_ids) {
  return ParseCleanWorkstreams(file, text, workstreams) ||
         ParseWorkstreamFileReporting(file, text, workstreams, diagnostics, warned_fields, unloaded_ids);
}

bool ParseWorkstreamFileReporting(const std::string& file, const std::string& text,
                                  std::vector<Workstream>* workstreams, Diagnostics* diagnostics,
                                  std::vector<std::string>* warned_fields,
                                  std::vector<std::string>* unloaded_ids) {
  if (!CheckUtf8(file, text, diagnostics) || !CheckDepth(file, text, diagnostics)) return false;
  json document;
  if (!ParseJson(file, text, &document, diagnostics)) return false;
  const JsonPositions positions(text);
  auto read = [&](json& object, const std::string& pointer) {
    Workstream workstream;
    WorkstreamReader reader(file, positions, object, pointer, diagnostics);
    if (!reader.Read(&workstream, warned_fields)) {
      if (unloaded_ids != nullptr && !workstream.id.empty()) unloaded_ids->push_back(workstream.id);
      return false;
    }
    workstream.raw_json = object.dump();
    workstreams->push_back(std::move(workstream));
    return true;
  };
  if (document.is_object()) return read(document, "");
  const TextPosition root = positions.Find("");
  if (!document.is_array()) {
    diagnostics->Error(
        file, root.line, root.column,
        "a workstream file must hold an object or an array of objects, not " + Describe(document));
    return false;
  }
  if (document.empty()) {
    diagnostics->Warning(file, root.line, root.column, "the array holds no workstreams");
  }
  bool ok = true;
  for (size_t index = 0; index < document.size(); ++index) {
    const std::string pointer = JsonPointerChild("", index);
    if (!document[index].is_object()) {
      const TextPosition position = positions.Find(pointer);
      diagnostics->Error(file, position.line, position.column,
                         "each workstream must be an object, not " + Describe(document[index]));
      ok = false;
      continue;
    }
    ok = read(document[index], pointer) && ok;
  }
  return ok;
}

}  // namespace orchestra
