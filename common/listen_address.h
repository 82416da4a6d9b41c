// Listen addresses as the flags spell them: "host:port", "[v6-host]:port".
#ifndef SOCKRPC_COMMON_LISTEN_ADDRESS_H_
#define SOCKRPC_COMMON_LISTEN_ADDRESS_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace sockrpc {

struct ListenAddress {
  std::string host;  // without brackets: "0.0.0.0", "::1", "localhost"
  uint16_t port = 0; // 0 asks the system for a free port

  // "host:port", with brackets around an IPv6 host.
  std::string ToString() const;
};

// Parses "host:port" or "[ipv6]:port". The host must be non-empty and the
// port a decimal number in 0..65535.
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_LISTEN_ADDRESS_H_
