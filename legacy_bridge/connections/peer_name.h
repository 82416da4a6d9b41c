// How a client is named in the log lines of its connection: "192.0.2.7:5000"
// or "[2001:db8::1]:5000". The connections keep the endpoint and format it
// only for a line they log, not for every connection they accept
// (docs/performance.md, "TIME: the client's address formatted once").
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_PEER_NAME_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_PEER_NAME_H_

#include <string>

#include <asio/ip/tcp.hpp>

namespace sockrpc {

std::string PeerName(const asio::ip::tcp::endpoint& peer);

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_PEER_NAME_H_
