#include "workstreams_watch.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace orchestra
