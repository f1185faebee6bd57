#include "agent.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

namespace orchestra {

namespace {

const char* const kPlaceholders[] = {"id", "prompt", "prompt_file", "workdir", "attempt", "agent"};

bool IsKnownPlaceholder(const std::string& name) {
  for (const char* known : kPlaceholders) {
    if (name == known) return true;
  }
  return name == "files";
}

std::string PlaceholderValue(const std::string& name, const AttemptContext& context) {
  if (name == "id") return context.workstream->id;
  if (name == "prompt") return context.prompt;
  if (name == "prompt_file") return context.prompt_file;
  if (name == "workdir") return context.workdir;
  if (name == "attempt") return std::to_string(context.attempt);
  return context.agent->id;  // "agent"
}

// Finds `{name}` placeholders; calls `visit(name)` for each. Returns false at
// an unterminated brace.
template <typename Visit>
bool ForEachPlaceholder(const std::string& text, Visit visit) {
  for (size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
    const size_t close = text.find('}', open);
    if (close == std::string::npos) return false;
    visit(text.substr(open + 1, close - open - 1), open, close);
  }
  return true;
}

uint64_t Mix(uint64_t value) {  // splitmix64 finaliser
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

std::vector<std::string> AgentEnvironment(const AgentType& type, const AttemptContext& context) {
  std::vector<std::string> env{
      "ORCHESTRA_WORKSTREAM_ID=" + context.workstream->id,
      "ORCHESTRA_ATTEMPT=" + std::to_string(context.attempt),
      "ORCHESTRA_AGENT_ID=" + context.agent->id,
      "ORCHESTRA_PROMPT_FILE=" + context.prompt_file,
      "ORCHESTRA_WORKSTREAM_FILE=" + context.workstream_file,
      "ORCHESTRA_WORKDIR=" + context.workdir,
  };
  for (const auto& [key, value] : type.env) env.push_back(key + "=" + value);
  return env;
}

}  // namespace

bool ExpandArgument(const std::string& element, const AttemptContext& context,
                    std::vector<std::string>* out, std::string* error) {
  if (element == "{files}") {
    out->insert(out->end(), context.workstream->files_scope.begin(),
                context.workstream->files_scope.end());
    return true;
  }
  std::string expanded;
  size_t copied = 0;
  bool known = true;
  const bool closed = ForEachPlaceholder(element, [&](const std::string& name, size_t open, size_t close) {
    if (!IsKnownPlaceholder(name) || name == "files") {
      known = false;
      return;
    }
    expanded += element.substr(copied, open - copied) + PlaceholderValue(name, context);
    copied = close + 1;
  });
  if (!closed || !known) {
    *error = fmt::format("bad placeholder in agent argument '{}'", element);
    return false;
  }
  expanded += element.substr(copied);
  out->push_back(expanded);
  return true;
}

bool CheckAgentTypes(const Config& config, Diagnostics* diagnostics) {
  const std::string file = config.file.empty() ? "orchestra.toml" : config.file;
  bool ok = true;
  for (const AgentConfig& agent : config.agents) {
    auto found = config.agent_types.find(agent.type);
    if (found == config.agent_types.end()) continue;  // the config loader reports it
    const AgentType& type = found->second;
    if (type.kind == "sim") continue;
    if (type.argv.empty()) {
      diagnostics->Error(file, agent.line, 1,
                         fmt::format("agent '{}' has type '{}' with no argv", agent.id, agent.type),
                         fmt::format("set argv in [agent_types.{}]", agent.type));
      ok = false;
      continue;
    }
    for (const std::string& element : type.argv) {
      std::vector<std::string> bad;
      const bool closed = ForEachPlaceholder(element, [&](const std::string& name, size_t, size_t) {
        if (!IsKnownPlaceholder(name) || (name == "files" && element != "{files}")) bad.push_back(name);
      });
      if (!closed || !bad.empty()) {
        diagnostics->Error(file, agent.line, 1,
                           fmt::format("agent type '{}' argv element '{}' has an unknown or "
                                       "unterminated placeholder",
                                       agent.type, element),
                           "use {id}, {prompt}, {prompt_file}, {workdir}, {attempt}, {agent}, "
                           "or {files} as a whole element");
        ok = false;
      }
    }
  }
  return ok;
}

bool SimAttemptFails(const AgentType& type, const std::string& workstream_id, int attempt) {
  for (const std::string& id : type.fail_ids) {
    if (id == workstream_id && (type.fail_attempts == 0 || attempt <= type.fail_attempts)) return true;
  }
  if (type.fail_probability <= 0) return false;
  uint64_t hash = Mix(type.seed);
  for (char c : workstream_id) hash = Mix(hash ^ static_cast<unsigned char>(c));
  hash = Mix(hash ^ static_cast<uint64_t>(attempt));
  const double draw = static_cast<double>(hash >> 11) / static_cast<double>(1ULL << 53);
  return draw < type.fail_probability;
}

std::string SelfExecutable() {
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0) return "orchestra";
  return std::string(path, static_cast<size_t>(length));
}

bool BuildAgentProcess(const Config& config, const AttemptContext& context, ProcessSpec* spec,
                       std::string* error) {
  auto found = config.agent_types.find(context.agent->type);
  if (found == config.agent_types.end()) {
    *error = fmt::format("agent '{}' has unknown type '{}'", context.agent->id, context.agent->type);
    return false;
  }
  const AgentType& type = found->second;
  spec->argv.clear();
  if (type.kind == "sim") {
    const double hours = context.workstream->estimate_hours.value_or(config.estimate_hours);
    const bool fails = SimAttemptFails(type, context.workstream->id, context.attempt);
    spec->argv = {SelfExecutable(), "sim-agent", "--id", context.workstream->id,
                  "--seconds", fmt::format("{:.3f}", hours * type.time_scale),
                  "--exit-code", fails ? "1" : "0"};
  } else {
    for (const std::string& element : type.argv) {
      if (!ExpandArgument(element, context, &spec->argv, error)) return false;
    }
  }
  spec->env = AgentEnvironment(type, context);
  spec->cwd = context.workdir;
  spec->log_path = context.log_path;
  spec->timeout_seconds = context.timeout_seconds;
  spec->kill_grace_seconds = context.kill_grace_seconds;
  return true;
}

int RunSimAgent(const std::string& workstream_id, double seconds, int exit_code) {
  std::printf("sim agent: working on %s for %.3fs\n", workstream_id.c_str(), seconds);
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.0, seconds)));
  if (exit_code != 0) {
    std::printf("sim agent: %s failed (injected failure, exit code %d)\n", workstream_id.c_str(),
                exit_code);
  } else {
    std::printf("sim agent: %s done\n", workstream_id.c_str());
  }
  return exit_code;
}

}  // namespace orchestra
