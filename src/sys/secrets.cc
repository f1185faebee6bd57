#include "secrets.h"

#include <algorithm>
#include <cctype>

extern char** environ;

namespace orchestra {

namespace {

std::string Upper(std::string_view text) {
  std::string upper(text);
  for (char& letter : upper) letter = static_cast<char>(std::toupper(static_cast<unsigned char>(letter)));
  return upper;
}

}  // namespace

bool IsSecretName(std::string_view name) {
  const std::string upper = Upper(name);
  for (std::string_view suffix : {"_KEY", "_TOKEN", "_SECRET"}) {
    if (upper.size() > suffix.size() && upper.ends_with(suffix)) return true;
  }
  return upper.find("PASSWORD") != std::string::npos;
}

std::vector<std::string> CollectSecrets(const std::vector<std::string>& environment,
                                        const std::vector<std::string>& extra_names) {
  std::vector<std::string> secrets;
  for (const std::string& entry : environment) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos || entry.size() - equals - 1 < kMinSecretLength) continue;
    const std::string name = entry.substr(0, equals);
    if (!IsSecretName(name) && std::find(extra_names.begin(), extra_names.end(), name) == extra_names.end()) {
      continue;
    }
    secrets.push_back(entry.substr(equals + 1));
  }
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  return secrets;
}

std::vector<std::string> SecretsOf(const std::map<std::string, std::string>& agent_env,
                                   const std::vector<std::string>& extra_names) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) environment.emplace_back(*entry);
  for (const auto& [name, value] : agent_env) environment.push_back(name + "=" + value);
  return CollectSecrets(environment, extra_names);
}

Redactor::Redactor(std::vector<std::string> secrets) : secrets_(std::move(secrets)) {
  std::erase_if(secrets_, [](const std::string& secret) { return secret.empty(); });
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

size_t Redactor::PossibleStart(std::string_view rest) const {
  const size_t longest = secrets_.empty() ? 0 : secrets_.front().size();
  for (size_t length = std::min(rest.size(), longest > 0 ? longest - 1 : 0); length > 0; --length) {
    const std::string_view end = rest.substr(rest.size() - length);
    for (const std::string& secret : secrets_) {
      if (secret.size() > length && std::string_view(secret).starts_with(end)) return length;
    }
  }
  return 0;
}

void Redactor::Feed(std::string_view text, std::string* out) {
  if (secrets_.empty()) {
    out->append(text);
    return;
  }
  std::string joined;
  std::string_view pending = text;
  if (!carry_.empty()) {
    joined.swap(carry_);
    joined.append(text);
    pending = joined;
  }
  // The next occurrence of each secret at or after `position`, refreshed only
  // when a replacement moved past it, so each secret's search runs once per piece.
  std::vector<size_t> next(secrets_.size(), 0);
  for (size_t i = 0; i < secrets_.size(); ++i) next[i] = pending.find(secrets_[i]);
  size_t position = 0;
  while (true) {
    size_t found = std::string_view::npos;
    size_t length = 0;
    for (size_t i = 0; i < secrets_.size(); ++i) {
      if (next[i] != std::string_view::npos && next[i] < position) {
        next[i] = pending.find(secrets_[i], position);
      }
      if (next[i] < found) {  // ties go to the longer secret, which comes first
        found = next[i];
        length = secrets_[i].size();
      }
    }
    if (found == std::string_view::npos) break;
    out->append(pending.substr(position, found - position));
    out->append(kRedacted);
    position = found + length;
  }
  const std::string_view rest = pending.substr(position);
  const size_t held = PossibleStart(rest);
  out->append(rest.substr(0, rest.size() - held));
  carry_.assign(rest.substr(rest.size() - held));
}

void Redactor::Flush(std::string* out) {
  out->append(carry_);
  carry_.clear();
}

std::string Redact(std::string_view text, const std::vector<std::string>& secrets) {
  Redactor redactor(secrets);
  std::string redacted;
  redactor.Feed(text, &redacted);
  redactor.Flush(&redacted);
  return redacted;
}

}  // namespace orchestra
