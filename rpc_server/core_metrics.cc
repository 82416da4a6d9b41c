#include "rpc_server/core_metrics.h"

#include "common/process_metrics.h"

namespace sockrpc {

MethodMetrics::MethodMetrics(MetricsRegistry& registry, const char* method)
    : calls(registry.AddCounter(
          "sockrpc_core_requests_total",
          "Requests answered (failed ones too), per method (stream: per message).",
          {{"method", method}})),
      errors(registry.AddCounter("sockrpc_core_errors_total",
                                 "Requests answered with an error status, per method.",
                                 {{"method", method}})),
      latency(registry.AddHistogram("sockrpc_core_request_seconds",
                                    "Time spent answering a request, per method.",
                                    {{"method", method}})) {}

CoreMetrics::CoreMetrics(MetricsRegistry& registry, const std::vector<std::string>& services)
    : now(registry, "Now"),
      now_stream(registry, "NowStream"),
      square(registry, "Square"),
      stream_message(registry, "SquareStream"),
      batch_request(registry, "SquareBatchStream"),
      batches(registry.AddCounter("sockrpc_core_batches_total",
                                  "SquareBatchStream batches read (requests: requests_total).")),
      streams_open(registry.AddGauge("sockrpc_core_streams_open",
                                     "SquareStream, SquareBatchStream and NowStream calls open.")),
      streams_refused(registry.AddCounter(
          "sockrpc_core_streams_refused_total",
          "SquareStream, SquareBatchStream and NowStream calls refused with RESOURCE_EXHAUSTED "
          "because --max_streams were open.")),
      draining(registry.AddGauge("sockrpc_core_draining",
                                 "1 while the server drains before it stops, else 0.")),
      grpc(registry, GrpcSide::kServer, services) {
  AddProcessMetrics(registry);
}

}  // namespace sockrpc
