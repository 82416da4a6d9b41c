#include "legacy_bridge/connections/time_connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include <asio/post.hpp>
#include <asio/write.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"
#include "legacy_bridge/connections/peer_name.h"
#include "legacy_bridge/connections/socket_closer.h"
#include "legacy_bridge/protocol/squares_session.h"

namespace sockrpc {

std::string TimeReply(const absl::StatusOr<std::string>& ctime) {
  if (ctime.ok()) return absl::StrCat(*ctime, "\n");
  return ErrorLine(CoreErrorText(ctime.status()));
}

TimeConnection::TimeConnection(asio::ip::tcp::socket socket, asio::ip::tcp::endpoint peer,
                               CoreClient& core, const BridgeOptions& options,
                               ConnectionRegistry& registry, BridgeMetrics& metrics)
    : socket_(std::move(socket)),
      peer_(peer),
      core_(core),
      options_(options),
      registry_(registry),
      metrics_(metrics) {
  metrics_.time.total.Increment();
  metrics_.time.open.Add(1);
}

TimeConnection::~TimeConnection() {
  registry_.Remove(this);
  metrics_.time.open.Add(-1);
}

void TimeConnection::Start() {
  // No TCP_NODELAY: the line is one write followed by the close, which Nagle
  // never delays. Nothing is read while the call is under way: what the
  // client sends waits in the kernel (bounded by its receive buffer) and is
  // discarded by CloseUnlessInputPending. The call holds the connection:
  // nothing else may while the client is silent, and the call ends within
  // the deadline.
  //
  // The answer is sent from the thread that takes it (the completion
  // thread), not handed back to the event loop: until then nothing on the
  // loop touches this connection (Drain, Evict and Retime only hold it), and
  // the hop would cost a wake-up of the loop per connection
  // (docs/performance.md, "TIME answered where the answer arrives").
  core_.Now(options_.time_zone, [self = shared_from_this()](absl::StatusOr<std::string> ctime) {
    self->OnAnswer(std::move(ctime));
  });
}

void TimeConnection::Drain(std::shared_ptr<Connection> self) {
  asio::post(socket_.get_executor(), [self = std::move(self)] {});
}

void TimeConnection::Evict(std::shared_ptr<Connection> self, CloseReason) {
  asio::post(socket_.get_executor(), [self = std::move(self)] {});
}

void TimeConnection::Retime(std::shared_ptr<Connection> self) {
  asio::post(socket_.get_executor(), [self = std::move(self)] {});
}

void TimeConnection::OnAnswer(absl::StatusOr<std::string> ctime) {
  if (finished_) return;
  metrics_.time_latency.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  if (!ctime.ok()) {
    failed_ = true;
    metrics_.core_failures.Increment();
    metrics_.time.error_lines.Increment();
    LogError(
        absl::StrCat("TIME ", PeerName(peer_), ": core call failed: ", ctime.status().ToString()));
  }
  reply_ = TimeReply(ctime);
  // A fresh connection's send buffer takes the line at once: one send()
  // without Asio, which would first switch the socket to non-blocking mode
  // (another system call). MSG_MORE: the line waits in the kernel for the
  // FIN that Finish sends right after, and both leave in one packet.
  const ssize_t sent = ::send(socket_.native_handle(), reply_.data(), reply_.size(),
                              MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent == static_cast<ssize_t>(reply_.size())) return Finish("answered");
  if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    return Finish("connection reset");
  }
  // The rest waits for room on the connection's own loop (rare: a fresh
  // connection's send buffer holds far more than a line).
  const size_t written = static_cast<size_t>(std::max<ssize_t>(sent, 0));
  asio::post(socket_.get_executor(), [self = shared_from_this(), written] {
    asio::async_write(self->socket_, asio::buffer(self->reply_) + written,
                      [self](const asio::error_code& error, size_t) {
                        self->Finish(error ? "connection reset" : "answered");
                      });
  });
}

void TimeConnection::Finish(const char* outcome) {
  if (finished_) return;
  finished_ = true;
  registry_.Remove(this);
  if (options_.verbose || failed_) {
    const char* result = failed_ ? "core error" : outcome;
    const double milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
            .count();
    const std::string peer = PeerName(peer_);
    LogInfo(absl::StrFormat("TIME peer=%s outcome=\"%s\" duration=%.1fms", peer, result,
                            milliseconds),
            {LogField("protocol", "TIME"), LogField("peer", peer), LogField("outcome", result),
             LogField("duration_ms", milliseconds)});
  }
  asio::error_code ignored;
  socket_.cancel(ignored);
  CloseUnlessInputPending(std::move(socket_), options_.close_linger);
}

}  // namespace sockrpc
