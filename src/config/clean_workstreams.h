// The loader's fast path: a workstream file with nothing to report is read
// straight into `Workstream` values in one pass over its text, without a JSON
// document, a position index or a copy of each value. Anything that would be
// reported (a syntax error, a field of the wrong type, an unknown field, a
// repeated dependency), and anything this path leaves to the full parser (a
// key written with an escape, a repeated key, a byte order mark, an integer of
// more than 18 digits), makes it give up without a trace; the loader's
// reporting path (loader.cc) then reads the file again and names the file,
// the field and the fix. Clean files are what a load of thousands of
// generated workstreams consists of.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "workstream.h"

namespace orchestra {

/// Appends the workstreams of `text` (named `file`, a workstream object or an
/// array of them) and returns true when the file is clean: then the reporting
/// path would report nothing and load the same workstreams (the same fields,
/// positions and raw object). Otherwise returns false and leaves
/// `workstreams` as it was.
bool ParseCleanWorkstreams(const std::string& file, std::string_view text,
                           std::vector<Workstream>* workstreams);

}  // namespace orchestra
