// The key a client's connections are counted under for
// --max_connections_per_address: its IPv4 address, or the /64 prefix of its
// IPv6 address (one host or one site usually gets a whole /64, so counting
// single IPv6 addresses would let it open connections without limit).
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_ADDRESS_KEY_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_ADDRESS_KEY_H_

#include <string>

#include <asio/ip/address.hpp>

namespace sockrpc {

// "192.0.2.7", or "2001:db8:1:2::/64"; an IPv4-mapped IPv6 address is keyed
// as its IPv4 address.
std::string AddressKey(const asio::ip::address& address);

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_ADDRESS_KEY_H_
