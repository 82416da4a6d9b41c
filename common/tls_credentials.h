// TLS for gRPC, from PEM files named on the command line. Plaintext stays the
// default; these build the credentials when TLS flags are given.
#ifndef SOCKRPC_COMMON_TLS_CREDENTIALS_H_
#define SOCKRPC_COMMON_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"

namespace sockrpc {

struct ServerTlsFiles {
  std::string cert;       // PEM certificate chain; empty: plaintext
  std::string key;        // PEM private key
  std::string client_ca;  // PEM CA bundle; set: clients must present a certificate it signed
};

struct ClientTlsFiles {
  std::string ca;    // PEM CA bundle to verify the server; empty: plaintext (unless cert is set)
  std::string cert;  // PEM client certificate, for mTLS
  std::string key;   // its PEM private key
};

// Insecure credentials when no file is named. INVALID_ARGUMENT for an
// incomplete set (a cert without a key), FAILED_PRECONDITION for a file that
// cannot be read or holds no PEM.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files);
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsFiles& files);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_TLS_CREDENTIALS_H_
