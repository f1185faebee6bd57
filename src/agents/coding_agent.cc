#include "coding_agent.h"

#include <algorithm>

#include "argv_template.h"

namespace orchestra {

bool CodingAgent::OwnsKey(const std::string& key) const { return key == "model"; }

std::vector<std::string> CodingAgent::Options(const AgentType& type, const AttemptContext&) const {
  if (type.model.empty()) return {};
  return {"--model", type.model};
}

bool CodingAgent::BuildArgv(const AgentType& type, const AttemptContext& context, std::vector<std::string>* argv,
                            std::string* error) const {
  return ExpandArgvWithOptions(type.argv, Options(type, context), context, argv, error);
}

bool ExpandArgvWithOptions(const std::vector<std::string>& argv_template, const std::vector<std::string>& options,
                           const AttemptContext& context, std::vector<std::string>* argv, std::string* error) {
  // The split is made in the template: a "--" that {files} expands to is a file, not the end of options.
  const auto options_end = std::find(argv_template.begin(), argv_template.end(), "--");
  if (!ExpandArgv(std::vector<std::string>(argv_template.begin(), options_end), context, argv, error)) {
    return false;
  }
  argv->insert(argv->end(), options.begin(), options.end());
  return ExpandArgv(std::vector<std::string>(options_end, argv_template.end()), context, argv, error);
}

}  // namespace orchestra
