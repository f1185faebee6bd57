#include "access_token.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(AccessTokenTest, LoopbackAddressesAreThisMachineOnly) {
  for (const char* address : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
    EXPECT_TRUE(IsLoopbackAddress(address)) << address;
  }
  for (const char* address : {"0.0.0.0", "10.0.0.1", "::", "128.0.0.1", "example.com", ""}) {
    EXPECT_FALSE(IsLoopbackAddress(address)) << address;
  }
}

TEST(AccessTokenTest, GeneratedTokensAreFreshHexadecimal) {
  const std::string first = GenerateToken();
  EXPECT_EQ(first.size(), 32u);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(first, GenerateToken());
}

TEST(AccessTokenTest, TheTokenComesAsABearerHeaderOrAQueryParameter) {
  EXPECT_TRUE(TokenAccepted("", "", ""));
  EXPECT_TRUE(TokenAccepted("s3cret", "Bearer s3cret", ""));
  EXPECT_TRUE(TokenAccepted("s3cret", "", "s3cret"));
  EXPECT_FALSE(TokenAccepted("s3cret", "", ""));
  EXPECT_FALSE(TokenAccepted("s3cret", "Bearer s3cre", ""));
  EXPECT_FALSE(TokenAccepted("s3cret", "Bearer s3cretX", ""));
  EXPECT_FALSE(TokenAccepted("s3cret", "s3cret", ""));
  EXPECT_FALSE(TokenAccepted("s3cret", "", "S3CRET"));
}

TEST(AccessTokenTest, HostHeadersNamingAnotherSiteAreNotLoopback) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1:8765"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("[::1]:8765"));
  EXPECT_FALSE(IsLoopbackHost("evil.example:8765"));
  EXPECT_FALSE(IsLoopbackHost("[::1"));
  EXPECT_FALSE(IsLoopbackHost(""));
}

}  // namespace
}  // namespace orchestra
