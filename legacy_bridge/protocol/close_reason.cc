#include "legacy_bridge/protocol/close_reason.h"

namespace sockrpc {

const char* CloseReasonName(CloseReason reason) {
  switch (reason) {
    case CloseReason::kClientClosed:
      return "client_closed";
    case CloseReason::kBridgeShuttingDown:
      return "bridge_shutting_down";
    case CloseReason::kConnectionReset:
      return "connection_reset";
    case CloseReason::kConnectionError:
      return "connection_error";
    case CloseReason::kMessageTooLong:
      return "too_long";
    case CloseReason::kHandshakeTimeout:
      return "handshake_timeout";
    case CloseReason::kIdleTimeout:
      return "idle_timeout";
    case CloseReason::kTooManyConnections:
      return "too_many_connections";
    case CloseReason::kPerAddressCap:
      return "per_address_cap";
    case CloseReason::kEvictedHandshake:
      return "evicted_handshake";
    case CloseReason::kEvictedIdle:
      return "evicted_idle";
  }
  return "unknown";
}

bool IsLimit(CloseReason reason) {
  switch (reason) {
    case CloseReason::kMessageTooLong:
    case CloseReason::kHandshakeTimeout:
    case CloseReason::kIdleTimeout:
    case CloseReason::kTooManyConnections:
    case CloseReason::kPerAddressCap:
    case CloseReason::kEvictedHandshake:
    case CloseReason::kEvictedIdle:
      return true;
    default:
      return false;
  }
}

}  // namespace sockrpc
