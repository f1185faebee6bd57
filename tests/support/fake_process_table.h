// A ProcessTable for tests whose processes are fakes: it scans nothing and
// counts what the executor asked of it.
#pragma once

#include <string>
#include <vector>

#include "process_table.h"

namespace orchestra::testing {

/// FakeProcessTable knows no process; it records the attempt keys the
/// executor looked for, and can pretend to find leftovers of one.
class FakeProcessTable : public ProcessTable {
 public:
  int64_t StartTime(int) override { return 0; }
  bool KillStaleGroup(int64_t, int64_t) override { return false; }
  std::vector<int> KillWithEnvironment(const std::vector<std::string>& entries) override {
    std::vector<int> found;
    for (const std::string& entry : entries) {
      searched.push_back(entry);
      found.push_back(entry == leftovers_of ? leftover_count : 0);
    }
    return found;
  }
  /// Answers at once, as a table without a loop does.
  void KillWithEnvironmentLater(std::vector<std::string> entries, KillDone done) override {
    scans.push_back(entries);
    done(KillWithEnvironment(entries));
  }

  /// Finds nothing: a fake attempt has no supervisor to adopt.
  std::vector<std::vector<int>> FindWithEnvironment(const std::vector<std::string>& entries) override {
    return std::vector<std::vector<int>>(entries.size());
  }

  std::vector<std::vector<std::string>> scans;  // the entries of each KillWithEnvironmentLater
  std::vector<std::string> searched;  // every entry looked for, in order
  std::string leftovers_of;           // this entry...
  int leftover_count = 0;             // ...finds this many processes
};

}  // namespace orchestra::testing
