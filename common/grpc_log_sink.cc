#include "common/grpc_log_sink.h"

#include <grpc/support/log.h>

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/tls_failure_line.h"

namespace sockrpc {
namespace {

constexpr int64_t kHandshakeLinesPerSecond = 10;

LogLevel FromGrpc(gpr_log_severity severity) {
  return severity == GPR_LOG_SEVERITY_ERROR ? LogLevel::kError : LogLevel::kDebug;
}

// Handshake failures come at whatever rate clients make them: a bounded
// number of lines per second, the rest counted in the next line.
int64_t AdmitHandshakeLine(bool& admitted) {
  static absl::Mutex mutex(absl::kConstInit);
  static int64_t window = 0;
  static int64_t in_window = 0;
  static int64_t dropped = 0;
  absl::MutexLock lock(&mutex);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  if (now != window) {
    window = now;
    in_window = 0;
  }
  admitted = ++in_window <= kHandshakeLinesPerSecond;
  if (!admitted) {
    ++dropped;
    return 0;
  }
  const int64_t earlier = dropped;
  dropped = 0;
  return earlier;
}

void LogHandshakeFailure(const TlsHandshakeFailure& failure) {
  bool admitted = false;
  const int64_t dropped = AdmitHandshakeLine(admitted);
  if (!admitted) return;
  LogWarning(absl::StrCat("TLS handshake ",
                          failure.peer.empty() ? "" : absl::StrCat("with ", failure.peer, " "),
                          "failed: ", failure.reason,
                          failure.peer.empty() ? " (gRPC does not name the peer)" : "",
                          dropped > 0 ? absl::StrCat(" (", dropped, " more not logged)") : ""),
             {LogField("peer", failure.peer), LogField("reason", failure.reason),
              LogField("source", "grpc")});
}

void LogFromGrpc(gpr_log_func_args* args) {
  absl::string_view file = args->file != nullptr ? args->file : "";
  if (const size_t slash = file.rfind('/'); slash != absl::string_view::npos) {
    file.remove_prefix(slash + 1);
  }
  const absl::string_view message = args->message != nullptr ? args->message : "";
  if (const auto failure = ParseTlsHandshakeFailure(file, message); failure.has_value()) {
    LogHandshakeFailure(*failure);
  }
  const LogLevel level = FromGrpc(args->severity);
  if (!LogEnabled(level)) return;
  Log(level, absl::StrCat("grpc: ", message),
      {LogField("source", absl::StrCat(file, ":", args->line))});
}

}  // namespace

void SendGrpcLogsToLog() {
  // Every line reaches LogFromGrpc, which filters by --log_level: the
  // handshake failures are among gRPC's info and debug lines.
  gpr_set_log_verbosity(GPR_LOG_SEVERITY_DEBUG);
  gpr_set_log_function(LogFromGrpc);
}

}  // namespace sockrpc
