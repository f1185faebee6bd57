// Argv templates: the `argv` of an agent type, with {placeholders} filled in
// per attempt. Shared by the kinds that run a configured command.
#pragma once

#include <string>
#include <vector>

#include "agent_kind.h"

namespace orchestra {

/// Expands one argv template element. `{files}` alone expands to one element
/// per files_scope entry; other placeholders ({id}, {prompt}, {prompt_file},
/// {workdir}, {attempt}, {agent}) are substituted inside the text; "{{" and
/// "}}" stand for a literal brace (a JSON argument: "{{\"a\": 1}}").
bool ExpandArgument(const std::string& element, const AttemptContext& context,
                    std::vector<std::string>* out, std::string* error);

/// Expands every element of `argv_template` into `*argv`.
bool ExpandArgv(const std::vector<std::string>& argv_template, const AttemptContext& context,
                std::vector<std::string>* argv, std::string* error);

/// Appends a problem for a program (argv[0]) that holds a placeholder, and for
/// each later element with an unknown or unterminated placeholder.
void CheckArgvTemplate(const AgentType& type, std::vector<AgentTypeProblem>* problems);

}  // namespace orchestra
