// The check every fault campaign ends with: no secret value survives anywhere
// Orchestra wrote. Agents in these tests get API keys in their environment and
// print them; what Orchestra keeps afterwards (the state database, every table
// and its write-ahead log, logs/, status files, reports/, the git objects of
// the repository and its worktrees, the terminal output) must hold none of
// them, neither raw nor base64- nor URL-encoded.
#pragma once

#include <string>
#include <vector>

namespace orchestra::testing {

/// Two secret values for a campaign's agents, and the orchestra.toml lines
/// that hand them to an agent type: the first is secret by its variable's
/// name (`ANTHROPIC_API_KEY`), the second only because `[secrets] redact`
/// lists its variable (`DEPLOY_HOOK`).
struct CampaignSecrets {
  std::string api_key = "sk-ant-api03-campaign-7Qx+9/z=Lk2";
  std::string hook = "hook/value?for=campaign&id=4f9c";
  /// The `env = { ... }` line for an `[agent_types.X]` table.
  std::string EnvLine() const;
  /// The `[secrets]` table listing DEPLOY_HOOK.
  std::string RedactTable() const;
  std::vector<std::string> values() const { return {api_key, hook}; }
};

/// ExportedSecrets puts a CampaignSecrets' keys in this process's environment
/// (ANTHROPIC_API_KEY, DEPLOY_HOOK) while it lives, so that an orchestrator
/// the test starts, its agents and their acceptance tests inherit them. For
/// projects the test commits to git, where an `env` table in orchestra.toml
/// would put the keys into the repository itself.
class ExportedSecrets {
 public:
  explicit ExportedSecrets(const CampaignSecrets& secrets);
  ~ExportedSecrets();
  ExportedSecrets(const ExportedSecrets&) = delete;
  ExportedSecrets& operator=(const ExportedSecrets&) = delete;
};

/// What SecretLeaks scans.
struct SecretScan {
  /// The project folder: every file under it, recursively (the state and its
  /// WAL, logs, reports, prompts, status files, worktrees), and, when it holds
  /// a git repository, every object of that repository, decompressed.
  std::string project_dir;
  /// Paths under project_dir (relative) the test wrote itself and that hold
  /// a secret by design, e.g. "orchestra.toml" with the agent type's env.
  std::vector<std::string> test_inputs = {"orchestra.toml"};
  /// More folders or files Orchestra wrote outside project_dir.
  std::vector<std::string> extra_paths;
  /// Texts Orchestra printed (a run's stdout and stderr), each with a name.
  std::vector<std::pair<std::string, std::string>> outputs;
  /// SQLite databases whose tables are read value by value too (a value can
  /// straddle pages, which a scan of the file's bytes would miss); the
  /// project's `.state/orchestration.db` is always among them.
  std::vector<std::string> databases;
};

/// The forms a secret is looked for in: itself, base64 (standard and URL-safe
/// alphabets, at each of the three alignments it can have inside a longer
/// encoded text) and percent-encoded (upper- and lower-case hex), each with
/// the name of the form.
std::vector<std::pair<std::string, std::string>> SecretForms(const std::string& secret);

/// Where any form of any of `secrets` is found by `scan`, one line each
/// ("<place>: <form> of secret <n>"); empty when none survives.
std::vector<std::string> SecretLeaks(const SecretScan& scan, const std::vector<std::string>& secrets);

}  // namespace orchestra::testing
