#include "diagnostic.h"

#include <algorithm>

namespace orchestra {

std::string Diagnostic::Render() const {
  std::string text = file;
  if (line > 0) {
    text += ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  text += severity == Severity::kError ? ": error: " : ": warning: ";
  text += message;
  if (!hint.empty()) text += " (hint: " + hint + ")";
  return text;
}

void Diagnostics::Error(std::string file, int line, int column, std::string message,
                        std::string hint) {
  items_.push_back({Severity::kError, std::move(file), line, column, std::move(message),
                    std::move(hint)});
}

void Diagnostics::Warning(std::string file, int line, int column, std::string message,
                          std::string hint) {
  items_.push_back({Severity::kWarning, std::move(file), line, column, std::move(message),
                    std::move(hint)});
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasErrors() const { return ErrorCount() > 0; }

int Diagnostics::ErrorCount() const {
  return static_cast<int>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::kError;
  }));
}

int Diagnostics::WarningCount() const { return static_cast<int>(items_.size()) - ErrorCount(); }

std::string Diagnostics::Render() const {
  std::string text;
  for (const Diagnostic& diagnostic : items_) text += diagnostic.Render() + "\n";
  return text;
}

}  // namespace orchestra
