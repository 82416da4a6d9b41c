#include "legacy_bridge/socket_closer.h"

#include <array>
#include <memory>

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

  void Start() {
    asio::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    timer_.async_wait([self = shared_from_this()](const asio::error_code& error) {
      if (!error) self->socket_.close();  // linger over: cancels the read below
    });
    WaitForInput();
  }

 private:
  void WaitForInput() {
    socket_.async_wait(asio::ip::tcp::socket::wait_read,
                       [self = shared_from_this()](const asio::error_code& error) {
                         if (error) return self->Finish();
                         asio::error_code read_error;
                         for (int i = 0; i < 16; ++i) {
                           self->socket_.read_some(ThreadReadBuffer(), read_error);
                           if (read_error) break;
                         }
                         if (read_error && read_error != asio::error::would_block) {
                           return self->Finish();  // EOF or reset: the client is done
                         }
                         self->WaitForInput();
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
  socket.non_blocking(true, ignored);
  std::make_shared<DrainingCloser>(std::move(socket), linger)->Start();
}

asio::mutable_buffer ThreadReadBuffer() {
  thread_local std::array<char, kThreadReadBufferBytes> buffer;
  return asio::buffer(buffer);
}

}  // namespace sockrpc
