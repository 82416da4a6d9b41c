// Recognises TLS handshake failures in gRPC 1.51's own log lines, which
// name the peer and the reason in verbose, internal form, so that they can
// be logged as one plain warning.
#ifndef SOCKRPC_COMMON_TLS_FAILURE_LINE_H_
#define SOCKRPC_COMMON_TLS_FAILURE_LINE_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sockrpc {

struct TlsHandshakeFailure {
  std::string peer;    // "ipv4:127.0.0.1:50051"; empty when gRPC does not say
  std::string reason;  // "Ssl handshake failed: SSL_ERROR_SSL: ...certificate verify failed"
};

// `file` is gRPC's source file (basename), `message` its text. Client side:
// subchannel.cc "... {address=PEER, ...}: connect failed (REASON {...}), backing
// off ..." when REASON is a handshake's. Server side: chttp2_server.cc
// "Handshaking failed: REASON {... target_address:\"PEER\" ...}".
std::optional<TlsHandshakeFailure> ParseTlsHandshakeFailure(absl::string_view file,
                                                            absl::string_view message);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_TLS_FAILURE_LINE_H_
