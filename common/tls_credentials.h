// TLS for gRPC, from PEM files named on the command line. Plaintext stays the
// default; these build the credentials when TLS flags are given. The files are
// read again every refresh interval, so certificates replaced on disk (by
// rename, as cert-manager and certbot do) are used for new connections without
// a restart. Connections already open keep the certificate they were made
// with. A file that no longer checks keeps the last good certificate in use
// and is logged (common/tls_file_stage.h).
#ifndef SOCKRPC_COMMON_TLS_CREDENTIALS_H_
#define SOCKRPC_COMMON_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sockrpc {

// How often the files are read again unless a flag says otherwise.
inline constexpr absl::Duration kDefaultTlsRefreshInterval = absl::Seconds(60);

struct ServerTlsFiles {
  std::string cert;       // PEM certificate chain; empty: plaintext
  std::string key;        // PEM private key
  std::string client_ca;  // PEM CA bundle; set: clients must present a certificate it signed
  absl::Duration refresh_interval = kDefaultTlsRefreshInterval;  // whole seconds, at least 1
};

struct ClientTlsFiles {
  std::string ca;    // PEM CA bundle to verify the server; empty: plaintext (unless cert is set)
  std::string cert;  // PEM client certificate, for mTLS
  std::string key;   // its PEM private key
  absl::Duration refresh_interval = kDefaultTlsRefreshInterval;  // whole seconds, at least 1
};

// Insecure credentials when no file is named. INVALID_ARGUMENT for an
// incomplete set (a cert without a key), FAILED_PRECONDITION for a file that
// cannot be read or holds no PEM at start.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files);
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsFiles& files);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_TLS_CREDENTIALS_H_
