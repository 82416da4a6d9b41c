#include "legacy_bridge/connections/bridge_metrics.h"

#include "common/process_metrics.h"

namespace sockrpc {
namespace {

constexpr const char* kClosed = "sockrpc_bridge_closed_by_limit_total";
constexpr const char* kClosedHelp = "Connections closed with an ERROR line at a limit, per reason.";

Counter& ClosedCounter(MetricsRegistry& registry, CloseReason limit) {
  return registry.AddCounter(kClosed, kClosedHelp, {{"reason", CloseReasonName(limit)}});
}

}  // namespace

ProtocolMetrics::ProtocolMetrics(MetricsRegistry& registry, const char* protocol)
    : open(registry.AddGauge("sockrpc_bridge_connections_open", "Legacy connections open.",
                             {{"protocol", protocol}})),
      total(registry.AddCounter("sockrpc_bridge_connections_total",
                                "Legacy connections accepted.", {{"protocol", protocol}})),
      error_lines(registry.AddCounter("sockrpc_bridge_error_lines_total",
                                      "ERROR lines sent to legacy clients.",
                                      {{"protocol", protocol}})) {}

BridgeMetrics::BridgeMetrics(MetricsRegistry& registry)
    : time(registry, "time"),
      squares(registry, "squares"),
      squares_messages(registry.AddCounter("sockrpc_bridge_squares_messages_total",
                                           "SQUARES messages answered (greeting included).")),
      core_failures(registry.AddCounter("sockrpc_bridge_core_failures_total",
                                        "Core calls or streams that failed.")),
      streams_moved(registry.AddCounter(
          "sockrpc_bridge_streams_moved_total",
          "SQUARES streams that lost their replica and were asked again on a new stream.")),
      time_asked_again(registry.AddCounter(
          "sockrpc_bridge_time_asked_again_total",
          "TIME requests sent again on another NowStream because theirs ended unanswered.")),
      squares_shed(registry.AddCounter(
          "sockrpc_bridge_squares_shed_total",
          "SQUARES messages answered ERROR service overloaded without asking the core.")),
      square_latency(registry.AddHistogram("sockrpc_bridge_core_seconds",
                                           "Time from a request to the core to its answer.",
                                           {{"method", "SquareBatchStream"}})),
      time_latency(registry.AddHistogram("sockrpc_bridge_core_seconds",
                                         "Time from a request to the core to its answer.",
                                         {{"method", "Now"}})),
      draining(registry.AddGauge("sockrpc_bridge_draining",
                                 "1 while the bridge drains before it stops, else 0.")),
      core_calls(registry, GrpcSide::kClient,
                 {"sockrpc.time.v1.TimeService", "sockrpc.square.v1.SquareService"}),
      closed_too_long_(ClosedCounter(registry, CloseReason::kMessageTooLong)),
      closed_handshake_timeout_(ClosedCounter(registry, CloseReason::kHandshakeTimeout)),
      closed_idle_timeout_(ClosedCounter(registry, CloseReason::kIdleTimeout)),
      rejected_too_many_(ClosedCounter(registry, CloseReason::kTooManyConnections)),
      rejected_per_address_(ClosedCounter(registry, CloseReason::kPerAddressCap)),
      evicted_handshake_(ClosedCounter(registry, CloseReason::kEvictedHandshake)),
      evicted_idle_(ClosedCounter(registry, CloseReason::kEvictedIdle)) {
  registry.AddCallbackGauge(
      "sockrpc_bridge_core_expected_wait_seconds",
      "How long a SQUARES request sent now would wait for the core, as estimated at the "
      "last message (requests in flight / answers per second).",
      {}, [this] { return static_cast<double>(core_expected_wait_us.value()) / 1e6; });
  AddProcessMetrics(registry);
}

Counter& BridgeMetrics::ClosedByLimit(CloseReason limit) {
  switch (limit) {
    case CloseReason::kMessageTooLong:
      return closed_too_long_;
    case CloseReason::kHandshakeTimeout:
      return closed_handshake_timeout_;
    case CloseReason::kIdleTimeout:
      return closed_idle_timeout_;
    case CloseReason::kPerAddressCap:
      return rejected_per_address_;
    case CloseReason::kEvictedHandshake:
      return evicted_handshake_;
    case CloseReason::kEvictedIdle:
      return evicted_idle_;
    default:
      return rejected_too_many_;
  }
}

}  // namespace sockrpc
