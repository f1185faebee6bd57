// The loader: reads every `*.json` under the workstreams folder into
// `Workstream` values, reporting each problem with file:line:column.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic.h"
#include "workstream.h"

namespace orchestra {

/// Loads every `*.json` file directly in `dir` (sorted by name). A file holds one
/// workstream object or an array of them. Malformed files and fields are reported
/// in `diagnostics` and skipped; everything loadable is loaded. Unknown fields are
/// kept in `Workstream::raw` and warned about once per field name; a `*.json`
/// link that cannot be followed is skipped with a warning, and one that leads
/// outside `dir` is refused with an error (docs/security.md). Returns false when
/// any error was reported.
/// `unloaded_ids`, when given, receives the ids of workstreams that were
/// dropped for an error (so what depends on them is not told they are unknown).
/// `fingerprints`, when given, receives each file read: its name in `dir`
/// and the ContentFingerprint of the text loaded.
bool LoadWorkstreams(const std::string& dir, std::vector<Workstream>* workstreams,
                     Diagnostics* diagnostics, std::vector<std::string>* unloaded_ids = nullptr,
                     std::map<std::string, std::string>* fingerprints = nullptr);

/// A file's content as the run's watch of the workstreams folder compares
/// it: its size and a hash of its bytes ("<size>:<hex hash>").
std::string ContentFingerprint(std::string_view text);

/// Parses the text of one file (named `file` in diagnostics) and appends its
/// workstreams. A text that is UTF-16 or UTF-32, or nested deeper than
/// kMaxJsonDepth, is refused before it is parsed. `warned_fields` remembers
/// which unknown fields were warned about. A clean file is read by the fast
/// path (clean_workstreams.h); any other by ParseWorkstreamFileReporting.
bool ParseWorkstreamFile(const std::string& file, const std::string& text,
                         std::vector<Workstream>* workstreams, Diagnostics* diagnostics,
                         std::vector<std::string>* warned_fields,
                         std::vector<std::string>* unloaded_ids = nullptr);

/// ParseWorkstreamFile's reporting path alone: nlohmann's parser, the
/// position index and a check of every field, each problem reported with
/// its file, line, column and fix. (Tests and the fuzz target compare it
/// with the fast path.)
bool ParseWorkstreamFileReporting(const std::string& file, const std::string& text,
                                  std::vector<Workstream>* workstreams, Diagnostics* diagnostics,
                                  std::vector<std::string>* warned_fields,
                                  std::vector<std::string>* unloaded_ids = nullptr);

}  // namespace orchestra
