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

// Walks `text`: calls `literal(piece)` for plain text ("{{" and "}}" stand for
// a literal brace, as in Python and fmt) and `placeholder(name)` for each
// `{name}`. Returns false at an unterminated brace.
template <typename Literal, typename Placeholder>
bool WalkTemplate(const std::string& text, Literal literal, Placeholder placeholder) {
  size_t at = 0;
  while (at < text.size()) {
    const size_t brace = text.find_first_of("{}", at);
    if (brace == std::string::npos) {
      literal(text.substr(at));
      return true;
    }
    literal(text.substr(at, brace - at));
    if (brace + 1 < text.size() && text[brace + 1] == text[brace]) {  // "{{" or "}}"
      literal(text.substr(brace, 1));
      at = brace + 2;
      continue;
    }
    if (text[brace] == '}') {  // a lone closing brace is itself
      literal("}");
      at = brace + 1;
      continue;
    }
    const size_t close = text.find('}', brace);
    if (close == std::string::npos) return false;
    placeholder(text.substr(brace + 1, close - brace - 1));
    at = close + 1;
  }
  return true;
}

// The program is written out: filled in from a workstream ({prompt},
// {files}...), the workstream's data would choose what runs, and `{files}`
// with an empty files_scope would leave no program at all.
void CheckProgram(const AgentType& type, std::vector<AgentTypeProblem>* problems) {
  if (type.argv.empty()) return;
  bool placeholder = false;
  const bool closed =
      WalkTemplate(type.argv[0], [](const std::string&) {}, [&](const std::string&) { placeholder = true; });
  if (closed && !placeholder) return;
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
  bool known = true;
  const bool closed = WalkTemplate(
      element, [&](const std::string& text) { expanded += text; },
      [&](const std::string& name) {
        if (!IsKnownPlaceholder(name) || name == "files") {
          known = false;
          return;
        }
        expanded += PlaceholderValue(name, context);
      });
  if (!closed || !known) {
    *error = fmt::format("bad placeholder in agent argument '{}'", element);
    return false;
  }
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
    const bool closed = WalkTemplate(
        element, [](const std::string&) {},
        [&](const std::string& name) {
          if (!IsKnownPlaceholder(name) || (name == "files" && element != "{files}")) bad.push_back(name);
        });
    if (!closed || !bad.empty()) {
      problems->push_back(
          {fmt::format("agent type '{}' argv element '{}' has an unknown or unterminated placeholder",
                       type.name, element),
           "use {id}, {prompt}, {prompt_file}, {workdir}, {attempt}, {agent}, or {files} as a whole "
           "element; write {{ and }} for a literal brace"});
    }
  }
}

}  // namespace orchestra
