// The one place where absl::Status (what the pure code returns) becomes the
// grpc::Status a client sees. The codes have the same numbers by design.
#ifndef SOCKRPC_RPC_SERVER_GRPC_STATUS_H_
#define SOCKRPC_RPC_SERVER_GRPC_STATUS_H_

#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace sockrpc {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_GRPC_STATUS_H_
