// What rpc_server counts for Prometheus (--admin_listen): calls and errors
// per method, handler latency, open streams and their messages, every gRPC
// call in go-grpc-prometheus's families, and the process.
#ifndef SOCKRPC_RPC_SERVER_CORE_METRICS_H_
#define SOCKRPC_RPC_SERVER_CORE_METRICS_H_

#include <chrono>
#include <string>
#include <vector>

#include "common/grpc_call_metrics.h"
#include "common/metrics.h"

namespace sockrpc {

struct MethodMetrics {
  MethodMetrics(MetricsRegistry& registry, const char* method);
  // Records one call (or stream message) that took `elapsed`.
  // Every request counts in `calls`; a failed one in `errors` too.
  void Record(bool ok, std::chrono::steady_clock::duration elapsed) {
    calls.Increment();
    if (!ok) errors.Increment();
    latency.Observe(std::chrono::duration<double>(elapsed).count());
  }

  Counter& calls;
  Counter& errors;
  Histogram& latency;
};

struct CoreMetrics {
  // `services`: the full names of the services on the port, whose methods
  // get their own grpc_server_* labels. Adds the process_* families too.
  CoreMetrics(MetricsRegistry& registry, const std::vector<std::string>& services);

  MethodMetrics now;
  MethodMetrics now_stream;  // one per NowStream request
  MethodMetrics square;
  MethodMetrics stream_message;  // one per SquareStream request
  MethodMetrics batch_request;   // one per request in a SquareBatchStream batch
  Counter& batches;              // SquareBatchStream batches read
  Gauge& streams_open;       // every stream method's calls
  Counter& streams_refused;  // RESOURCE_EXHAUSTED at --max_streams
  Gauge& draining;       // 1 from SIGTERM (Shutdown) on
  GrpcCallMetrics grpc;  // every call on the port (interceptor)
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_CORE_METRICS_H_
