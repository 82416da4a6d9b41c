#include "common/log.h"

#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sockrpc {
namespace {

std::string& ProgramName() {
  static std::string name = "sockrpc";
  return name;
}

void Emit(absl::string_view level, absl::string_view message) {
  std::string line = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      " ", ProgramName(), " ", level, " ", message, "\n");
  // One write(2) per line: atomic for lines up to PIPE_BUF on pipes, and never
  // interleaved mid-line by stdio buffering.
  absl::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t written = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (written <= 0) return;
    rest.remove_prefix(static_cast<size_t>(written));
  }
}

}  // namespace

void SetLogProgramName(absl::string_view name) { ProgramName() = std::string(name); }
void LogInfo(absl::string_view message) { Emit("INFO", message); }
void LogWarning(absl::string_view message) { Emit("WARN", message); }
void LogError(absl::string_view message) { Emit("ERROR", message); }

}  // namespace sockrpc
