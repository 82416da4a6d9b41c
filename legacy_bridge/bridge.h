// The legacy bridge as an object: the TIME and SQUARES listeners, a pool of
// event loops (one thread each), the channel to the core, and the open
// connections. main() and the tests both use it.
#ifndef SOCKRPC_LEGACY_BRIDGE_BRIDGE_H_
#define SOCKRPC_LEGACY_BRIDGE_BRIDGE_H_

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "legacy_bridge/connections/bridge_metrics.h"
#include "legacy_bridge/connections/bridge_options.h"
#include "legacy_bridge/connections/connection_registry.h"
#include "legacy_bridge/connections/log_throttle.h"
#include "legacy_bridge/core_calls/core_client.h"

namespace sockrpc {

class Bridge {
 public:
  // Binds both listeners and starts serving. FAILED_PRECONDITION naming the
  // address when one cannot be bound; INVALID_ARGUMENT for a bad address.
  static absl::StatusOr<std::unique_ptr<Bridge>> Start(BridgeOptions options);

  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  // The addresses actually bound (port 0 replaced).
  const std::string& time_address() const { return time_.address; }
  const std::string& square_address() const { return square_.address; }
  size_t open_connections() const { return registry_.size(); }
  // How many event loops (threads) serve the connections.
  size_t event_loops() const { return contexts_.size(); }
  // The busy polling in effect: --busy_poll, or zero on a single CPU.
  std::chrono::microseconds busy_poll() const { return options_.busy_poll; }
  // What the bridge counts, for the admin port.
  const MetricsRegistry& metrics() const { return metrics_registry_; }

  // OK while the channel to the core is READY (at least one replica
  // connected and SERVING) and the bridge is not draining; otherwise
  // UNAVAILABLE, saying why. For /readyz; asks the channel to connect.
  absl::Status Readiness();
  // From now on Readiness() says draining; the bridge still serves.
  void StartDraining() {
    draining_.store(true);
    metrics_.draining.Set(1);
  }

  // Stops accepting (connections the kernel already queued are still
  // served), lets every connection answer what it received, waits up to
  // `grace` for them to close, then stops. Safe to call more than once.
  void Shutdown(absl::Duration grace);

 private:
  enum class Protocol { kTime, kSquares };
  // One acceptor per event loop on the same port (SO_REUSEPORT): the kernel
  // spreads connections over the loops, and each connection is served on the
  // loop that accepted it, with no hand-off between threads.
  struct Listener {
    Protocol protocol;
    std::deque<asio::ip::tcp::acceptor> acceptors;  // [i] runs on contexts_[i]
    std::deque<asio::ip::tcp::endpoint> peers;      // [i]: filled by acceptors[i]
    std::string address;
  };

  explicit Bridge(BridgeOptions options);
  absl::Status Listen(Listener& listener, const std::string& address);
  void Accept(Listener& listener, size_t loop);
  void Serve(Protocol protocol, asio::ip::tcp::socket socket, const asio::ip::tcp::endpoint& peer);
  template <typename ConnectionType>
  void Open(asio::ip::tcp::socket socket, const asio::ip::tcp::endpoint& peer,
            const std::string& address_key);
  // Logs a refusal or an eviction for a client of `address_key`, a few
  // lines per second per reason at most.
  void LogShed(CloseReason reason, const std::string& address_key);

  BridgeOptions options_;
  MetricsRegistry metrics_registry_;
  BridgeMetrics metrics_{metrics_registry_};
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::shared_ptr<grpc::Channel> core_channel_;
  std::unique_ptr<CoreClient> core_;
  ConnectionRegistry registry_;
  // One per CloseReason a newcomer can cause (indexes: ShedLogIndex in bridge.cc).
  LogThrottle shed_logs_[4] = {LogThrottle(5), LogThrottle(5), LogThrottle(5), LogThrottle(5)};
  Listener time_{Protocol::kTime, {}, {}, {}};
  Listener square_{Protocol::kSquares, {}, {}, {}};
  std::atomic<bool> draining_{false};
  bool shut_down_ = false;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_BRIDGE_H_
