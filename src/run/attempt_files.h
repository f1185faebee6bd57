// Attempt files: the log and the prompt file of one attempt, under
// logs/workstreams/<id>/. Each attempt gets files of its own: attempt numbers
// start again at 1 after `orchestra retry` or `reset`, so a name already taken
// (by an earlier attempt with that number, or a deleted state's) gets a suffix
// instead of being appended to.
#pragma once

#include <string>

namespace orchestra {

/// AttemptFiles names the two files of one attempt.
struct AttemptFiles {
  std::string log_path;     // attempt-<n>.log, or attempt-<n>-<k>.log when taken
  std::string prompt_path;  // the same name ending in .prompt.md
};

/// Creates the log file of attempt `number` in `dir` (and `dir` itself),
/// exclusively: the first of attempt-<n>.log, attempt-<n>-2.log, ... that does
/// not exist yet. False with `*error` when no file can be created there.
bool ReserveAttemptFiles(const std::string& dir, int number, AttemptFiles* files, std::string* error);

/// Writes `text` to `path`, replacing what was there.
bool WriteFileFresh(const std::string& path, const std::string& text, std::string* error);

}  // namespace orchestra
