// Why the bridge closed a legacy connection: one value per cause, so the log
// line and the counters name it the same way and cannot drift apart.
#ifndef SOCKRPC_LEGACY_BRIDGE_PROTOCOL_CLOSE_REASON_H_
#define SOCKRPC_LEGACY_BRIDGE_PROTOCOL_CLOSE_REASON_H_

namespace sockrpc {

enum class CloseReason {
  kClientClosed,        // the client shut down its side; everything was answered
  kBridgeShuttingDown,  // drained on SIGTERM
  kConnectionReset,     // a read or write failed
  kConnectionError,     // waiting for the socket failed
  // Limits: the client gets an ERROR line naming the limit, then a close.
  kMessageTooLong,      // --max_message_bytes
  kHandshakeTimeout,    // --handshake_timeout
  kIdleTimeout,         // --idle_timeout
  kTooManyConnections,  // --max_connections
  kPerAddressCap,       // --max_connections_per_address
  // Evicted for a newcomer from a smaller address when the table was nearly
  // full (--evict_above), in handshake or idle (fair_share_policy.h).
  kEvictedHandshake,
  kEvictedIdle,
};

// A short snake_case name for logs and metric labels ("handshake_timeout").
const char* CloseReasonName(CloseReason reason);

// Whether the bridge closed the connection at one of its limits.
bool IsLimit(CloseReason reason);

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_PROTOCOL_CLOSE_REASON_H_
