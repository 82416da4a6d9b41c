#include "common/grpc_server_metrics_interceptor.h"

#include <chrono>

namespace sockrpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

class ServerMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ServerMetricsInterceptor(GrpcMethodMetrics& method) : method_(method) {
    method_.Started();
  }

  // A call dropped without a status (cancelled before its handler answered)
  // still counts as handled, as Canceled.
  ~ServerMetricsInterceptor() override {
    if (!handled_) Handled(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      method_.MessageReceived();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      method_.MessageSent();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) && !handled_) {
      Handled(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Handled(grpc::StatusCode code) {
    handled_ = true;
    method_.Handled(
        code, std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  }

  GrpcMethodMetrics& method_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool handled_ = false;
};

GrpcType TypeOf(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY:
      return GrpcType::kUnary;
    case Type::CLIENT_STREAMING:
      return GrpcType::kClientStream;
    case Type::SERVER_STREAMING:
      return GrpcType::kServerStream;
    case Type::BIDI_STREAMING:
      return GrpcType::kBidiStream;
  }
  return GrpcType::kBidiStream;
}

}  // namespace

grpc::experimental::Interceptor* GrpcServerMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  const char* method = info->method() != nullptr ? info->method() : "";
  return new ServerMetricsInterceptor(metrics_.Find(method, TypeOf(info->type())));
}

}  // namespace sockrpc
