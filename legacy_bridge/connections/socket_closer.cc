#include "legacy_bridge/connections/socket_closer.h"

#include <array>
#include <memory>

#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

namespace sockrpc {
namespace {

constexpr size_t kThreadReadBufferBytes = 64 * 1024;

class DrainingCloser : public std::enable_shared_from_this<DrainingCloser> {
 public:
  DrainingCloser(asio::ip::tcp::socket socket, std::chrono::milliseconds linger)
      : socket_(std::move(socket)), timer_(socket_.get_executor()) {
    timer_.expires_after(linger);
  }

  asio::any_io_executor executor() { return socket_.get_executor(); }

  // Expects the sending side already shut down.
  void Start() {
    timer_.async_wait([self = shared_from_this()](const asio::error_code& error) {
      if (!error) self->socket_.close();  // linger over: cancels the read below
    });
    DiscardInput();
  }

 private:
  // A read rather than a wait for readability: Asio tries a read at once and
  // only then waits, without re-arming the descriptor in epoll. The bytes are
  // thrown away, so the loop's shared scratch buffer serves every closer.
  void DiscardInput() {
    socket_.async_read_some(ThreadReadBuffer(), [self = shared_from_this()](
                                                    const asio::error_code& error, size_t) {
      if (error) return self->Finish();  // EOF or reset: the client is done
      self->DiscardInput();
    });
  }

  void Finish() {
    asio::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
  }

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
};

}  // namespace

void CloseAfterDraining(asio::ip::tcp::socket socket, std::chrono::milliseconds linger) {
  if (!socket.is_open()) return;
  asio::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  std::make_shared<DrainingCloser>(std::move(socket), linger)->Start();
}

void CloseUnlessInputPending(asio::ip::tcp::socket socket, std::chrono::milliseconds linger) {
  if (!socket.is_open()) return;
  asio::error_code error;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, error);
  // A connection that failed has nothing left to deliver (available() is 0
  // on error too).
  if (error || socket.available(error) == 0) {
    socket.close(error);
    return;
  }
  // The drain reads into its loop's scratch buffer, so it runs there, even
  // when the line was sent from the thread that took the core's answer.
  auto closer = std::make_shared<DrainingCloser>(std::move(socket), linger);
  const asio::any_io_executor executor = closer->executor();
  asio::dispatch(executor, [closer = std::move(closer)] { closer->Start(); });
}

asio::mutable_buffer ThreadReadBuffer() {
  thread_local std::array<char, kThreadReadBufferBytes> buffer;
  return asio::buffer(buffer);
}

}  // namespace sockrpc
