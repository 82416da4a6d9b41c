// Closing a legacy connection without losing the last bytes sent on it.
//
// close() on a socket with unread input makes the kernel send a reset, which
// can destroy replies the client has not read yet (the original TIME server
// had this flaw). So the bridge shuts down its sending side, reads and
// discards what the client still sends until it closes or `linger` passes,
// and only then closes.
#ifndef SOCKRPC_LEGACY_BRIDGE_SOCKET_CLOSER_H_
#define SOCKRPC_LEGACY_BRIDGE_SOCKET_CLOSER_H_

#include <chrono>

#include <asio/ip/tcp.hpp>

namespace sockrpc {

void CloseAfterDraining(asio::ip::tcp::socket socket, std::chrono::milliseconds linger);

// A per-thread scratch buffer for reads whose bytes are consumed at once.
// Connections wait for readability without a buffer of their own, so an idle
// connection costs no buffer memory.
asio::mutable_buffer ThreadReadBuffer();

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_SOCKET_CLOSER_H_
