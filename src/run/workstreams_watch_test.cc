#include "workstreams_watch.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <cstdio>

#include "loader.h"
#include "temp_dir.h"

namespace orchestra {
namespace {

TEST(WorkstreamsWatchTest, DescribesEditedAddedAndRemovedFilesInOneSentence) {
  const std::map<std::string, std::string> before{{"a.json", "1"}, {"b.json", "2"}, {"c.json", "3"}};
  const std::map<std::string, std::string> after{{"a.json", "1"}, {"b.json", "2x"}, {"d.json", "4"}, {"e.json", "5"}};
  EXPECT_EQ(DescribeWorkstreamsChange("/p/workstreams", before, after),
            "the workstreams folder /p/workstreams changed during the run (edited b.json; added d.json, e.json; "
            "removed c.json): this run goes on with the workstreams it loaded; the next `orchestra run` loads the "
            "change");
}

TEST(WorkstreamsWatchTest, NothingDifferentIsNoChange) {
  const std::map<std::string, std::string> files{{"a.json", "1"}};
  EXPECT_EQ(DescribeWorkstreamsChange("/p/workstreams", files, files), "");
}

// The watch starts from what the loader read, not from a second read of the
// folder: a file edited between the load and the watch is a change, and an
// unchanged folder (a large one too, read in two halves) is none.
TEST(WorkstreamsWatchTest, StartsFromTheFingerprintsOfWhatWasLoaded) {
  for (int files : {3, 600}) {
    testing::TempDir dir;
    for (int index = 0; index < files; ++index) {
      char name[32];
      std::snprintf(name, sizeof name, "w%03d.json", index);
      dir.Write(name, "{\"id\": \"w" + std::to_string(index) + "\"}");
    }
    std::vector<Workstream> workstreams;
    Diagnostics diagnostics;
    std::map<std::string, std::string> loaded;
    ASSERT_TRUE(LoadWorkstreams(dir.path(), &workstreams, &diagnostics, nullptr, &loaded)) << diagnostics.Render();
    ASSERT_EQ(loaded.size(), static_cast<size_t>(files));
    uv_loop_t loop;
    uv_loop_init(&loop);
    std::vector<std::string> reports;
    {
      WorkstreamsWatch unchanged(&loop, dir.path(), [&](const std::string& message) { reports.push_back(message); },
                                 loaded);
      unchanged.Check();
      EXPECT_EQ(reports, std::vector<std::string>{}) << files;
      dir.Write("w001.json", "{\"id\": \"w1\", \"title\": \"edited after the load\"}");
      WorkstreamsWatch edited(&loop, dir.path(), [&](const std::string& message) { reports.push_back(message); },
                              loaded);
      edited.Check();
      ASSERT_EQ(reports.size(), 1u) << files;
      EXPECT_NE(reports[0].find("(edited w001.json)"), std::string::npos) << reports[0];
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
}

}  // namespace
}  // namespace orchestra
