#include "legacy_bridge/connections/address_key.h"

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

TEST(AddressKeyTest, IPv4IsTheAddress) {
  EXPECT_EQ(AddressKey(asio::ip::make_address("192.0.2.7")), "192.0.2.7");
  EXPECT_EQ(AddressKey(asio::ip::make_address("::ffff:127.0.0.2")), "127.0.0.2");
  EXPECT_EQ(AddressKey(asio::ip::make_address("0.0.0.0")), "0.0.0.0");
  EXPECT_EQ(AddressKey(asio::ip::make_address("255.255.255.255")), "255.255.255.255");
  EXPECT_EQ(AddressKey(asio::ip::make_address("10.100.1.255")), "10.100.1.255");
}

TEST(AddressKeyTest, IPv6IsItsSlash64) {
  EXPECT_EQ(AddressKey(asio::ip::make_address("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            "2001:db8:1:2::/64");
  EXPECT_EQ(AddressKey(asio::ip::make_address("2001:db8:1:2::1")),
            AddressKey(asio::ip::make_address("2001:db8:1:2:ffff::9")));
  EXPECT_NE(AddressKey(asio::ip::make_address("2001:db8:1:2::1")),
            AddressKey(asio::ip::make_address("2001:db8:1:3::1")));
  EXPECT_EQ(AddressKey(asio::ip::make_address("::1")), "::/64");
}

}  // namespace
}  // namespace sockrpc
