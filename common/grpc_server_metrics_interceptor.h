// Counts every call the server serves (its own services, health, reflection,
// and methods it does not know) into GrpcCallMetrics' grpc_server_* families.
// An interceptor sees calls of every service on the port, the library's own
// included, and their final status.
#ifndef SOCKRPC_COMMON_GRPC_SERVER_METRICS_INTERCEPTOR_H_
#define SOCKRPC_COMMON_GRPC_SERVER_METRICS_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "common/grpc_call_metrics.h"

namespace sockrpc {

class GrpcServerMetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `metrics` must outlive the server.
  explicit GrpcServerMetricsInterceptorFactory(GrpcCallMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  GrpcCallMetrics& metrics_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_GRPC_SERVER_METRICS_INTERCEPTOR_H_
