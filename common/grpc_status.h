// Where errors cross between gRPC and the code without I/O, both ways: the
// core turns the absl::Status of its logic into the grpc::Status a client
// sees; the bridge turns the core's grpc::Status back into an absl::Status,
// which its session logic writes as an ERROR line. The codes have the same
// numbers by design.
#ifndef SOCKRPC_COMMON_GRPC_STATUS_H_
#define SOCKRPC_COMMON_GRPC_STATUS_H_

#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace sockrpc {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_GRPC_STATUS_H_
