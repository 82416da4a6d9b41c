// The I/O shell of one TIME connection: one time request to the core (core_client.h), then the
// ctime line (or an ERROR line) and a clean close. What the client sent is
// discarded before the close (CloseUnlessInputPending), so that closing does
// not reset the connection before the line is out.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_TIME_CONNECTION_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_TIME_CONNECTION_H_

#include <chrono>
#include <memory>
#include <string>

#include <asio/ip/tcp.hpp>

#include "absl/status/statusor.h"
#include "legacy_bridge/connections/bridge_metrics.h"
#include "legacy_bridge/connections/bridge_options.h"
#include "legacy_bridge/connections/connection_registry.h"
#include "legacy_bridge/core_calls/core_client.h"

namespace sockrpc {

// The bytes a TIME client gets: "<ctime>\n", or an ERROR line if the core failed.
std::string TimeReply(const absl::StatusOr<std::string>& ctime);

class TimeConnection final : public Connection,
                             public std::enable_shared_from_this<TimeConnection> {
 public:
  TimeConnection(asio::ip::tcp::socket socket, asio::ip::tcp::endpoint peer, CoreClient& core,
                 const BridgeOptions& options, ConnectionRegistry& registry,
                 BridgeMetrics& metrics);
  ~TimeConnection() override;

  void Start();
  // The answer is already on its way (the call has a deadline): nothing to
  // do but release `self` on the connection's own thread.
  void Drain(std::shared_ptr<Connection> self) override;
  // Never chosen (the connection stays busy until its call ends, within the
  // deadline) and has no timer: nothing to do but release `self` likewise.
  void Evict(std::shared_ptr<Connection> self, CloseReason reason) override;
  void Retime(std::shared_ptr<Connection> self) override;

 private:
  // On the thread that took the core's answer (see Start); a line that
  // does not fit the send buffer at once is finished on the loop.
  void OnAnswer(absl::StatusOr<std::string> ctime);
  void Finish(const char* outcome);

  asio::ip::tcp::socket socket_;
  const asio::ip::tcp::endpoint peer_;  // formatted only for a log line (peer_name.h)
  CoreClient& core_;
  const BridgeOptions& options_;
  ConnectionRegistry& registry_;
  BridgeMetrics& metrics_;
  std::string reply_;
  bool finished_ = false;
  bool failed_ = false;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_TIME_CONNECTION_H_
