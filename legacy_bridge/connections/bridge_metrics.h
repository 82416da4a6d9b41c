// What legacy_bridge counts for Prometheus (--admin_listen): connections,
// messages, ERROR lines and why connections were closed, the core's answer
// latency, the state of the channel to the core, every call to the core in
// go-grpc-prometheus's grpc_client_* families, and the process.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_BRIDGE_METRICS_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_BRIDGE_METRICS_H_

#include "common/grpc_call_metrics.h"
#include "common/metrics.h"
#include "legacy_bridge/protocol/close_reason.h"

namespace sockrpc {

struct ProtocolMetrics {
  ProtocolMetrics(MetricsRegistry& registry, const char* protocol);
  Gauge& open;
  Counter& total;
  Counter& error_lines;
};

struct BridgeMetrics {
  explicit BridgeMetrics(MetricsRegistry& registry);

  ProtocolMetrics time;
  ProtocolMetrics squares;
  Counter& squares_messages;
  // The counter of connections closed at `limit` (IsLimit(limit) holds).
  Counter& ClosedByLimit(CloseReason limit);
  Counter& core_failures;
  Counter& streams_moved;
  // TIME requests sent again on another NowStream: theirs ended unanswered.
  Counter& time_asked_again;
  // SQUARES messages answered "overloaded" without asking the core.
  Counter& squares_shed;
  // How long a request sent now would wait at the core, in microseconds, as
  // estimated at the last message (overload_estimator.h); exported in seconds.
  Gauge core_expected_wait_us;
  Histogram& square_latency;
  Histogram& time_latency;
  Gauge& draining;             // 1 from SIGTERM (Shutdown) on
  GrpcCallMetrics core_calls;  // the calls to the core (channel interceptor)

 private:
  Counter& closed_too_long_;
  Counter& closed_handshake_timeout_;
  Counter& closed_idle_timeout_;
  Counter& rejected_too_many_;
  Counter& rejected_per_address_;
  Counter& evicted_handshake_;
  Counter& evicted_idle_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_BRIDGE_METRICS_H_
