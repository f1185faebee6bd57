#include "usage.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(UsageTest, AddSumsTokensAndKeepsAnUnknownCostUnknown) {
  Usage total;
  Usage first{.input_tokens = 10, .output_tokens = 5, .model = "m1", .turns = 1};
  total.Add(first);
  EXPECT_FALSE(total.cost_usd.has_value());
  Usage second{.input_tokens = 1, .cache_read_tokens = 7, .cost_usd = 0.5, .model = "m2", .turns = 2};
  total.Add(second);
  EXPECT_EQ(total.input_tokens, 11);
  EXPECT_EQ(total.output_tokens, 5);
  EXPECT_EQ(total.cache_read_tokens, 7);
  EXPECT_EQ(total.cost_usd, 0.5);
  EXPECT_EQ(total.model, "m1");
  EXPECT_EQ(total.turns, 3);
  EXPECT_TRUE(total.Known());
  EXPECT_FALSE(Usage{}.Known());
}

TEST(UsageTest, PriceIsPerMillionTokens) {
  const Price price{.input = 3, .output = 15, .cache_read = 0.3, .cache_write = 3.75};
  const Usage usage{.input_tokens = 1'000'000, .output_tokens = 100'000, .cache_read_tokens = 2'000'000,
                    .cache_write_tokens = 0};
  EXPECT_DOUBLE_EQ(price.CostOf(usage), 3 + 1.5 + 0.6);
  EXPECT_TRUE(price.Set());
  EXPECT_FALSE(Price{}.Set());
}

TEST(UsageTest, FormatCostShowsCentsOrFourDecimalsBelowACent) {
  EXPECT_EQ(FormatCost(1.234), "$1.23");
  EXPECT_EQ(FormatCost(0), "$0.00");
  EXPECT_EQ(FormatCost(0.0042), "$0.0042");
}

}  // namespace
}  // namespace orchestra
