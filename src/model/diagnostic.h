// Diagnostics: problems found in user input, reported all at once as
// `file:line:column: severity: message` with a hint saying how to fix it.
#pragma once

#include <string>
#include <vector>

namespace orchestra {

enum class Severity { kError, kWarning };

/// One problem found in an input file. `line` and `column` are 1-based; 0 means
/// "the whole file" (the position is then left out of the rendered text).
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  std::string hint;  // how to fix it; may be empty

  /// `file:line:column: error: message (hint: ...)`.
  std::string Render() const;
};

/// Diagnostics collects every problem of one validation pass, in the order found.
class Diagnostics {
 public:
  void Error(std::string file, int line, int column, std::string message, std::string hint = "");
  void Warning(std::string file, int line, int column, std::string message, std::string hint = "");
  void Add(Diagnostic diagnostic) { items_.push_back(std::move(diagnostic)); }
  void Append(const Diagnostics& other);

  bool HasErrors() const;
  int ErrorCount() const;
  int WarningCount() const;
  const std::vector<Diagnostic>& items() const { return items_; }

  /// Every diagnostic on its own line, errors and warnings in the order found.
  std::string Render() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace orchestra
