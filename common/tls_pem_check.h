// Checks PEM text before gRPC is given it: gRPC 1.51 takes whatever its file
// watcher reads, and a broken certificate or a key that does not match it
// leaves the server refusing every handshake. Pure logic, no I/O.
#ifndef SOCKRPC_COMMON_TLS_PEM_CHECK_H_
#define SOCKRPC_COMMON_TLS_PEM_CHECK_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sockrpc {

// OK when `cert_pem` holds at least one certificate and `key_pem` the private
// key of the first; else INVALID_ARGUMENT saying which is wrong.
absl::Status CheckKeyAndCertificate(absl::string_view key_pem, absl::string_view cert_pem);

// OK when `pem` holds at least one certificate.
absl::Status CheckCertificateBundle(absl::string_view pem);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_TLS_PEM_CHECK_H_
