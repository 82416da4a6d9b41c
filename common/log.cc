#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/time/clock.h"

namespace sockrpc {
namespace {

std::string& ProgramName() {
  static std::string name = "sockrpc";
  return name;
}

std::atomic<LogFormat> g_format{LogFormat::kText};
std::atomic<LogLevel> g_minimum{LogLevel::kInfo};

void WriteAll(absl::string_view line) {
  // One write(2) per line: atomic for lines up to PIPE_BUF on pipes, and never
  // interleaved mid-line by stdio buffering.
  while (!line.empty()) {
    const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
    if (written <= 0) return;
    line.remove_prefix(static_cast<size_t>(written));
  }
}

}  // namespace

void SetLogProgramName(absl::string_view name) { ProgramName() = std::string(name); }
void SetLogFormat(LogFormat format) { g_format.store(format, std::memory_order_relaxed); }
void SetLogLevel(LogLevel minimum) { g_minimum.store(minimum, std::memory_order_relaxed); }

bool LogEnabled(LogLevel level) { return level >= g_minimum.load(std::memory_order_relaxed); }

void Log(LogLevel level, absl::string_view message, absl::Span<const LogField> fields) {
  if (!LogEnabled(level)) return;
  WriteAll(FormatLogLine(g_format.load(std::memory_order_relaxed), absl::Now(), ProgramName(),
                         level, message, fields));
}

void LogInfo(absl::string_view message, absl::Span<const LogField> fields) {
  Log(LogLevel::kInfo, message, fields);
}
void LogWarning(absl::string_view message, absl::Span<const LogField> fields) {
  Log(LogLevel::kWarning, message, fields);
}
void LogError(absl::string_view message, absl::Span<const LogField> fields) {
  Log(LogLevel::kError, message, fields);
}

}  // namespace sockrpc
