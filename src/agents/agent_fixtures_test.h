// For the adapters' tests only: recorded agent output from
// tests/fixtures/agents/<kind>/<scenario>.txt, and a verdict written out in
// one line so a table of cases compares whole verdicts.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "agent_kind.h"
#include "test_paths.h"

namespace orchestra {

/// The text of tests/fixtures/agents/`kind`/`scenario`.txt; a test failure when it is missing.
inline std::string AgentFixture(const std::string& kind, const std::string& scenario) {
  const std::string path = std::string(ORCHESTRA_TEST_FIXTURES_DIR) + "/agents/" + kind + "/" + scenario + ".txt";
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "missing fixture " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A process that exited with `exit_code`.
inline ProcessResult ExitedWith(int exit_code) {
  ProcessResult result;
  result.exit_code = exit_code;
  return result;
}

/// "rate_limited | reason | in 1 out 2 cache_read 3 cache_write 4 cost 0.5 model m turns 1 | retry 30 | session s":
/// every field of a verdict, unset ones as "-".
inline std::string VerdictLine(const AgentVerdict& verdict) {
  const Usage& usage = verdict.usage;
  return fmt::format("{} | {} | in {} out {} cache_read {} cache_write {} cost {} model {} turns {} | retry {} | "
                     "session {}",
                     AgentOutcomeName(verdict.outcome), verdict.reason.empty() ? "-" : verdict.reason,
                     usage.input_tokens, usage.output_tokens, usage.cache_read_tokens, usage.cache_write_tokens,
                     usage.cost_usd ? fmt::format("{:g}", *usage.cost_usd) : "-",
                     usage.model.empty() ? "-" : usage.model, usage.turns,
                     verdict.retry_after_seconds ? fmt::format("{:g}", *verdict.retry_after_seconds) : "-",
                     verdict.session_id.empty() ? "-" : verdict.session_id);
}

/// One recorded scenario of a kind: its output, how the process ended, and the verdict expected.
struct AgentCase {
  const char* scenario;
  int exit_code;
  std::string verdict;  // VerdictLine of the expected verdict
};

/// Interprets each case's fixture with `kind` and compares whole verdicts.
inline void ExpectVerdicts(const char* kind, const std::vector<AgentCase>& cases) {
  for (const AgentCase& agent_case : cases) {
    SCOPED_TRACE(std::string(kind) + "/" + agent_case.scenario);
    const std::string output = AgentFixture(kind, agent_case.scenario);
    EXPECT_EQ(VerdictLine(FindAgentKind(kind)->Interpret(ExitedWith(agent_case.exit_code), output)),
              agent_case.verdict);
  }
}

}  // namespace orchestra
