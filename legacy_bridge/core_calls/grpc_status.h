// grpc::Status -> absl::Status, for the bridge's pure code. The codes have
// the same numbers by design.
#ifndef SOCKRPC_LEGACY_BRIDGE_GRPC_STATUS_H_
#define SOCKRPC_LEGACY_BRIDGE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace sockrpc {

inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_GRPC_STATUS_H_
