#include "id_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orchestra {
namespace {

TEST(IdIndexTest, FindsEveryIdAtItsPositionAndNothingElse) {
  std::vector<std::string> ids;
  for (int node = 0; node < 5000; ++node) ids.push_back("ws-" + std::to_string(node));
  const IdIndex index(ids);
  for (int node = 0; node < 5000; ++node) EXPECT_EQ(index.Find(ids[node], ids), node);
  EXPECT_EQ(index.Find("ws-5000", ids), -1);
  EXPECT_EQ(index.Find("", ids), -1);
  EXPECT_EQ(index.Find("ws-", ids), -1);
}

TEST(IdIndexTest, KeepsTheFirstOfRepeatedIds) {
  const std::vector<std::string> ids = {"a", "b", "a", "c", "b"};
  const IdIndex index(ids);
  EXPECT_EQ(index.Find("a", ids), 0);
  EXPECT_EQ(index.Find("b", ids), 1);
  EXPECT_EQ(index.Find("c", ids), 3);
}

TEST(IdIndexTest, AnEmptyIndexFindsNothing) {
  const std::vector<std::string> none;
  EXPECT_EQ(IdIndex().Find("a", none), -1);
  EXPECT_EQ(IdIndex(none).Find("a", none), -1);
}

TEST(IdIndexTest, StillFindsAfterItsIdsMoved) {
  std::vector<std::string> ids = {"x", "y", "z"};
  const IdIndex index(ids);
  const std::vector<std::string> moved = std::move(ids);
  EXPECT_EQ(index.Find("z", moved), 2);
}

}  // namespace
}  // namespace orchestra
