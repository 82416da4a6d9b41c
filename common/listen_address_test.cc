#include "common/listen_address.h"

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

TEST(ListenAddressTest, ParsesIpv4HostAndPort) {
  auto address = ParseListenAddress("0.0.0.0:50051");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->host, "0.0.0.0");
  EXPECT_EQ(address->port, 50051);
  EXPECT_EQ(address->ToString(), "0.0.0.0:50051");
}

TEST(ListenAddressTest, ParsesBracketedIpv6) {
  auto address = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->host, "::1");
  EXPECT_EQ(address->port, 0);
  EXPECT_EQ(address->ToString(), "[::1]:0");
}

TEST(ListenAddressTest, ParsesHostName) {
  auto address = ParseListenAddress("localhost:9999");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "localhost");
}

TEST(ListenAddressTest, RejectsMalformedAddresses) {
  for (const char* text : {"", "50051", ":50051", "host:", "host:-1", "host:65536",
                           "host:12a", "::1:80", "host: 80"}) {
    auto address = ParseListenAddress(text);
    EXPECT_FALSE(address.ok()) << text;
    EXPECT_EQ(address.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(ListenAddressTest, ErrorNamesTheAddress) {
  auto address = ParseListenAddress("nowhere");
  EXPECT_NE(address.status().message().find("\"nowhere\""), absl::string_view::npos);
}

}  // namespace
}  // namespace sockrpc
