#include "common/grpc_client_metrics_interceptor.h"

#include <chrono>

namespace sockrpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

class ClientMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ClientMetricsInterceptor(GrpcMethodMetrics& method) : method_(method) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      started_ = std::chrono::steady_clock::now();
      method_.Started();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      method_.MessageSent();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      method_.MessageReceived();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      const grpc::Status* status = methods->GetRecvStatus();
      method_.Handled(
          status != nullptr ? status->error_code() : grpc::StatusCode::UNKNOWN,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    }
    methods->Proceed();
  }

 private:
  GrpcMethodMetrics& method_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

GrpcType TypeOf(grpc::experimental::ClientRpcInfo::Type type) {
  using Type = grpc::experimental::ClientRpcInfo::Type;
  switch (type) {
    case Type::UNARY:
      return GrpcType::kUnary;
    case Type::CLIENT_STREAMING:
      return GrpcType::kClientStream;
    case Type::SERVER_STREAMING:
      return GrpcType::kServerStream;
    default:
      return GrpcType::kBidiStream;
  }
}

}  // namespace

grpc::experimental::Interceptor* GrpcClientMetricsInterceptorFactory::CreateClientInterceptor(
    grpc::experimental::ClientRpcInfo* info) {
  const char* method = info->method() != nullptr ? info->method() : "";
  return new ClientMetricsInterceptor(metrics_.Find(method, TypeOf(info->type())));
}

}  // namespace sockrpc
