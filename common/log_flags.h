// --log_format and --log_level, shared by rpc_server and legacy_bridge.
#ifndef SOCKRPC_COMMON_LOG_FLAGS_H_
#define SOCKRPC_COMMON_LOG_FLAGS_H_

namespace sockrpc {

// Applies both flags to the logger and to gRPC's own log lines; call after
// the flags are parsed and before gRPC starts.
void ApplyLogFlags();

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_LOG_FLAGS_H_
