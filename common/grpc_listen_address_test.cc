#include "common/grpc_listen_address.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

TEST(GrpcListenAddressTest, TcpAddressesParseAsListenAddress) {
  auto address = ParseGrpcListenAddress("[::1]:50051");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_FALSE(address->is_unix());
  EXPECT_EQ(address->tcp.host, "::1");
  EXPECT_EQ(address->tcp.port, 50051);
  EXPECT_EQ(address->ToString(), "[::1]:50051");
}

TEST(GrpcListenAddressTest, UnixSocketPath) {
  auto address = ParseGrpcListenAddress("unix:/run/sockrpc/core.sock");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_TRUE(address->is_unix());
  EXPECT_EQ(address->unix_path, "/run/sockrpc/core.sock");
  EXPECT_EQ(address->ToString(), "unix:/run/sockrpc/core.sock");
}

TEST(GrpcListenAddressTest, UnixUriFormIsTheSamePath) {
  auto address = ParseGrpcListenAddress("unix:///run/core.sock");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->unix_path, "/run/core.sock");
  EXPECT_EQ(address->ToString(), "unix:/run/core.sock");
}

TEST(GrpcListenAddressTest, LongestPathThatFitsASockaddr) {
  const std::string longest = "/" + std::string(106, 'a');
  EXPECT_TRUE(ParseGrpcListenAddress("unix:" + longest).ok());
  auto too_long = ParseGrpcListenAddress("unix:" + longest + "a");
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("longer than 107 bytes"), std::string::npos)
      << too_long.status();
}

TEST(GrpcListenAddressTest, RejectsBadUnixAddresses) {
  for (const std::string& text :
       std::vector<std::string>{"unix:", "unix:relative.sock", "unix://host/core.sock",
                                "unix:/run/", std::string("unix:/a\0b", 9)}) {
    auto address = ParseGrpcListenAddress(text);
    EXPECT_FALSE(address.ok()) << text;
    EXPECT_EQ(address.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(GrpcListenAddressTest, TcpErrorMentionsTheUnixForm) {
  auto address = ParseGrpcListenAddress("nowhere");
  ASSERT_FALSE(address.ok());
  EXPECT_NE(address.status().message().find("nowhere"), std::string::npos);
  EXPECT_NE(address.status().message().find("unix:/path"), std::string::npos);
}

}  // namespace
}  // namespace sockrpc
