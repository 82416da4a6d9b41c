#include "legacy_bridge/connections/peer_name.h"

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

asio::ip::tcp::endpoint Endpoint(const char* address, unsigned short port) {
  return asio::ip::tcp::endpoint(asio::ip::make_address(address), port);
}

TEST(PeerNameTest, IPv4IsAddressColonPort) {
  EXPECT_EQ(PeerName(Endpoint("192.0.2.7", 5000)), "192.0.2.7:5000");
}

TEST(PeerNameTest, IPv6IsBracketed) {
  EXPECT_EQ(PeerName(Endpoint("2001:db8::1", 5000)), "[2001:db8::1]:5000");
  EXPECT_EQ(PeerName(Endpoint("::1", 1)), "[::1]:1");
}

}  // namespace
}  // namespace sockrpc
