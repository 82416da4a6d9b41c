// What a SQUARES session asks of the core, one message at a time.
#ifndef SOCKRPC_LEGACY_BRIDGE_PROTOCOL_CORE_REQUEST_H_
#define SOCKRPC_LEGACY_BRIDGE_PROTOCOL_CORE_REQUEST_H_

#include <cstdint>
#include <string>

namespace sockrpc {

// One request for the core: square `decimal` (a canonical integer). A probe
// only measures a round trip; its answer is not used.
struct CoreRequest {
  uint64_t sequence = 0;
  std::string decimal;
  bool probe = false;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_PROTOCOL_CORE_REQUEST_H_
