// Agent programs: whether each agent's program can be started at all, checked
// before anything runs. A missing or non-executable program would otherwise
// fail every attempt with "cannot start ... no such file".
#pragma once

#include "config.h"
#include "diagnostic.h"

namespace orchestra {

/// Reports, for every agent whose kind runs an argv, a program that is not on
/// PATH (a bare name) or does not exist or is not executable (a path), as
/// `severity` at the agent's line. Returns false if it reported an error.
bool CheckAgentPrograms(const Config& config, Severity severity, Diagnostics* diagnostics);

/// True when `program` can be executed: a path (with '/') that is an
/// executable file, or a bare name found as one in a folder of `path_list`.
bool CanExecute(const std::string& program, const std::string& path_list);

}  // namespace orchestra
