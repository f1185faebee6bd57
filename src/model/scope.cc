#include "scope.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace orchestra {

namespace {

/// One element of a scope entry: a literal character, one character (`?`,
/// `[...]`), a run within a component (`*`) or a run across components (`**`).
struct Token {
  enum class Kind { kChar, kAnyChar, kStar, kDoubleStar } kind = Kind::kChar;
  char literal = 0;

  bool IsRun() const { return kind == Kind::kStar || kind == Kind::kDoubleStar; }
  bool IsSlash() const { return kind == Kind::kChar && literal == '/'; }
};

/// Drops "./" components, repeated and trailing slashes: "./aim//x/" -> "aim/x".
std::string Normalize(const std::string& entry) {
  std::string normalized;
  size_t start = 0;
  while (start <= entry.size()) {
    size_t end = entry.find('/', start);
    if (end == std::string::npos) end = entry.size();
    const std::string component = entry.substr(start, end - start);
    if (!component.empty() && component != ".") {
      normalized += (normalized.empty() ? "" : "/") + component;
    }
    start = end + 1;
  }
  return normalized;
}

std::vector<Token> Tokenize(const std::string& entry) {
  const std::string text = Normalize(entry);
  std::vector<Token> tokens;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '*' && i + 1 < text.size() && text[i + 1] == '*') {
      ++i;
      // `**/` may match no component at all: `a/**/b` covers `a/b`.
      if (i + 1 < text.size() && text[i + 1] == '/') ++i;
      tokens.push_back({Token::Kind::kDoubleStar});
    } else if (c == '*') {
      tokens.push_back({Token::Kind::kStar});
    } else if (c == '?') {
      tokens.push_back({Token::Kind::kAnyChar});
    } else if (c == '[' && text.find(']', i + 1) != std::string::npos) {
      i = text.find(']', i + 1);
      tokens.push_back({Token::Kind::kAnyChar});
    } else {
      tokens.push_back({Token::Kind::kChar, c});
    }
  }
  return tokens;
}

/// Whether a run token can absorb one character another token produces.
bool RunAbsorbs(const Token& run, const Token& single) {
  if (run.kind == Token::Kind::kDoubleStar) return true;
  return !single.IsSlash();  // `*` stays within a component; `?` is never '/'
}

bool SinglesAgree(const Token& a, const Token& b) {
  if (a.kind == Token::Kind::kChar && b.kind == Token::Kind::kChar) return a.literal == b.literal;
  return !a.IsSlash() && !b.IsSlash();
}

/// True when `b` may continue below the folder `a` matched: the rest of `b`
/// starts a new component.
bool StartsComponent(const std::vector<Token>& tokens, size_t position) {
  return position == tokens.size() || tokens[position].IsSlash() ||
         tokens[position].kind == Token::Kind::kDoubleStar;
}

/// Searches for strings u matching `a` and v matching `b` where one is the
/// other or a folder above it. With `a_covers_only`, only `a` may be the folder
/// (for "is this path inside that entry").
bool Covers(const std::vector<Token>& a, const std::vector<Token>& b, bool a_covers_only) {
  if (a.empty() || (b.empty() && !a_covers_only)) return true;  // the whole project
  const size_t width = b.size() + 1;
  std::vector<bool> seen((a.size() + 1) * width, false);
  std::vector<std::pair<size_t, size_t>> pending{{0, 0}};
  while (!pending.empty()) {
    const auto [i, j] = pending.back();
    pending.pop_back();
    if (seen[i * width + j]) continue;
    seen[i * width + j] = true;
    if (i == a.size() && StartsComponent(b, j)) return true;
    if (!a_covers_only && j == b.size() && StartsComponent(a, i)) return true;
    auto push = [&](size_t next_i, size_t next_j) {
      if (!seen[next_i * width + next_j]) pending.push_back({next_i, next_j});
    };
    if (i < a.size() && a[i].IsRun()) push(i + 1, j);  // the run matches nothing more
    if (j < b.size() && b[j].IsRun()) push(i, j + 1);
    if (i == a.size() || j == b.size()) continue;
    if (a[i].IsRun() && !b[j].IsRun() && RunAbsorbs(a[i], b[j])) push(i, j + 1);
    if (b[j].IsRun() && !a[i].IsRun() && RunAbsorbs(b[j], a[i])) push(i + 1, j);
    if (!a[i].IsRun() && !b[j].IsRun() && SinglesAgree(a[i], b[j])) push(i + 1, j + 1);
  }
  return false;
}

}  // namespace

bool ScopeEntriesOverlap(const std::string& a, const std::string& b) {
  return Covers(Tokenize(a), Tokenize(b), false);
}

bool ScopesOverlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const std::string& left : a) {
    for (const std::string& right : b) {
      if (ScopeEntriesOverlap(left, right)) return true;
    }
  }
  return false;
}

bool PathInScope(const std::string& path, const std::vector<std::string>& scope) {
  // The path is literal: glob characters in a real file name are just characters.
  std::vector<Token> literal;
  for (char c : Normalize(path)) literal.push_back({Token::Kind::kChar, c});
  for (const std::string& entry : scope) {
    if (Covers(Tokenize(entry), literal, true)) return true;
  }
  return false;
}

std::vector<std::string> DeclaredScope(const Workstream& workstream) {
  std::vector<std::string> scope = workstream.files_scope;
  scope.insert(scope.end(), workstream.files_create.begin(), workstream.files_create.end());
  return scope;
}

std::vector<std::pair<int, int>> ScopeConflictPairs(const std::vector<Workstream>& workstreams) {
  std::vector<std::vector<std::string>> scopes;
  for (const Workstream& workstream : workstreams) scopes.push_back(DeclaredScope(workstream));
  std::vector<std::pair<int, int>> pairs;
  for (size_t i = 0; i < scopes.size(); ++i) {
    for (size_t j = i + 1; j < scopes.size(); ++j) {
      if (ScopesOverlap(scopes[i], scopes[j])) pairs.push_back({static_cast<int>(i), static_cast<int>(j)});
    }
  }
  return pairs;
}

std::vector<std::vector<int>> ConflictGroups(int count, const std::vector<std::pair<int, int>>& pairs) {
  std::vector<int> parent(static_cast<size_t>(count));
  std::iota(parent.begin(), parent.end(), 0);
  auto root = [&](int node) {
    while (parent[node] != node) node = parent[node] = parent[parent[node]];
    return node;
  };
  for (const auto& [a, b] : pairs) parent[root(a)] = root(b);
  std::map<int, std::vector<int>> members;
  for (int node = 0; node < count; ++node) members[root(node)].push_back(node);
  std::vector<std::vector<int>> groups;
  for (auto& [group_root, group] : members) {
    if (group.size() > 1) groups.push_back(std::move(group));
  }
  std::sort(groups.begin(), groups.end());
  return groups;
}

}  // namespace orchestra
