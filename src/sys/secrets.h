// Secrets: the values Orchestra must never write down. API keys reach agents
// through the environment; an agent (or an acceptance test) may print one, and
// whatever Orchestra writes that it did not author (attempt logs, failure
// messages, reports, the next attempt's prompt) must show `[redacted]` instead.
//
// A value is secret when its variable's name says so (*_KEY, *_TOKEN,
// *_SECRET, *PASSWORD*, any case) or when the config lists the name. Values
// shorter than kMinSecretLength are ignored: "1", "true" or "admin" would
// blank out ordinary words all over a log, and keys are far longer.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace orchestra {

/// What a secret value is replaced by.
inline constexpr std::string_view kRedacted = "[redacted]";

/// Values shorter than this are never treated as secrets (see above).
inline constexpr size_t kMinSecretLength = 8;

/// True when a variable called `name` holds a secret by its name alone:
/// *_KEY, *_TOKEN, *_SECRET or *PASSWORD*, compared case-insensitively.
bool IsSecretName(std::string_view name);

/// The secret values among `environment` (KEY=VALUE entries): those whose
/// names are secret by IsSecretName or listed in `extra_names`, at least
/// kMinSecretLength long; each once, longest first.
std::vector<std::string> CollectSecrets(const std::vector<std::string>& environment,
                                        const std::vector<std::string>& extra_names);

/// CollectSecrets over this process's environment plus `agent_env` (an agent
/// type's `env` table, which the agent gets on top of ours).
std::vector<std::string> SecretsOf(const std::map<std::string, std::string>& agent_env,
                                   const std::vector<std::string>& extra_names);

/// Redactor replaces secrets in a stream of text that arrives in pieces. A
/// secret may be split across two pieces, so the end of a piece that could be
/// the start of a secret (at most the longest secret minus one byte) is held
/// back until the next piece or Flush.
class Redactor {
 public:
  explicit Redactor(std::vector<std::string> secrets);

  /// Appends `text` with every secret replaced to `*out`, except the bytes held back.
  void Feed(std::string_view text, std::string* out);
  /// Appends the bytes held back (no secret can complete any more).
  void Flush(std::string* out);
  /// How many bytes are held back now.
  size_t held() const { return carry_.size(); }
  bool empty() const { return secrets_.empty(); }

 private:
  /// How many bytes at the end of `rest` could begin a secret.
  size_t PossibleStart(std::string_view rest) const;

  std::vector<std::string> secrets_;  // non-empty values, longest first
  std::string carry_;
};

/// `text` with every occurrence of each of `secrets` replaced by "[redacted]";
/// for text Orchestra writes that it did not author.
std::string Redact(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace orchestra
