#include "common/tls_credentials.h"

#include <fstream>
#include <sstream>
#include <vector>

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/tls_file_stage.h"

namespace sockrpc {
namespace {

// A file that cannot be read, or holds no PEM, is a failure at run time
// (FailedPrecondition, exit status 1), not a usage error: the flag is fine.
// gRPC's file watcher would start anyway and fail every handshake; checking
// first makes a bad start loud.
absl::Status CheckPem(const char* what, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  if (!file || !(contents << file.rdbuf())) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", what, " file \"", path, "\""));
  }
  if (contents.str().find("-----BEGIN ") == std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " file \"", path, "\" holds no PEM data"));
  }
  return absl::OkStatus();
}

// gRPC reads the checked copies in memory every second: cheap, and a
// change on disk reaches new connections within the refresh interval plus
// a second.
constexpr unsigned int kStagedRefreshSeconds = 1;

// The checked copies live as long as the process, as do the credentials
// that read them (gRPC gives no hook for their end).
absl::StatusOr<TlsFileStage*> StartStage(TlsFilePaths paths) {
  static absl::Mutex mutex(absl::kConstInit);
  static auto* const kept = new std::vector<std::unique_ptr<TlsFileStage>>();
  absl::StatusOr<std::unique_ptr<TlsFileStage>> stage = TlsFileStage::Start(std::move(paths));
  if (!stage.ok()) return stage.status();
  absl::MutexLock lock(&mutex);
  kept->push_back(*std::move(stage));
  return kept->back().get();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files) {
  if (files.cert.empty() && files.key.empty()) {
    if (!files.client_ca.empty()) {
      return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  if (files.cert.empty() || files.key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  if (absl::Status cert = CheckPem("--tls_cert", files.cert); !cert.ok()) return cert;
  if (absl::Status key = CheckPem("--tls_key", files.key); !key.ok()) return key;
  if (!files.client_ca.empty()) {
    if (absl::Status ca = CheckPem("--tls_client_ca", files.client_ca); !ca.ok()) return ca;
  }
  absl::StatusOr<TlsFileStage*> stage = StartStage(
      {files.key, files.cert, files.client_ca, "--tls_client_ca", files.refresh_interval});
  if (!stage.ok()) return stage.status();
  const std::string identity = (*stage)->identity_path();
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      identity, identity, (*stage)->ca_path(), kStagedRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (files.client_ca.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsFiles& files) {
  if (files.ca.empty() && files.cert.empty() && files.key.empty()) {
    return grpc::InsecureChannelCredentials();
  }
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  if (!files.ca.empty()) {
    if (absl::Status ca = CheckPem("--tls_ca", files.ca); !ca.ok()) return ca;
  }
  if (!files.cert.empty()) {
    if (absl::Status cert = CheckPem("--tls_cert", files.cert); !cert.ok()) return cert;
    if (absl::Status key = CheckPem("--tls_key", files.key); !key.ok()) return key;
  }
  absl::StatusOr<TlsFileStage*> stage =
      StartStage({files.key, files.cert, files.ca, "--tls_ca", files.refresh_interval});
  if (!stage.ok()) return stage.status();
  const std::string identity = (*stage)->identity_path();
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          identity, identity, (*stage)->ca_path(), kStagedRefreshSeconds));
  // Without a CA file the server is verified against the system's roots.
  if (!files.ca.empty()) options.watch_root_certs();
  if (!files.cert.empty()) options.watch_identity_key_cert_pairs();
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace sockrpc
