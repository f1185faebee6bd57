// JSON depth: how deeply a JSON text nests its arrays and objects, measured on
// the text itself. Parsing, copying and printing a JSON value recurse once per
// level, so a file nested 100,000 levels deep would overflow the stack; the
// loader checks the text first and refuses it with a position.
#pragma once

#include <cstddef>
#include <string>

namespace orchestra {

/// The deepest nesting of arrays and objects a workstream file may have. The
/// files need a few levels; this leaves room for any metadata while keeping
/// every recursion over a loaded value far from the stack's limit.
constexpr int kMaxJsonDepth = 512;

/// The byte offset of the first '[' or '{' that opens level `max_depth + 1`
/// (the top-level value is level 1), or std::string::npos when the text stays
/// within `max_depth`. Brackets inside strings and comments do not count. The
/// text need not be valid JSON; the scan is a loop, not a recursion.
size_t FindTooDeep(const std::string& text, int max_depth = kMaxJsonDepth);

}  // namespace orchestra
