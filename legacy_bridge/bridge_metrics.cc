#include "legacy_bridge/bridge_metrics.h"

namespace sockrpc {
namespace {

constexpr const char* kClosed = "sockrpc_bridge_closed_by_limit_total";
constexpr const char* kClosedHelp = "Connections closed with an ERROR line at a limit, per reason.";

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
      closed_too_long(registry.AddCounter(kClosed, kClosedHelp, {{"reason", "too_long"}})),
      closed_handshake_timeout(
          registry.AddCounter(kClosed, kClosedHelp, {{"reason", "handshake_timeout"}})),
      closed_idle_timeout(registry.AddCounter(kClosed, kClosedHelp, {{"reason", "idle_timeout"}})),
      rejected_too_many(
          registry.AddCounter(kClosed, kClosedHelp, {{"reason", "too_many_connections"}})),
      core_failures(registry.AddCounter("sockrpc_bridge_core_failures_total",
                                        "Core calls or streams that failed.")),
      streams_moved(registry.AddCounter(
          "sockrpc_bridge_streams_moved_total",
          "SQUARES streams that lost their replica and were asked again on a new stream.")),
      square_latency(registry.AddHistogram("sockrpc_bridge_core_seconds",
                                           "Time from a request to the core to its answer.",
                                           {{"method", "SquareBatchStream"}})),
      time_latency(registry.AddHistogram("sockrpc_bridge_core_seconds",
                                         "Time from a request to the core to its answer.",
                                         {{"method", "Now"}})) {}

}  // namespace sockrpc
