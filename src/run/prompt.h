// Prompts: the text an agent is given for a workstream.
#pragma once

#include <string>

#include "workstream.h"

namespace orchestra {

/// The prompt for an attempt: the workstream's own `prompt` if it has one, else
/// one built from its title, tasks, files and acceptance tests. When
/// `previous_failure` is set (a retry), it is appended so the agent does not
/// start blind.
std::string BuildPrompt(const Workstream& workstream, const std::string& previous_failure);

}  // namespace orchestra
