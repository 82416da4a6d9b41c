// Counts every call a channel makes into GrpcCallMetrics' grpc_client_*
// families: started, messages each way, and the status it ended with.
#ifndef SOCKRPC_COMMON_GRPC_CLIENT_METRICS_INTERCEPTOR_H_
#define SOCKRPC_COMMON_GRPC_CLIENT_METRICS_INTERCEPTOR_H_

#include <grpcpp/support/client_interceptor.h>

#include "common/grpc_call_metrics.h"

namespace sockrpc {

class GrpcClientMetricsInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  // `metrics` must outlive the calls of the channel.
  explicit GrpcClientMetricsInterceptorFactory(GrpcCallMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override;

 private:
  GrpcCallMetrics& metrics_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_GRPC_CLIENT_METRICS_INTERCEPTOR_H_
