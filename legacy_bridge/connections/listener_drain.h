// Stopping a listener without resetting the clients in its accept queue.
//
// Closing a listening socket makes the kernel reset every connection whose
// handshake it completed but that the process has not accepted yet: clients
// that connected a moment before a shutdown would see a reset instead of an
// answer. So on shutdown the bridge first makes the socket ignore new
// connection requests (their SYNs go unanswered, and the clients' retries a
// second later reach a restarted bridge or are refused), lets the handshakes
// already under way complete and be accepted, then accepts what is still
// queued and serves it like any other connection, and only then closes.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_LISTENER_DRAIN_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_LISTENER_DRAIN_H_

#include <vector>

#include <asio/ip/tcp.hpp>

namespace sockrpc {

// Attaches a socket filter that drops the SYNs arriving for `acceptor`: no
// new handshake starts on it, while those under way still complete (their
// last ACK passes) and queued connections are kept.
asio::error_code StopNewHandshakes(asio::ip::tcp::acceptor& acceptor);

struct QueuedConnection {
  asio::ip::tcp::socket socket;
  asio::ip::tcp::endpoint peer;
};

// Accepts, without waiting, every connection queued on `acceptor` (bounded by
// its backlog once StopNewHandshakes has run). Cancels a pending async_accept.
std::vector<QueuedConnection> TakeQueuedConnections(asio::ip::tcp::acceptor& acceptor);

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_LISTENER_DRAIN_H_
