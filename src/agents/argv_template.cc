#include "argv_template.h"

#include <fmt/format.h>

namespace orchestra {

namespace {

const char* const kPlaceholders[] = {"id", "prompt", "prompt_file", "workdir", "attempt", "agent"};

bool IsKnownPlaceholder(const std::string& name) {
  for (const char* known : kPlaceholders) {
    if (name == known) return true;
  }
  return name == "files";
}

std::string PlaceholderValue(const std::string& name, const AttemptContext& context) {
  if (name == "id") return context.workstream->id;
  if (name == "prompt") return context.prompt;
  if (name == "prompt_file") return context.prompt_file;
  if (name == "workdir") return context.workdir;
  if (name == "attempt") return std::to_string(context.attempt);
  return context.agent_id;  // "agent"
}

// Finds `{name}` placeholders; calls `visit(name)` for each. Returns false at
// an unterminated brace.
template <typename Visit>
bool ForEachPlaceholder(const std::string& text, Visit visit) {
  for (size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
    const size_t close = text.find('}', open);
    if (close == std::string::npos) return false;
    visit(text.substr(open + 1, close - open - 1), open, close);
  }
  return true;
}

// The program is written out: filled in from a workstream ({prompt},
// {files}...), the workstream's data would choose what runs, and `{files}`
// with an empty files_scope would leave no program at all.
void CheckProgram(const AgentType& type, std::vector<AgentTypeProblem>* problems) {
  if (type.argv.empty() || type.argv[0].find('{') == std::string::npos) return;
  const bool files = type.argv[0].find("{files}") != std::string::npos;
  problems->push_back(
      {fmt::format("agent type '{}' has a placeholder in its program: argv[0] is '{}'", type.name,
                   type.argv[0]),
       fmt::format("write the program itself first, e.g. argv = [\"./tools/agent.sh\", \"{{id}}\", "
                   "\"{{prompt_file}}\"]: workstream data must not choose what runs{}",
                   files ? ", and with an empty files_scope {files} leaves no program" : "")});
}

}  // namespace

bool ExpandArgument(const std::string& element, const AttemptContext& context,
                    std::vector<std::string>* out, std::string* error) {
  if (element == "{files}") {
    out->insert(out->end(), context.workstream->files_scope.begin(),
                context.workstream->files_scope.end());
    return true;
  }
  std::string expanded;
  size_t copied = 0;
  bool known = true;
  const bool closed = ForEachPlaceholder(element, [&](const std::string& name, size_t open, size_t close) {
    if (!IsKnownPlaceholder(name) || name == "files") {
      known = false;
      return;
    }
    expanded += element.substr(copied, open - copied) + PlaceholderValue(name, context);
    copied = close + 1;
  });
  if (!closed || !known) {
    *error = fmt::format("bad placeholder in agent argument '{}'", element);
    return false;
  }
  expanded += element.substr(copied);
  out->push_back(expanded);
  return true;
}

bool ExpandArgv(const std::vector<std::string>& argv_template, const AttemptContext& context,
                std::vector<std::string>* argv, std::string* error) {
  for (const std::string& element : argv_template) {
    if (!ExpandArgument(element, context, argv, error)) return false;
  }
  return true;
}


void CheckArgvTemplate(const AgentType& type, std::vector<AgentTypeProblem>* problems) {
  CheckProgram(type, problems);
  for (size_t index = 1; index < type.argv.size(); ++index) {
    const std::string& element = type.argv[index];
    std::vector<std::string> bad;
    const bool closed = ForEachPlaceholder(element, [&](const std::string& name, size_t, size_t) {
      if (!IsKnownPlaceholder(name) || (name == "files" && element != "{files}")) bad.push_back(name);
    });
    if (!closed || !bad.empty()) {
      problems->push_back(
          {fmt::format("agent type '{}' argv element '{}' has an unknown or unterminated placeholder",
                       type.name, element),
           "use {id}, {prompt}, {prompt_file}, {workdir}, {attempt}, {agent}, or {files} as a whole "
           "element"});
    }
  }
}

}  // namespace orchestra
