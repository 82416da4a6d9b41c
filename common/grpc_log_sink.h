// Sends gRPC's own log lines (gpr_log) through the project's logger, so that
// they come out in the same format as the rest.
//
// gRPC's info lines are internal chatter (poller set-up, connection state
// with every channel argument): they show at --log_level=debug, as its debug
// lines do; its errors at error. A failed TLS handshake, which gRPC reports
// only in such lines, is logged as one warning naming the peer (when gRPC
// knows it) and the reason, at most 10 a second.
#ifndef SOCKRPC_COMMON_GRPC_LOG_SINK_H_
#define SOCKRPC_COMMON_GRPC_LOG_SINK_H_

namespace sockrpc {

// Call before gRPC starts (it reads GRPC_VERBOSITY only when none is set).
void SendGrpcLogsToLog();

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_GRPC_LOG_SINK_H_
