// gRPC calls counted in go-grpc-prometheus's families, for one side of the
// channel: grpc_server_* (calls served) or grpc_client_* (calls made).
//
//   grpc_{side}_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_{side}_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_{side}_handling_seconds{grpc_type,grpc_service,grpc_method}
//   grpc_{side}_msg_received_total / _msg_sent_total{grpc_type,grpc_service,grpc_method}
//
// The methods that get their own labels are fixed at construction (the
// services' descriptors); any other method is counted as
// grpc_service="unknown", grpc_method="unknown", so a client sending made-up
// method names cannot grow the label set.
#ifndef SOCKRPC_COMMON_GRPC_CALL_METRICS_H_
#define SOCKRPC_COMMON_GRPC_CALL_METRICS_H_

#include <grpcpp/support/status.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "common/metrics.h"

namespace sockrpc {

enum class GrpcType { kUnary, kClientStream, kServerStream, kBidiStream };

// go-grpc-prometheus's names: "unary", "client_stream", "server_stream", "bidi_stream".
const char* GrpcTypeName(GrpcType type);
// grpc-go's names of the codes: "OK", "InvalidArgument", "Unavailable"...
const char* GrpcCodeName(grpc::StatusCode code);

enum class GrpcSide { kServer, kClient };

// The series of one method. Handled counters exist for the codes seen.
class GrpcMethodMetrics {
 public:
  GrpcMethodMetrics(MetricsRegistry& registry, GrpcSide side, MetricLabels labels);

  void Started() { started_.Increment(); }
  void MessageReceived() { received_.Increment(); }
  void MessageSent() { sent_.Increment(); }
  void Handled(grpc::StatusCode code, double seconds);

 private:
  static constexpr size_t kCodes = 17;  // OK .. UNAUTHENTICATED
  MetricsRegistry& registry_;
  const std::string handled_name_;
  const MetricLabels labels_;
  Counter& started_;
  Counter& received_;
  Counter& sent_;
  Histogram& seconds_;
  std::array<std::atomic<Counter*>, kCodes> handled_{};
  std::mutex create_mu_;  // creates a code's counter once
};

class GrpcCallMetrics {
 public:
  // `services`: full names ("sockrpc.square.v1.SquareService") looked up in
  // the generated descriptor pool; one not found there is left out.
  GrpcCallMetrics(MetricsRegistry& registry, GrpcSide side,
                  const std::vector<std::string>& services);

  // The series of `path` ("/package.Service/Method"); the unknown method's
  // of `type` when the path is not one of the services' methods.
  GrpcMethodMetrics& Find(absl::string_view path, GrpcType type);

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<GrpcMethodMetrics>> methods_;
  std::array<std::unique_ptr<GrpcMethodMetrics>, 4> unknown_;  // per GrpcType
};

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_GRPC_CALL_METRICS_H_
