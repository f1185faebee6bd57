// Reading `orchestra.toml` (the format is documented in docs/config.md). Every
// key's type and range is checked here, next to the code that stores it, and
// every problem of the file is reported in one pass: a typo in [defaults] should
// not hide a missing argv in [agent_types]. toml++ throws on malformed TOML; the
// exception is caught here so nothing escapes this module.
#include "config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

#include "workstream.h"

namespace orchestra {
namespace {

constexpr const char* kDurationHint =
    "write a duration like \"30s\", \"45m\", \"1h30m\", \"1.5h\" or a number of seconds";
constexpr const char* kSections = "agent_types, agents, defaults, paths, planner, routes, secrets, state, tracks";
constexpr const char* kSizeHint =
    "write a size like \"50MB\", \"512KB\", \"1GB\" or a number of bytes; 0: no cap";

/// "50MB", "512 KB", "1GB", "1048576": a size in bytes (KB, MB and GB are
/// powers of 1024; the unit's case and a space before it do not matter).
/// False when `text` is not one.
bool ParseByteSize(const std::string& text, int64_t* bytes) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return false;
  std::string unit = text.substr(digits);
  if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  for (char& letter : unit) letter = static_cast<char>(std::toupper(static_cast<unsigned char>(letter)));
  const int64_t number = std::stoll(text.substr(0, digits));
  const int64_t multiplier = unit.empty() || unit == "B" ? 1
                             : unit == "KB"              ? int64_t{1} << 10
                             : unit == "MB"              ? int64_t{1} << 20
                             : unit == "GB"              ? int64_t{1} << 30
                                                         : 0;
  if (multiplier == 0) return false;
  *bytes = number * multiplier;
  return true;
}

std::string KindHint() { return "kind is one of: " + AgentKindNames(); }

bool TakesArgv(const AgentType& type) {
  const AgentKind* kind = FindAgentKind(type.kind);
  return kind != nullptr && kind->takes_argv();
}

/// The kinds whose own setting `key` is (time_scale... for sim; model for the
/// coding agents): "kind sim", "kinds claude, codex, gemini, aider"; "" for none.
std::string KindsOwningKey(const std::string& key) {
  std::vector<std::string> names;
  for (const AgentKind* kind : AgentKinds()) {
    if (kind->OwnsKey(key)) names.push_back(kind->name());
  }
  if (names.empty()) return "";
  std::string joined = names.size() == 1 ? "kind " : "kinds ";
  for (size_t index = 0; index < names.size(); ++index) joined += (index > 0 ? ", " : "") + names[index];
  return joined;
}

/// "an integer", "a string"...: what the file holds, for "must be X, not Y".
std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date/time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string KnownTypes(const Config& config) {
  std::string names;
  for (const auto& [name, type] : config.agent_types) names += (names.empty() ? "" : ", ") + name;
  return "known types: " + names;
}

/// TomlReader reads typed values out of toml++ nodes. A getter that meets a
/// wrong type or range reports it at the value's position and leaves its
/// output alone, so the default survives and reading goes on with the next key.
class TomlReader {
 public:
  TomlReader(std::string file, Diagnostics* diagnostics)
      : file_(std::move(file)), diagnostics_(diagnostics) {}

  void Error(const toml::source_region& where, std::string message, std::string hint = "") {
    diagnostics_->Error(file_, where.begin.line, where.begin.column, std::move(message),
                        std::move(hint));
  }

  void Warning(const toml::source_region& where, std::string message, std::string hint = "") {
    diagnostics_->Warning(file_, where.begin.line, where.begin.column, std::move(message),
                          std::move(hint));
  }

  /// Unknown keys are warnings, never errors, so a newer file still loads.
  void WarnUnknownKey(const toml::key& key, const std::string& name, const std::string& known) {
    Warning(key.source(), "unknown key '" + name + "' ignored", "known keys: " + known);
  }

  bool String(const toml::node& node, const std::string& name, std::string* out) {
    const toml::value<std::string>* value = node.as_string();
    if (value == nullptr) return WrongType(node, name, "a string", "put the value in quotes");
    *out = value->get();
    return true;
  }

  bool NonEmptyString(const toml::node& node, const std::string& name, std::string* out) {
    std::string text;
    if (!String(node, name, &text)) return false;
    if (text.empty()) {
      Error(node.source(), "'" + name + "' must not be empty");
      return false;
    }
    *out = std::move(text);
    return true;
  }

  bool Integer(const toml::node& node, const std::string& name, int64_t min, int64_t max,
               int64_t* out) {
    const toml::value<int64_t>* value = node.as_integer();
    if (value == nullptr) {
      return WrongType(node, name, "an integer", "write a whole number without quotes");
    }
    if (value->get() < min) {
      Error(node.source(), "'" + name + "' must be at least " + std::to_string(min));
      return false;
    }
    if (value->get() > max) {
      Error(node.source(), "'" + name + "' must be at most " + std::to_string(max));
      return false;
    }
    *out = value->get();
    return true;
  }

  /// An integer or a float.
  bool Number(const toml::node& node, const std::string& name, double* out) {
    if (!node.is_number()) return WrongType(node, name, "a number", "write a number without quotes");
    *out = node.value<double>().value_or(0.0);
    return true;
  }

  bool Boolean(const toml::node& node, const std::string& name, bool* out) {
    const toml::value<bool>* value = node.as_boolean();
    if (value == nullptr) return WrongType(node, name, "a boolean", "write true or false");
    *out = value->get();
    return true;
  }

  bool StringArray(const toml::node& node, const std::string& name, std::vector<std::string>* out) {
    const toml::array* array = node.as_array();
    if (array == nullptr || (!array->empty() && !array->is_homogeneous(toml::node_type::string))) {
      return WrongType(node, name, "an array of strings", "write [\"...\", \"...\"]");
    }
    out->clear();
    for (const toml::node& element : *array) out->push_back(element.as_string()->get());
    return true;
  }

  /// A table whose values are all strings (an `env`). Each bad value is
  /// reported at its own position; the good ones are kept.
  bool StringTable(const toml::node& node, const std::string& name,
                   std::map<std::string, std::string>* out) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      return WrongType(node, name, "a table of strings", "write { NAME = \"value\" }");
    }
    bool ok = true;
    for (auto&& [key, value] : *table) {
      std::string text;
      if (String(value, name + "." + std::string(key.str()), &text)) {
        (*out)[std::string(key.str())] = std::move(text);
      } else {
        ok = false;
      }
    }
    return ok;
  }

  /// A string duration ("45m", "1h30m", see ParseDuration) or a number of
  /// seconds; negative durations are errors, and so is zero unless `zero_allowed`.
  bool Duration(const toml::node& node, const std::string& name, double* out,
                bool zero_allowed = false) {
    double seconds = 0;
    if (node.is_number()) {
      seconds = node.value<double>().value_or(0.0);
    } else if (const toml::value<std::string>* text = node.as_string()) {
      if (!ParseDuration(text->get(), &seconds)) {
        Error(node.source(), "'" + name + "' is not a duration: \"" + text->get() + "\"",
              kDurationHint);
        return false;
      }
    } else {
      return WrongType(node, name, "a duration", kDurationHint);
    }
    if (zero_allowed ? !(seconds >= 0) : !(seconds > 0)) {
      Error(node.source(), "'" + name + (zero_allowed ? "' must not be negative" : "' must be positive"),
            kDurationHint);
      return false;
    }
    *out = seconds;
    return true;
  }

  const toml::table* Table(const toml::node& node, const std::string& name) {
    const toml::table* table = node.as_table();
    if (table == nullptr) WrongType(node, name, "a table", "write it as [" + name + "]");
    return table;
  }

  bool WrongType(const toml::node& node, const std::string& name, const std::string& expected,
                 std::string hint) {
    Error(node.source(), "'" + name + "' must be " + expected + ", not " + TypeName(node),
          std::move(hint));
    return false;
  }

  std::string file_;
  Diagnostics* diagnostics_;
};

void ReadPaths(TomlReader& reader, const toml::table& table, Config* config) {
  const std::pair<std::string, std::string*> paths[] = {
      {"workstreams", &config->workstreams_dir},
      {"state", &config->state_path},
      {"logs", &config->logs_dir},
      {"reports", &config->reports_dir},
  };
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    auto path = std::find_if(std::begin(paths), std::end(paths),
                             [&](const auto& entry) { return entry.first == name; });
    if (path == std::end(paths)) {
      reader.WarnUnknownKey(key, "paths." + name, "workstreams, state, logs, reports");
      continue;
    }
    reader.NonEmptyString(node, "paths." + name, path->second);
  }
}

/// Reports a reference to an agent type that does not exist, or to a type of
/// kind command that has no argv: the built-in `command` left unconfigured (a
/// type written in the file says so at its own table, once).
void CheckAgentTypeReference(TomlReader& reader, const toml::node& node, const std::string& type,
                             const std::string& user, const Config& config) {
  auto found = config.agent_types.find(type);
  if (found == config.agent_types.end()) {
    reader.Error(node.source(), "unknown agent type '" + type + "' for " + user,
                 KnownTypes(config));
  } else if (TakesArgv(found->second) && found->second.argv.empty() && found->second.line == 0) {
    reader.Error(node.source(), user + " uses agent type '" + type + "', which has no argv",
                 "set argv in [agent_types." + type + "]");
  }
}

/// Reads `defaults.name` when it is one of `allowed`; an error otherwise.
void OneOf(TomlReader& reader, const toml::node& node, const std::string& name,
           const std::vector<std::string>& allowed, std::string* out) {
  std::string text;
  if (!reader.String(node, name, &text)) return;
  if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
    std::string choices;
    for (const std::string& choice : allowed) choices += (choices.empty() ? "\"" : ", \"") + choice + "\"";
    reader.Error(node.source(), "'" + name + "' must be one of " + choices + ", not \"" + text + "\"");
    return;
  }
  *out = std::move(text);
}

/// Reads the [defaults] keys of isolation and merge-back; false when `name` is
/// none of them.
bool ReadIsolationDefault(TomlReader& reader, const std::string& name, const toml::node& node,
                          Config* config) {
  const std::string full_name = "defaults." + name;
  if (name == "isolation") {
    OneOf(reader, node, full_name, {"worktree", "none"}, &config->isolation);
  } else if (name == "integration_branch") {
    std::string branch;
    if (reader.NonEmptyString(node, full_name, &branch)) {
      if (branch.find("..") != std::string::npos || branch.find(' ') != std::string::npos ||
          branch.front() == '-' || branch.back() == '/' || branch.find("refs/") == 0) {
        reader.Error(node.source(), "'" + full_name + "' is not a usable branch name: \"" + branch + "\"",
                     "write a plain branch name such as \"orchestra/integration\"");
      } else {
        config->integration_branch = branch;
      }
    }
  } else if (name == "merge_strategy") {
    OneOf(reader, node, full_name, {"merge", "rebase"}, &config->merge_strategy);
  } else if (name == "verify_after_merge") {
    reader.Boolean(node, full_name, &config->verify_after_merge);
  } else if (name == "remote") {
    std::string remote;
    if (reader.NonEmptyString(node, full_name, &remote)) {
      if (remote.front() == '-') {
        reader.Error(node.source(), "'" + full_name + "' cannot start with '-': \"" + remote + "\"",
                     "write a remote name (\"origin\"), a path or a URL");
      } else {
        config->remote = remote;
      }
    }
  } else if (name == "scope_policy") {
    OneOf(reader, node, full_name, {"warn", "fail"}, &config->scope_policy);
  } else if (name == "serialize_overlapping_scopes") {
    bool serialize = false;
    if (reader.Boolean(node, full_name, &serialize)) config->serialize_overlapping_scopes = serialize;
  } else {
    return false;
  }
  return true;
}

/// A duration key of [defaults] and where it goes.
struct DefaultDuration {
  const char* name;
  double* seconds;
  bool zero_allowed;  // backoff = "0s" retries at once; a zero timeout would stop every agent
};

/// A size: a string with a unit ("50MB") or a whole number of bytes.
void ReadByteSize(TomlReader& reader, const toml::node& node, const std::string& name, int64_t* out) {
  int64_t bytes = 0;
  if (const toml::value<int64_t>* number = node.as_integer()) {
    bytes = number->get();
  } else if (const toml::value<std::string>* text = node.as_string()) {
    if (!ParseByteSize(text->get(), &bytes)) {
      reader.Error(node.source(), "'" + name + "' is not a size: \"" + text->get() + "\"", kSizeHint);
      return;
    }
  } else {
    reader.WrongType(node, name, "a size", kSizeHint);
    return;
  }
  if (bytes < 0) {
    reader.Error(node.source(), "'" + name + "' must not be negative", kSizeHint);
    return;
  }
  *out = bytes;
}

/// Reads [defaults]; runs after [agent_types] so `agent_type` can be checked.
void ReadDefaults(TomlReader& reader, const toml::table& table, Config* config) {
  const DefaultDuration durations[] = {
      {"timeout", &config->timeout_seconds, false},
      {"backoff", &config->backoff_seconds, true},
      {"kill_grace", &config->kill_grace_seconds, false},
      {"acceptance_timeout", &config->acceptance_timeout_seconds, false},
      {"state_lock_timeout", &config->state_lock_timeout_seconds, false},
  };
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    const std::string full_name = "defaults." + name;
    auto duration = std::find_if(std::begin(durations), std::end(durations),
                                 [&](const DefaultDuration& entry) { return name == entry.name; });
    if (duration != std::end(durations)) {
      reader.Duration(node, full_name, duration->seconds, duration->zero_allowed);
    } else if (name == "max_attempts") {
      int64_t attempts = 0;
      if (reader.Integer(node, full_name, 1, INT_MAX, &attempts)) {
        config->max_attempts = static_cast<int>(attempts);
      }
    } else if (name == "estimate_hours") {
      double hours = 0;
      if (!reader.Number(node, full_name, &hours)) continue;
      if (hours > 0) {
        config->estimate_hours = hours;
      } else {
        reader.Error(node.source(), "'" + full_name + "' must be positive");
      }
    } else if (name == "honor_tool") {
      reader.Boolean(node, full_name, &config->honor_tool);
    } else if (name == "budget_usd") {
      double budget = 0;
      if (!reader.Number(node, full_name, &budget)) continue;
      if (budget > 0) {
        config->budget_usd = budget;
      } else {
        reader.Error(node.source(), "'" + full_name + "' must be positive", "leave it out for no budget");
      }
    } else if (name == "stall_timeout") {
      double seconds = 0;
      if (reader.Duration(node, full_name, &seconds, true)) config->stall_timeout_seconds = seconds;
    } else if (name == "max_log_size") {
      ReadByteSize(reader, node, full_name, &config->max_log_bytes);
    } else if (name == "agent_type") {
      if (reader.NonEmptyString(node, full_name, &config->default_agent_type)) {
        CheckAgentTypeReference(reader, node, config->default_agent_type, full_name, *config);
      }
    } else if (!ReadIsolationDefault(reader, name, node, config)) {
      reader.WarnUnknownKey(key, full_name,
                            "max_attempts, timeout, backoff, estimate_hours, kill_grace, "
                            "acceptance_timeout, state_lock_timeout, stall_timeout, budget_usd, max_log_size, "
                            "honor_tool, agent_type, isolation, "
                            "integration_branch, merge_strategy, verify_after_merge, remote, "
                            "scope_policy, serialize_overlapping_scopes");
    }
  }
}

/// A relative program path with a '/' ("./tools/review.sh") means "next to the
/// config file", wherever orchestra runs from; a bare name stays for PATH.
void ResolveProgram(const std::string& config_dir, std::vector<std::string>* argv) {
  if (argv->empty()) return;
  const std::filesystem::path program((*argv)[0]);
  if ((*argv)[0].find('/') == std::string::npos || program.is_absolute()) return;
  (*argv)[0] = (std::filesystem::path(config_dir) / program).lexically_normal().string();
}

/// Reads a key of [agent_types.NAME] that any kind has: max_concurrent,
/// requests_per_minute, stall_timeout, price. False when `key` is none of them.
bool ReadDispatchLimit(TomlReader& reader, const std::string& key, const toml::node& node,
                       const std::string& full_name, AgentType* type) {
  if (key == "max_concurrent") {
    int64_t count = 0;
    if (reader.Integer(node, full_name, 1, INT_MAX, &count)) type->max_concurrent = static_cast<int>(count);
  } else if (key == "requests_per_minute") {
    double rate = 0;
    if (!reader.Number(node, full_name, &rate)) return true;
    if (rate > 0) {
      type->requests_per_minute = rate;
    } else {
      reader.Error(node.source(), "'" + full_name + "' must be positive",
                   "leave it out for no limit on how fast attempts start");
    }
  } else if (key == "stall_timeout") {
    double seconds = 0;
    if (reader.Duration(node, full_name, &seconds, true)) type->stall_timeout_seconds = seconds;
  } else if (key == "price") {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      reader.WrongType(node, full_name, "a table",
                       "write price = { input = 3.0, output = 15.0 } (USD per million tokens)");
      return true;
    }
    for (auto&& [price_key, price_node] : *table) {
      const std::string name(price_key.str());
      const std::string price_name = full_name + "." + name;
      double* slot = name == "input"         ? &type->price.input
                     : name == "output"      ? &type->price.output
                     : name == "cache_read"  ? &type->price.cache_read
                     : name == "cache_write" ? &type->price.cache_write
                                             : nullptr;
      if (slot == nullptr) {
        reader.WarnUnknownKey(price_key, price_name, "input, output, cache_read, cache_write");
        continue;
      }
      double value = 0;
      if (!reader.Number(price_node, price_name, &value)) continue;
      if (value >= 0) {
        *slot = value;
      } else {
        reader.Error(price_node.source(), "'" + price_name + "' must not be negative");
      }
    }
  } else {
    return false;
  }
  return true;
}

/// Reads one [agent_types.NAME]. A built-in's name starts from the built-in;
/// a new name starts empty and must say its kind.
void ReadAgentType(TomlReader& reader, const std::string& name, const toml::table& table,
                   Config* config) {
  const auto builtin = config->agent_types.find(name);
  AgentType type = builtin != config->agent_types.end() ? builtin->second : AgentType{};
  type.name = name;
  type.line = table.source().begin.line;
  const std::string prefix = "agent_types." + name + ".";
  bool kind_given = false;
  bool argv_unreadable = false;
  std::vector<std::pair<std::string, toml::source_region>> kind_keys;  // kind-specific settings
  std::optional<toml::source_region> argv_key;

  for (auto&& [key, node] : table) {
    const std::string key_name(key.str());
    const std::string full_name = prefix + key_name;
    if (key_name == "kind") {
      kind_given = true;
      std::string kind;
      if (!reader.String(node, full_name, &kind)) continue;
      if (FindAgentKind(kind)) {
        type.kind = kind;
      } else {
        reader.Error(node.source(), "unknown kind '" + kind + "' for agent type '" + name + "'",
                     KindHint());
      }
    } else if (key_name == "argv") {
      argv_key = key.source();
      argv_unreadable = !reader.StringArray(node, full_name, &type.argv);
    } else if (key_name == "env") {
      reader.StringTable(node, full_name, &type.env);
    } else if (key_name == "time_scale") {
      double scale = 0;
      if (!reader.Number(node, full_name, &scale)) continue;
      if (scale >= 0) {
        type.time_scale = scale;
      } else {
        reader.Error(node.source(), "'" + full_name + "' must not be negative");
      }
    } else if (key_name == "fail") {
      reader.StringArray(node, full_name, &type.fail_ids);
    } else if (key_name == "fail_attempts") {
      int64_t attempts = 0;
      if (reader.Integer(node, full_name, 0, INT_MAX, &attempts)) {
        type.fail_attempts = static_cast<int>(attempts);
      }
    } else if (key_name == "fail_probability") {
      double probability = 0;
      if (!reader.Number(node, full_name, &probability)) continue;
      if (probability >= 0 && probability <= 1) {
        type.fail_probability = probability;
      } else {
        reader.Error(node.source(), "'" + full_name + "' must be between 0 and 1");
      }
    } else if (key_name == "seed") {
      int64_t seed = 0;
      if (reader.Integer(node, full_name, 0, INT64_MAX, &seed)) type.seed = static_cast<uint64_t>(seed);
    } else if (key_name == "model") {
      reader.NonEmptyString(node, full_name, &type.model);
    } else if (key_name == "max_turns") {
      int64_t turns = 0;
      if (reader.Integer(node, full_name, 1, INT_MAX, &turns)) type.max_turns = static_cast<int>(turns);
    } else if (key_name == "allowed_tools") {
      reader.StringArray(node, full_name, &type.allowed_tools);
    } else if (!ReadDispatchLimit(reader, key_name, node, full_name, &type)) {
      reader.WarnUnknownKey(key, full_name,
                            "kind, argv, env, max_concurrent, requests_per_minute, stall_timeout, "
                            "price, model, max_turns, allowed_tools, time_scale, fail, fail_attempts, "
                            "fail_probability, seed");
      continue;
    }
    if (!KindsOwningKey(key_name).empty()) kind_keys.emplace_back(key_name, key.source());
  }

  if (!kind_given && builtin == config->agent_types.end()) {
    reader.Error(table.source(), "agent type '" + name + "' needs a kind", KindHint());
  }
  const AgentKind* kind = FindAgentKind(type.kind);
  if (kind && !argv_key && builtin == config->agent_types.end()) {
    type.argv = kind->BuiltinType().argv;  // a new type of kind aider runs aider's default argv
  }
  if (kind && kind->takes_argv() && type.argv.empty() && !argv_unreadable) {
    reader.Error(table.source(),
                 "agent type '" + name + "' of kind " + type.kind + " needs a non-empty argv",
                 "for example argv = [\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"]");
  }
  if (!type.argv.empty() && type.argv[0].empty()) {
    reader.Error(table.source(), "agent type '" + name + "' has an empty program in argv");
  }
  for (const auto& [key_name, where] : kind_keys) {
    if (kind && !kind->OwnsKey(key_name)) {
      reader.Warning(where, "'" + prefix + key_name + "' only applies to " + KindsOwningKey(key_name) +
                                "; ignored");
    }
  }
  if (kind && !kind->takes_argv() && argv_key) {
    reader.Warning(*argv_key, "'" + prefix + "argv' does not apply to kind " + type.kind + "; ignored");
  }
  ResolveProgram(config->config_dir, &type.argv);
  // Kept even when broken, so agents naming it do not add "unknown type" errors.
  config->agent_types[name] = std::move(type);
}

/// Reads [[agents]]; runs after [agent_types] so each `type` can be checked.
void ReadAgents(TomlReader& reader, const toml::node& node, Config* config) {
  const toml::array* array = node.as_array();
  if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
    reader.Error(node.source(), "'agents' must be an array of tables, not " + TypeName(node),
                 "write each agent as an [[agents]] table with id and type");
    return;
  }
  std::map<std::string, int> line_by_id;
  for (const toml::node& element : *array) {
    const toml::table& table = *element.as_table();
    AgentConfig agent;
    agent.line = table.source().begin.line;
    const std::string what = "agent at line " + std::to_string(agent.line);
    for (auto&& [key, value] : table) {
      const std::string key_name(key.str());
      if (key_name == "id") {
        if (!reader.NonEmptyString(value, "agents.id", &agent.id)) continue;
        auto [first, inserted] = line_by_id.emplace(agent.id, agent.line);
        if (!inserted) {
          reader.Error(value.source(),
                       "duplicate agent id '" + agent.id + "': also defined on line " +
                           std::to_string(first->second),
                       "give each [[agents]] entry its own id");
        }
      } else if (key_name == "type") {
        reader.NonEmptyString(value, "agents.type", &agent.type);
      } else if (key_name == "track") {
        reader.NonEmptyString(value, "agents.track", &agent.track);
      } else {
        reader.WarnUnknownKey(key, "agents." + key_name, "id, type, track");
      }
    }
    const std::string user = agent.id.empty() ? what : "agent '" + agent.id + "'";
    if (!table.contains("id")) {
      reader.Error(table.source(), "[[agents]] entry without an id", "add id = \"agent-1\"");
    }
    if (const toml::node* type = table.get("type")) {
      if (!agent.type.empty()) CheckAgentTypeReference(reader, *type, agent.type, user, *config);
    } else {
      reader.Error(table.source(), user + " has no type",
                   "add type = \"NAME\" (" + KnownTypes(*config) + ")");
    }
    config->agents.push_back(std::move(agent));
  }
}

void ReadTracks(TomlReader& reader, const toml::table& table, Config* config) {
  for (auto&& [key, node] : table) {
    TrackEntry entry;
    entry.track = std::string(key.str());
    entry.line = key.source().begin.line;
    entry.column = key.source().begin.column;
    if (!reader.StringArray(node, "tracks." + entry.track, &entry.names)) continue;
    if (entry.names.empty()) {
      reader.Warning(key.source(), "track '" + entry.track + "' lists no workstreams");
    }
    config->tracks.push_back(std::move(entry));
  }
  // toml++ iterates keys sorted by name; keep the file's order instead.
  std::sort(config->tracks.begin(), config->tracks.end(), [](const TrackEntry& a, const TrackEntry& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
}

/// Reads [[routes]]; runs after [agent_types] so each `agent_type` can be
/// checked. Whether the patterns match workstreams is checked later
/// (routes.h), once the workstreams are loaded.
void ReadRoutes(TomlReader& reader, const toml::node& node, Config* config) {
  const toml::array* array = node.as_array();
  if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
    reader.Error(node.source(), "'routes' must be an array of tables, not " + TypeName(node),
                 "write each route as a [[routes]] table with workstreams and agent_type or argv");
    return;
  }
  for (const toml::node& element : *array) {
    const toml::table& table = *element.as_table();
    Route route;
    route.line = table.source().begin.line;
    route.column = table.source().begin.column;
    const std::string user = "route at line " + std::to_string(route.line);
    bool argv_given = false;
    for (auto&& [key, value] : table) {
      const std::string key_name(key.str());
      if (key_name == "workstreams") {
        if (reader.StringArray(value, "routes.workstreams", &route.workstreams) && route.workstreams.empty()) {
          reader.Error(value.source(), user + " lists no workstreams",
                       "write workstreams = [\"ws-01\", \"auth-*\"] (ids, short ids or globs)");
        }
      } else if (key_name == "agent_type") {
        if (reader.NonEmptyString(value, "routes.agent_type", &route.agent_type)) {
          CheckAgentTypeReference(reader, value, route.agent_type, user, *config);
        }
      } else if (key_name == "argv") {
        argv_given = true;
        std::vector<std::string> argv;
        if (!reader.StringArray(value, "routes.argv", &argv)) continue;
        if (argv.empty() || argv[0].empty()) {
          reader.Error(value.source(), user + " has an empty argv",
                       "write argv = [\"./tools/agent.sh\", \"{id}\", \"{prompt_file}\"]");
          continue;
        }
        route.argv_type.kind = "command";
        route.argv_type.argv = std::move(argv);
        route.argv_type.name = "argv:" + std::filesystem::path(route.argv_type.argv[0]).filename().string();
        route.argv_type.line = route.line;
        ResolveProgram(config->config_dir, &route.argv_type.argv);
      } else {
        reader.WarnUnknownKey(key, "routes." + key_name, "workstreams, agent_type, argv");
      }
    }
    if (!table.contains("workstreams")) {
      reader.Error(table.source(), user + " has no workstreams",
                   "add workstreams = [\"ws-01\", \"auth-*\"] (ids, short ids or globs)");
    }
    if (argv_given && table.contains("agent_type")) {
      reader.Error(table.source(), user + " has both agent_type and argv", "keep one of the two");
    } else if (!argv_given && !table.contains("agent_type")) {
      reader.Error(table.source(), user + " has neither agent_type nor argv",
                   "add agent_type = \"NAME\" (" + KnownTypes(*config) + ") or argv = [\"PROGRAM\", \"{id}\"]");
    }
    config->routes.push_back(std::move(route));
  }
}

/// Reads [planner]: how long `plan` and `run` search for a good order.
void ReadPlanner(TomlReader& reader, const toml::table& table, Config* config) {
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    if (name == "budget") {
      reader.Duration(node, "planner.budget", &config->planner_budget_seconds);
    } else {
      reader.WarnUnknownKey(key, "planner." + name, "budget");
    }
  }
}

/// Reads [state] url: a PostgreSQL URL (the password is never echoed).
void ReadStateUrl(TomlReader& reader, const toml::node& node, Config* config) {
  std::string url;
  if (!reader.String(node, "state.url", &url)) return;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    config->state_url = url;
    config->state_url_origin = "[state] url in " + config->file;
    return;
  }
  reader.Error(node.source(), "'state.url' must be a postgresql:// URL",
               "write url = \"postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE\", or leave it out to keep the "
               "SQLite file of [paths] state (docs/state.md)");
}

/// Reads [state]: how durable each committed change is, and where it is kept.
void ReadState(TomlReader& reader, const toml::table& table, Config* config) {
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    if (name == "url") {
      ReadStateUrl(reader, node, config);
      continue;
    }
    if (name != "durability") {
      reader.WarnUnknownKey(key, "state." + name, "durability, url");
      continue;
    }
    std::string durability;
    if (!reader.String(node, "state.durability", &durability)) continue;
    // "full" and "normal" (SQLite's names) are the older spellings, kept so existing configs load.
    if (durability == "power" || durability == "full") {
      config->state_durability = "power";
    } else if (durability == "process" || durability == "normal") {
      config->state_durability = "process";
    } else {
      reader.Error(node.source(),
                   "'state.durability' must be \"power\" or \"process\", not \"" + durability + "\"",
                   "\"power\" survives a power cut; \"process\" survives a crash of Orchestra only (docs/state.md)");
    }
  }
}

/// Reads [secrets]: names of variables whose values are redacted besides
/// those named like secrets (sys/secrets.h).
void ReadSecrets(TomlReader& reader, const toml::table& table, Config* config) {
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    if (name == "redact") {
      reader.StringArray(node, "secrets.redact", &config->redact_variables);
    } else {
      reader.WarnUnknownKey(key, "secrets." + name, "redact");
    }
  }
}

/// Reads every section in dependency order: types before the defaults and
/// agents that name them.
void ReadRoot(TomlReader& reader, const toml::table& root, Config* config) {
  for (auto&& [key, node] : root) {
    const std::string name(key.str());
    if (name == "paths" || name == "defaults" || name == "agent_types" || name == "agents" ||
        name == "tracks" || name == "planner" || name == "routes" || name == "secrets" || name == "state") {
      continue;
    }
    reader.Warning(key.source(),
                   std::string(node.is_table() ? "unknown table" : "unknown key") + " '" + name +
                       "' ignored",
                   std::string("known sections: ") + kSections);
  }
  if (const toml::node* node = root.get("paths")) {
    if (const toml::table* table = reader.Table(*node, "paths")) ReadPaths(reader, *table, config);
  }
  if (const toml::node* node = root.get("agent_types")) {
    if (const toml::table* types = reader.Table(*node, "agent_types")) {
      for (auto&& [key, type_node] : *types) {
        const std::string name(key.str());
        if (const toml::table* table = reader.Table(type_node, "agent_types." + name)) {
          ReadAgentType(reader, name, *table, config);
        }
      }
    }
  }
  if (const toml::node* node = root.get("defaults")) {
    if (const toml::table* table = reader.Table(*node, "defaults")) {
      ReadDefaults(reader, *table, config);
    }
  }
  if (const toml::node* node = root.get("planner")) {
    if (const toml::table* table = reader.Table(*node, "planner")) ReadPlanner(reader, *table, config);
  }
  if (const toml::node* node = root.get("secrets")) {
    if (const toml::table* table = reader.Table(*node, "secrets")) ReadSecrets(reader, *table, config);
  }
  if (const toml::node* node = root.get("state")) {
    if (const toml::table* table = reader.Table(*node, "state")) ReadState(reader, *table, config);
  }
  if (const toml::node* node = root.get("agents")) ReadAgents(reader, *node, config);
  if (const toml::node* node = root.get("tracks")) {
    if (const toml::table* table = reader.Table(*node, "tracks")) ReadTracks(reader, *table, config);
  }
  if (const toml::node* node = root.get("routes")) ReadRoutes(reader, *node, config);
}

}  // namespace

std::string Config::ProjectPath(const std::string& path) const {
  const std::filesystem::path given(path);
  if (given.is_absolute()) return path;
  if (project_dir.empty()) {
    // No project folder set yet: relative to where orchestra runs.
    std::error_code error;
    return std::filesystem::absolute(given, error).lexically_normal().string();
  }
  return (std::filesystem::path(project_dir) / given).lexically_normal().string();
}

double Config::StallTimeoutOf(const AgentType& type) const {
  if (type.stall_timeout_seconds) return *type.stall_timeout_seconds;
  if (stall_timeout_seconds) return *stall_timeout_seconds;
  const AgentKind* kind = FindAgentKind(type.kind);
  return kind == nullptr ? 0 : kind->DefaultStallTimeout();
}

const AgentType* Config::TypeOf(const AgentConfig& agent) const {
  const auto found = agent_types.find(agent.type);
  return found == agent_types.end() ? nullptr : &found->second;
}

const AgentType* Config::TypeOf(const Route& route) const {
  if (route.agent_type.empty()) return route.argv_type.argv.empty() ? nullptr : &route.argv_type;
  const auto found = agent_types.find(route.agent_type);
  return found == agent_types.end() ? nullptr : &found->second;
}

std::string Route::Patterns() const {
  std::string text;
  for (const std::string& pattern : workstreams) text += (text.empty() ? "\"" : ", \"") + pattern + "\"";
  return "[" + text + "]";
}

const AgentKind* Config::KindOf(const AgentConfig& agent) const {
  const AgentType* type = TypeOf(agent);
  return type == nullptr ? nullptr : FindAgentKind(type->kind);
}

bool LoadConfig(const std::string& path, Config* config, Diagnostics* diagnostics) {
  const std::string project_dir = config->project_dir;
  *config = Config();
  config->file = path;
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) absolute = path;
  config->config_dir = absolute.lexically_normal().parent_path().string();
  config->project_dir = project_dir.empty() ? config->config_dir : project_dir;

  if (!std::filesystem::is_regular_file(path, error)) {
    diagnostics->Error(path, 0, 0, "cannot read config file", "check that the file exists");
    config->file_parsed = false;
    return false;
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& parse_error) {
    const toml::source_position& begin = parse_error.source().begin;
    diagnostics->Error(path, static_cast<int>(begin.line), static_cast<int>(begin.column),
                       std::string(parse_error.description()));
    config->file_parsed = false;
    return false;
  }

  Diagnostics found;
  TomlReader reader(path, &found);
  ReadRoot(reader, root, config);
  // Sections are read in dependency order; report in the file's order.
  std::vector<Diagnostic> items = found.items();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  for (Diagnostic& item : items) diagnostics->Add(std::move(item));
  return !found.HasErrors();
}

void UseAnonymousAgents(int count, Config* config) {
  config->agents.clear();
  for (int number = 1; number <= count; ++number) {
    AgentConfig agent;
    agent.id = "agent-" + std::to_string(number);
    agent.type = config->default_agent_type;
    config->agents.push_back(std::move(agent));
  }
}

}  // namespace orchestra
