#include "legacy_bridge/connections/accepted_socket.h"

#include <unistd.h>

#include <utility>

namespace sockrpc {

AcceptedSocket::AcceptedSocket(int descriptor, asio::ip::tcp protocol,
                               asio::any_io_executor executor)
    : descriptor_(descriptor), protocol_(protocol), executor_(std::move(executor)) {}

AcceptedSocket::AcceptedSocket(asio::ip::tcp::socket socket)
    : protocol_(asio::ip::tcp::v4()), executor_(socket.get_executor()) {
  asio::error_code error;
  const asio::ip::tcp::endpoint local = socket.local_endpoint(error);
  if (!error) protocol_ = local.protocol();
  socket.non_blocking(true, error);
  if (!error) descriptor_ = socket.release(error);
  if (error) descriptor_ = -1;  // `socket` closes it
}

AcceptedSocket::AcceptedSocket(AcceptedSocket&& other) noexcept
    : descriptor_(std::exchange(other.descriptor_, -1)),
      protocol_(other.protocol_),
      executor_(std::move(other.executor_)) {}

AcceptedSocket& AcceptedSocket::operator=(AcceptedSocket&& other) noexcept {
  if (this != &other) {
    Close();
    descriptor_ = std::exchange(other.descriptor_, -1);
    protocol_ = other.protocol_;
    executor_ = std::move(other.executor_);
  }
  return *this;
}

AcceptedSocket::~AcceptedSocket() { Close(); }

asio::ip::tcp::socket AcceptedSocket::TakeAsio() {
  asio::ip::tcp::socket socket(executor_);
  if (descriptor_ < 0) return socket;
  asio::error_code error;
  socket.assign(protocol_, descriptor_, error);
  if (error) {
    Close();
    return socket;  // unopened: the caller's next operation on it fails
  }
  descriptor_ = -1;
  return socket;
}

void AcceptedSocket::Close() {
  if (descriptor_ >= 0) ::close(std::exchange(descriptor_, -1));
}

}  // namespace sockrpc
