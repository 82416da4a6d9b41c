// Checked copies of the TLS files for gRPC's file watcher. gRPC 1.51 takes
// whatever it reads: a half-written certificate, or a key replaced before its
// certificate, would leave every new handshake failing. This reads the files
// named on the command line every refresh interval, checks them (PEM parses,
// the key matches the certificate) and only then hands them on, in memory
// files (memfd) that gRPC reads through /proc/self/fd. The key and the
// certificate sit in one such file, swapped in with one dup3(), so gRPC never
// sees a new key with an old certificate. Files that do not check keep the
// last good copy in use and are logged once per distinct reason.
#ifndef SOCKRPC_COMMON_TLS_FILE_STAGE_H_
#define SOCKRPC_COMMON_TLS_FILE_STAGE_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sockrpc {

struct TlsFilePaths {
  // Key and certificate both set or both empty; `ca` may be empty.
  std::string key;
  std::string cert;
  std::string ca;
  // Flag names for messages, e.g. "--tls_ca" or "--tls_client_ca".
  std::string ca_flag = "--tls_ca";
  absl::Duration refresh_interval = absl::Seconds(60);
};

class TlsFileStage {
 public:
  // Reads and checks the files once; FAILED_PRECONDITION naming the file and
  // what is wrong when one cannot be read or does not check. Then checks them
  // again every refresh interval on a thread of its own.
  static absl::StatusOr<std::unique_ptr<TlsFileStage>> Start(TlsFilePaths paths);

  ~TlsFileStage();
  TlsFileStage(const TlsFileStage&) = delete;
  TlsFileStage& operator=(const TlsFileStage&) = delete;

  // Paths of the checked copies for gRPC; empty when not configured. The
  // identity file holds the certificate chain and then the private key.
  std::string identity_path() const;
  std::string ca_path() const;

 private:
  explicit TlsFileStage(TlsFilePaths paths) : paths_(std::move(paths)) {}

  // Reads and checks the files; on success stages what changed.
  absl::Status Refresh();
  void RefreshEvery();

  const TlsFilePaths paths_;
  int identity_fd_ = -1;
  int ca_fd_ = -1;
  std::string identity_;  // contents staged last
  std::string ca_;
  std::string last_failure_;  // logged already; empty when the files last checked
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_TLS_FILE_STAGE_H_
