#include "prompt.h"

namespace orchestra {

namespace {

void AppendList(const char* heading, const std::vector<std::string>& items, std::string* text) {
  if (items.empty()) return;
  *text += "\n## ";
  *text += heading;
  *text += "\n";
  for (const std::string& item : items) *text += "- " + item + "\n";
}

}  // namespace

std::string BuildPrompt(const Workstream& workstream, const std::string& previous_failure) {
  std::string text;
  if (!workstream.prompt.empty()) {
    text = workstream.prompt;
    if (text.back() != '\n') text += '\n';
  } else {
    text = "# " + (workstream.title.empty() ? workstream.id : workstream.title) + "\n";
    text += "\nWorkstream: " + workstream.id + "\n";
    AppendList("Tasks", workstream.tasks, &text);
    AppendList("Files in scope", workstream.files_scope, &text);
    AppendList("Files to create", workstream.files_create, &text);
    AppendList("Acceptance tests (must pass)", workstream.acceptance_tests, &text);
  }
  if (!previous_failure.empty()) {
    text += "\n## The previous attempt failed\n" + previous_failure + "\n";
  }
  return text;
}

}  // namespace orchestra
