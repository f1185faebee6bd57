#include "scope.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

struct OverlapCase {
  const char* a;
  const char* b;
  bool overlap;
};

TEST(ScopeTest, EntriesOverlapTable) {
  const OverlapCase cases[] = {
      {"src/a.py", "src/a.py", true},
      {"src/a.py", "src/b.py", false},
      {"aim/", "aim/bridge.py", true},
      {"aim", "aim/bridge.py", true},
      {"./aim//", "aim/x/y.py", true},
      {"aim", "aimx/y.py", false},
      {"aim/", "src/pipeline/aim_bridge.py", false},
      {"scripts/aim_*.py", "scripts/aim_status.py", true},
      {"scripts/aim_*.py", "scripts/ccpm_install.sh", false},
      {"scripts/aim_*.py", "scripts/", true},
      {"scripts/aim_*.py", "scripts/sub/aim_x.py", false},
      {"scripts/*.py", "scripts/aim_*.py", true},
      {"core/engine/adapters/*.py", "core/engine/adapters/base.py", true},
      {"core/engine/adapters/*.py", "core/engine/adapters/", true},
      {"core/engine/adapters/*.py", "core/engine/validators.py", false},
      {"core/engine/", "core/engine/adapters/*.py", true},
      {"schema/uet/*.json", "schema/migrations/001.sql", false},
      {"src/**/test.py", "src/test.py", true},
      {"src/**/test.py", "src/a/b/test.py", true},
      {"src/**", "src/deep/file", true},
      {"**", "anything/at/all", true},
      {"*.md", "README.md", true},
      {"*.md", "docs/README.md", false},
      {"file?.txt", "file1.txt", true},
      {"file?.txt", "file12.txt", false},
      {"file[0-9].txt", "file7.txt", true},
      {"src/pipeline/error_*.py", "src/pipeline/error_context.py", true},
      {".", "whatever", true},
      {"a*", "*b", true},
      {"a*/x", "*b/y", false},
  };
  for (const OverlapCase& c : cases) {
    EXPECT_EQ(ScopeEntriesOverlap(c.a, c.b), c.overlap) << c.a << " vs " << c.b;
    EXPECT_EQ(ScopeEntriesOverlap(c.b, c.a), c.overlap) << c.b << " vs " << c.a;
  }
}

TEST(ScopeTest, PathInScopeTable) {
  const std::vector<std::string> scope{"aim/", "scripts/aim_*.py", "README.md", "core/**/test_*.py"};
  const std::pair<const char*, bool> cases[] = {
      {"aim/bridge.py", true},
      {"aim", true},
      {"aimx", false},
      {"scripts/aim_status.py", true},
      {"scripts/aim_status.sh", false},
      {"scripts/other.py", false},
      {"README.md", true},
      {"docs/README.md", false},
      {"core/test_a.py", true},
      {"core/x/y/test_a.py", true},
      {"core/x/a.py", false},
  };
  for (const auto& [path, inside] : cases) EXPECT_EQ(PathInScope(path, scope), inside) << path;
  // A folder entry covers the files below it, never the folder above it.
  EXPECT_FALSE(PathInScope("docs", {"docs/a.md"}));
  EXPECT_TRUE(PathInScope("x", {"."}));
}

Workstream WithScope(const std::string& id, std::vector<std::string> scope,
                     std::vector<std::string> create = {}) {
  Workstream workstream;
  workstream.id = id;
  workstream.files_scope = std::move(scope);
  workstream.files_create = std::move(create);
  return workstream;
}

TEST(ScopeTest, ConflictPairsAndGroups) {
  const std::vector<Workstream> workstreams{
      WithScope("a", {"aim/"}),
      WithScope("b", {"docs/x.md"}, {"aim/new.py"}),  // files_create counts too
      WithScope("c", {"docs/"}),
      WithScope("d", {"gui/"}),
      WithScope("e", {}),  // no declared scope: overlaps nothing
      WithScope("f", {"gui/panel.py"}),
  };
  const auto pairs = ScopeConflictPairs(workstreams);
  const std::vector<std::pair<int, int>> expected{{0, 1}, {1, 2}, {3, 5}};
  EXPECT_EQ(pairs, expected);
  const std::vector<std::vector<int>> groups{{0, 1, 2}, {3, 5}};
  EXPECT_EQ(ConflictGroups(6, pairs), groups);
  EXPECT_TRUE(ConflictGroups(3, {}).empty());
}

}  // namespace
}  // namespace orchestra
