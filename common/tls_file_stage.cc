#include "common/tls_file_stage.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/tls_pem_check.h"

namespace sockrpc {
namespace {

absl::StatusOr<std::string> ReadFile(absl::string_view flag, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  if (!file || !(contents << file.rdbuf())) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", flag, " file \"", path, "\""));
  }
  return contents.str();
}

// A memory file holding `contents`, or -1 with errno set.
int MemoryFile(const std::string& contents) {
  const int fd = memfd_create("sockrpc-tls", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
    written += static_cast<size_t>(n);
  }
  return fd;
}

// Puts `contents` behind `*fd` in one step: a reader opening
// /proc/self/fd/<fd> gets either the old file or the new one.
absl::Status Stage(int* fd, const std::string& contents) {
  const int fresh = MemoryFile(contents);
  if (fresh < 0) {
    return absl::InternalError(absl::StrCat("memfd for TLS files: ", std::strerror(errno)));
  }
  if (*fd < 0) {
    *fd = fresh;
    return absl::OkStatus();
  }
  const int result = dup3(fresh, *fd, O_CLOEXEC);
  const int saved = errno;
  close(fresh);
  if (result < 0) {
    return absl::InternalError(absl::StrCat("dup3 for TLS files: ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

std::string ProcPath(int fd) { return fd < 0 ? "" : absl::StrCat("/proc/self/fd/", fd); }

}  // namespace

absl::StatusOr<std::unique_ptr<TlsFileStage>> TlsFileStage::Start(TlsFilePaths paths) {
  std::unique_ptr<TlsFileStage> stage(new TlsFileStage(std::move(paths)));
  if (absl::Status first = stage->Refresh(); !first.ok()) {
    return absl::FailedPreconditionError(first.message());
  }
  stage->thread_ = std::thread([raw = stage.get()] { raw->RefreshEvery(); });
  return stage;
}

TlsFileStage::~TlsFileStage() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (identity_fd_ >= 0) close(identity_fd_);
  if (ca_fd_ >= 0) close(ca_fd_);
}

std::string TlsFileStage::identity_path() const { return ProcPath(identity_fd_); }
std::string TlsFileStage::ca_path() const { return ProcPath(ca_fd_); }

absl::Status TlsFileStage::Refresh() {
  std::string identity;
  if (!paths_.cert.empty()) {
    absl::StatusOr<std::string> cert = ReadFile("--tls_cert", paths_.cert);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFile("--tls_key", paths_.key);
    if (!key.ok()) return key.status();
    if (absl::Status check = CheckKeyAndCertificate(*key, *cert); !check.ok()) {
      return absl::FailedPreconditionError(absl::StrCat("--tls_cert \"", paths_.cert,
                                                        "\" and --tls_key \"", paths_.key,
                                                        "\": ", check.message()));
    }
    identity = absl::StrCat(*cert, "\n", *key);
  }
  std::string ca;
  if (!paths_.ca.empty()) {
    absl::StatusOr<std::string> read = ReadFile(paths_.ca_flag, paths_.ca);
    if (!read.ok()) return read.status();
    if (absl::Status check = CheckCertificateBundle(*read); !check.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat(paths_.ca_flag, " \"", paths_.ca, "\": ", check.message()));
    }
    ca = *std::move(read);
  }
  const bool first = identity_fd_ < 0 && ca_fd_ < 0;
  bool changed = false;
  if (!identity.empty() && identity != identity_) {
    if (absl::Status staged = Stage(&identity_fd_, identity); !staged.ok()) return staged;
    identity_ = std::move(identity);
    changed = true;
  }
  if (!ca.empty() && ca != ca_) {
    if (absl::Status staged = Stage(&ca_fd_, ca); !staged.ok()) return staged;
    ca_ = std::move(ca);
    changed = true;
  }
  if (changed && !first) {
    LogInfo("TLS files changed on disk: new connections use them",
            {LogField("cert", paths_.cert), LogField("ca", paths_.ca)});
  }
  return absl::OkStatus();
}

void TlsFileStage::RefreshEvery() {
  absl::MutexLock lock(&mutex_);
  while (!mutex_.AwaitWithTimeout(absl::Condition(&stopping_), paths_.refresh_interval)) {
    mutex_.Unlock();
    const absl::Status refreshed = Refresh();
    mutex_.Lock();
    if (refreshed.ok()) {
      last_failure_.clear();
    } else if (refreshed.message() != last_failure_) {
      // Once per distinct reason, not at every refresh.
      last_failure_ = std::string(refreshed.message());
      LogWarning(absl::StrCat("TLS files not reloaded, the previous ones stay in use: ",
                              refreshed.message()),
                 {LogField("reason", refreshed.message())});
    }
  }
}

}  // namespace sockrpc
