#include "sim_agent.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

namespace orchestra {

namespace {

uint64_t Mix(uint64_t value) {  // splitmix64 finaliser
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

}  // namespace

bool SimAgent::OwnsKey(const std::string& key) const {
  return key == "time_scale" || key == "fail" || key == "fail_attempts" || key == "fail_probability" ||
         key == "seed";
}

bool SimAgent::BuildArgv(const AgentType& type, const AttemptContext& context,
                         std::vector<std::string>* argv, std::string*) const {
  const bool fails = SimAttemptFails(type, context.workstream->id, context.attempt);
  *argv = {SelfExecutable(), "sim-agent", "--id", context.workstream->id,
           "--seconds", fmt::format("{:.3f}", context.estimate_hours * type.time_scale),
           "--exit-code", fails ? "1" : "0"};
  if (context.in_worktree) argv->insert(argv->end(), {"--write", SimWorkFile(context.workstream->id)});
  return true;
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

std::string SimWorkFile(const std::string& workstream_id) { return ".orchestra-sim/" + workstream_id + ".md"; }

int RunSimAgent(const std::string& workstream_id, double seconds, int exit_code, const std::string& write) {
  std::printf("sim agent: working on %s for %.3fs\n", workstream_id.c_str(), seconds);
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.0, seconds)));
  if (exit_code != 0) {
    std::printf("sim agent: %s failed (injected failure, exit code %d)\n", workstream_id.c_str(),
                exit_code);
  } else {
    if (!write.empty()) {
      std::error_code ignored;  // a failed write shows as "the agent changed no file"
      std::filesystem::create_directories(std::filesystem::path(write).parent_path(), ignored);
      std::ofstream(write, std::ios::app) << "simulated work on " << workstream_id << "\n";
    }
    std::printf("sim agent: %s done\n", workstream_id.c_str());
  }
  return exit_code;
}

}  // namespace orchestra
