// File scopes: which files a workstream may touch (`files_scope` and
// `files_create`), whether two scopes could name a common file, and whether a
// changed file lies inside a scope. Pure functions, no filesystem.
//
// An entry is a path relative to the project folder. Without glob characters
// it names that file or folder and everything below it ("aim", "aim/" and
// "./aim" are the same entry). With them, `?` is one character and `*` any run
// of characters within one path component, `**` any run across components
// (`a/**/b` also matches `a/b`), and `[...]` counts as one character; a glob
// also covers everything below what it matches. "." or "" is the whole project.
//
// Overlap is conservative: two entries overlap when some path could be
// covered by both. A false alarm only serialises two workstreams; a miss
// would let two agents edit the same file at once.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "workstream.h"

namespace orchestra {

/// True when some file could be covered by both entries.
bool ScopeEntriesOverlap(const std::string& a, const std::string& b);

/// True when any entry of `a` overlaps any entry of `b`.
bool ScopesOverlap(const std::vector<std::string>& a, const std::vector<std::string>& b);

/// True when the file `path` is covered by some entry of `scope`.
bool PathInScope(const std::string& path, const std::vector<std::string>& scope);

/// A workstream's declared scope: files_scope followed by files_create.
std::vector<std::string> DeclaredScope(const Workstream& workstream);

/// Every pair (i < j) of workstreams whose declared scopes overlap. A
/// workstream that declares no scope overlaps nothing (nothing is known).
std::vector<std::pair<int, int>> ScopeConflictPairs(const std::vector<Workstream>& workstreams);

/// The connected components of the conflict pairs with two or more members,
/// each sorted, ordered by their first member.
std::vector<std::vector<int>> ConflictGroups(int count, const std::vector<std::pair<int, int>>& pairs);

}  // namespace orchestra
