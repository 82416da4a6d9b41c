// Closing a legacy connection without losing the last bytes sent on it.
//
// close() on a socket with unread input makes the kernel send a reset, which
// can destroy replies the client has not read yet (the original TIME server
// had this flaw). So the bridge shuts down its sending side, reads and
// discards what the client still sends until it closes or `linger` passes,
// and only then closes.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_SOCKET_CLOSER_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_SOCKET_CLOSER_H_

#include <chrono>

#include <asio/ip/tcp.hpp>

namespace sockrpc {

void CloseAfterDraining(asio::ip::tcp::socket socket, std::chrono::milliseconds linger);

// For a connection whose client is not expected to send anything (TIME):
// sends the FIN, then closes at once if nothing the client sent is unread,
// which is the common case and spares a wait for the client's own close.
// Unread input is drained as CloseAfterDraining does. Input that arrives
// after the close gets a reset, but only after the FIN, so the client still
// reads every byte sent before it. May be called from any thread: the drain
// runs on the socket's own event loop.
void CloseUnlessInputPending(asio::ip::tcp::socket socket, std::chrono::milliseconds linger);

// A per-thread scratch buffer for reads whose bytes are consumed at once.
// Connections wait for readability without a buffer of their own, so an idle
// connection costs no buffer memory.
asio::mutable_buffer ThreadReadBuffer();

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_SOCKET_CLOSER_H_
