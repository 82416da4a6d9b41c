// Log lines on standard error: one line per call, written with a single
// write so that lines from different threads never interleave. Text by
// default; one JSON object per line with --log_format=json (common/log_line.h).
//
//   2026-11-21T22:38:29.123Z rpc_server INFO listening on 0.0.0.0:50051
#ifndef SOCKRPC_COMMON_LOG_H_
#define SOCKRPC_COMMON_LOG_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/log_line.h"

namespace sockrpc {

// Names the process in every line; call once at start-up.
void SetLogProgramName(absl::string_view name);
// Set once at start-up, before other threads log.
void SetLogFormat(LogFormat format);
void SetLogLevel(LogLevel minimum);
// Whether a line at `level` would be written.
bool LogEnabled(LogLevel level);

// `fields` appear only in JSON lines: say what they hold in `message` too.
void Log(LogLevel level, absl::string_view message, absl::Span<const LogField> fields = {});
void LogInfo(absl::string_view message, absl::Span<const LogField> fields = {});
void LogWarning(absl::string_view message, absl::Span<const LogField> fields = {});
void LogError(absl::string_view message, absl::Span<const LogField> fields = {});

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_LOG_H_
