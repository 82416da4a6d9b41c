// A connection's descriptor as accept4() returned it, not registered with
// Asio's reactor. A TIME connection needs no reactor in the common case (one
// send that the fresh socket's buffer takes, then the close): registering
// and deregistering would cost two epoll_ctl calls per connection
// (docs/performance.md, "TIME: accepted without Asio's reactor"). The rare
// paths that wait (a partial send, unread input at the close, a refusal)
// hand the descriptor to an Asio socket with TakeAsio().
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_ACCEPTED_SOCKET_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_ACCEPTED_SOCKET_H_

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>

namespace sockrpc {

class AcceptedSocket {
 public:
  // Takes ownership of `descriptor`, a non-blocking connected TCP socket;
  // `executor` is the event loop it belongs to.
  AcceptedSocket(int descriptor, asio::ip::tcp protocol, asio::any_io_executor executor);
  // From an Asio socket (the connections still queued at shutdown, which
  // Asio accepted): releases its descriptor from the reactor.
  explicit AcceptedSocket(asio::ip::tcp::socket socket);
  AcceptedSocket(AcceptedSocket&& other) noexcept;
  AcceptedSocket& operator=(AcceptedSocket&& other) noexcept;
  AcceptedSocket(const AcceptedSocket&) = delete;
  AcceptedSocket& operator=(const AcceptedSocket&) = delete;
  ~AcceptedSocket();  // closes the descriptor if still owned

  bool is_open() const { return descriptor_ >= 0; }
  int native_handle() const { return descriptor_; }
  const asio::any_io_executor& executor() const { return executor_; }

  // Hands the descriptor to an Asio socket on the same loop (registering it
  // with the reactor); this object is closed afterwards.
  asio::ip::tcp::socket TakeAsio();
  void Close();

 private:
  int descriptor_ = -1;
  asio::ip::tcp protocol_;
  asio::any_io_executor executor_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_ACCEPTED_SOCKET_H_
