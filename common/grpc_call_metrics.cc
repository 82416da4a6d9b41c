#include "common/grpc_call_metrics.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"

namespace sockrpc {
namespace {

const char* SideName(GrpcSide side) { return side == GrpcSide::kServer ? "server" : "client"; }

std::string Family(GrpcSide side, const char* suffix) {
  return absl::StrCat("grpc_", SideName(side), "_", suffix);
}

MetricLabels MethodLabels(GrpcType type, const std::string& service, const std::string& method) {
  return {{"grpc_type", GrpcTypeName(type)}, {"grpc_service", service}, {"grpc_method", method}};
}

GrpcType TypeOf(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming()) {
    return method.server_streaming() ? GrpcType::kBidiStream : GrpcType::kClientStream;
  }
  return method.server_streaming() ? GrpcType::kServerStream : GrpcType::kUnary;
}

// Buckets as go-grpc-prometheus's default (prometheus.DefBuckets), plus the
// sub-millisecond ones where this project's calls are.
std::vector<double> HandlingBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

}  // namespace

const char* GrpcTypeName(GrpcType type) {
  switch (type) {
    case GrpcType::kUnary:
      return "unary";
    case GrpcType::kClientStream:
      return "client_stream";
    case GrpcType::kServerStream:
      return "server_stream";
    case GrpcType::kBidiStream:
      return "bidi_stream";
  }
  return "unary";
}

const char* GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "Canceled";
    case grpc::StatusCode::UNKNOWN:
      return "Unknown";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "InvalidArgument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DeadlineExceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "AlreadyExists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PermissionDenied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "ResourceExhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FailedPrecondition";
    case grpc::StatusCode::ABORTED:
      return "Aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OutOfRange";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "Unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "Internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "Unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "DataLoss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "Unauthenticated";
    default:
      return "Unknown";
  }
}

GrpcMethodMetrics::GrpcMethodMetrics(MetricsRegistry& registry, GrpcSide side, MetricLabels labels)
    : registry_(registry),
      handled_name_(Family(side, "handled_total")),
      labels_(std::move(labels)),
      started_(registry.AddCounter(
          Family(side, "started_total"),
          side == GrpcSide::kServer ? "RPCs started on the server." : "RPCs started by the client.",
          labels_)),
      received_(registry.AddCounter(Family(side, "msg_received_total"),
                                    "Stream messages received (one for a unary call).", labels_)),
      sent_(registry.AddCounter(Family(side, "msg_sent_total"),
                                "Stream messages sent (one for a unary call).", labels_)),
      seconds_(registry.AddHistogram(Family(side, "handling_seconds"),
                                     "Time from the start of an RPC to its status.", labels_,
                                     HandlingBuckets())) {}

void GrpcMethodMetrics::Handled(grpc::StatusCode code, double seconds) {
  const size_t index = static_cast<size_t>(code) < kCodes ? static_cast<size_t>(code)
                                                          : static_cast<size_t>(grpc::UNKNOWN);
  Counter* counter = handled_[index].load(std::memory_order_acquire);
  if (counter == nullptr) {
    std::lock_guard lock(create_mu_);
    counter = handled_[index].load(std::memory_order_acquire);
    if (counter == nullptr) {
      MetricLabels labels = labels_;
      labels.emplace_back("grpc_code", GrpcCodeName(static_cast<grpc::StatusCode>(index)));
      counter = &registry_.AddCounter(handled_name_, "RPCs completed, per status code.",
                                      std::move(labels));
      handled_[index].store(counter, std::memory_order_release);
    }
  }
  counter->Increment();
  seconds_.Observe(seconds);
}

GrpcCallMetrics::GrpcCallMetrics(MetricsRegistry& registry, GrpcSide side,
                                 const std::vector<std::string>& services) {
  const google::protobuf::DescriptorPool& pool =
      *google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(name);
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor& method = *service->method(i);
      methods_.emplace(absl::StrCat("/", name, "/", method.name()),
                       std::make_unique<GrpcMethodMetrics>(
                           registry, side, MethodLabels(TypeOf(method), name, method.name())));
    }
  }
  for (GrpcType type : {GrpcType::kUnary, GrpcType::kClientStream, GrpcType::kServerStream,
                        GrpcType::kBidiStream}) {
    unknown_[static_cast<size_t>(type)] = std::make_unique<GrpcMethodMetrics>(
        registry, side, MethodLabels(type, "unknown", "unknown"));
  }
}

GrpcMethodMetrics& GrpcCallMetrics::Find(absl::string_view path, GrpcType type) {
  auto found = methods_.find(path);
  if (found != methods_.end()) return *found->second;
  return *unknown_[static_cast<size_t>(type)];
}

}  // namespace sockrpc
