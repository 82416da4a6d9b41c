// The address a gRPC server listens on, as its --listen flag spells it: a TCP
// address ("host:port", "[v6-host]:port") or a Unix domain socket
// ("unix:/path", "unix:///path") for a client on the same host.
#ifndef SOCKRPC_COMMON_GRPC_LISTEN_ADDRESS_H_
#define SOCKRPC_COMMON_GRPC_LISTEN_ADDRESS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/listen_address.h"

namespace sockrpc {

struct GrpcListenAddress {
  ListenAddress tcp;      // when unix_path is empty
  std::string unix_path;  // absolute path of the socket file, or empty for TCP

  bool is_unix() const { return !unix_path.empty(); }
  // What grpc::ServerBuilder::AddListeningPort and a client's target take:
  // "host:port" or "unix:/path".
  std::string ToString() const;
};

// Parses "host:port", "[ipv6]:port", "unix:/absolute/path" or
// "unix:///absolute/path". A socket path must fit a sockaddr_un (at most 107
// bytes).
absl::StatusOr<GrpcListenAddress> ParseGrpcListenAddress(absl::string_view text);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_GRPC_LISTEN_ADDRESS_H_
