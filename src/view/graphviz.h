// Runs Graphviz's `dot` program to lay out a graph. `dot` is started from an
// argv (never a shell) with the DOT text on its stdin.
#pragma once

#include <string>

namespace orchestra {

/// Lays out `dot_text` with `dot -T<format>` (e.g. "svg") and returns its
/// output in `*output`. False with `*error` set when `dot` is not installed
/// (the message names the Debian package), fails, or exits non-zero.
bool RunDot(const std::string& dot_text, const std::string& format, std::string* output, std::string* error);

}  // namespace orchestra
