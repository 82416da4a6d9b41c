// A blocking TCP client for the legacy ports in tests: every read waits at
// most `timeout`, so a test fails instead of hanging.
#ifndef SOCKRPC_TESTS_LEGACY_BRIDGE_LOOPBACK_CLIENT_H_
#define SOCKRPC_TESTS_LEGACY_BRIDGE_LOOPBACK_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"

namespace sockrpc {

class LoopbackClient {
 public:
  // Connects to "127.0.0.1:port"; connected() says whether that worked.
  explicit LoopbackClient(absl::string_view address,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    uint32_t port = 0;
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
      return;
    }
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    const timeval wait{.tv_sec = static_cast<time_t>(timeout.count() / 1000),
                       .tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof(wait));
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    peer.sin_port = htons(static_cast<uint16_t>(port));
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&peer), sizeof(peer)) != 0) Close();
  }
  ~LoopbackClient() { Close(); }
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool Send(absl::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Ends the client's side (FIN); the bridge answers what it received.
  void HalfClose() { shutdown(fd_, SHUT_WR); }

  // Exactly `count` bytes, or fewer if the connection closed or the wait ran out.
  std::string ReadExact(size_t count) {
    std::string out;
    while (out.size() < count && ReadSome(out, count - out.size())) {
    }
    return out;
  }

  // Up to and including the next '\n' (or what came before a close or timeout).
  std::string ReadLine() {
    std::string out;
    while ((out.empty() || out.back() != '\n') && ReadSome(out, 1)) {
    }
    return out;
  }

  // Everything until the bridge closes the connection (or the wait runs out).
  std::string ReadUntilClose() {
    std::string out;
    while (ReadSome(out, 4096)) {
    }
    return out;
  }

 private:
  bool ReadSome(std::string& out, size_t most) {
    char buffer[4096];
    const ssize_t got = recv(fd_, buffer, std::min(most, sizeof(buffer)), 0);
    if (got <= 0) return false;
    out.append(buffer, static_cast<size_t>(got));
    return true;
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  int fd_ = -1;
};

}  // namespace sockrpc

#endif  // SOCKRPC_TESTS_LEGACY_BRIDGE_LOOPBACK_CLIENT_H_
