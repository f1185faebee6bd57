#include "diagnostic.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(DiagnosticTest, RendersPositionSeverityAndHint) {
  Diagnostics diagnostics;
  diagnostics.Error("ws/a.json", 3, 7, "unknown dependency 'ws-b'", "did you mean 'ws-bb'?");
  diagnostics.Warning("ws/a.json", 0, 0, "unknown field 'doc_id' kept");
  EXPECT_EQ(diagnostics.Render(),
            "ws/a.json:3:7: error: unknown dependency 'ws-b' (hint: did you mean 'ws-bb'?)\n"
            "ws/a.json: warning: unknown field 'doc_id' kept\n");
  EXPECT_TRUE(diagnostics.HasErrors());
  EXPECT_EQ(diagnostics.ErrorCount(), 1);
  EXPECT_EQ(diagnostics.WarningCount(), 1);
}

}  // namespace
}  // namespace orchestra
