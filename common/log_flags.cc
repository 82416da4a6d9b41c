#include "common/log_flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "common/grpc_log_sink.h"
#include "common/log.h"

namespace sockrpc {

// Abseil flag syntax of the two enums (found by argument-dependent lookup).
bool AbslParseFlag(absl::string_view text, LogFormat* format, std::string* error) {
  const std::string name = absl::AsciiStrToLower(text);
  if (name == "text") {
    *format = LogFormat::kText;
  } else if (name == "json") {
    *format = LogFormat::kJson;
  } else {
    *error = "expected text or json";
    return false;
  }
  return true;
}

std::string AbslUnparseFlag(LogFormat format) {
  return format == LogFormat::kJson ? "json" : "text";
}

bool AbslParseFlag(absl::string_view text, LogLevel* level, std::string* error) {
  const std::string name = absl::AsciiStrToLower(text);
  for (LogLevel candidate :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    if (name == LogLevelName(candidate, LogFormat::kJson)) {
      *level = candidate;
      return true;
    }
  }
  *error = "expected debug, info, warning or error";
  return false;
}

std::string AbslUnparseFlag(LogLevel level) {
  return std::string(LogLevelName(level, LogFormat::kJson));
}

}  // namespace sockrpc

ABSL_FLAG(sockrpc::LogFormat, log_format, sockrpc::LogFormat::kText,
          "Log lines as text, or json: one object per line with ts (UTC, microseconds), level, "
          "process, msg and fields such as peer, protocol, outcome and duration_ms.");
ABSL_FLAG(sockrpc::LogLevel, log_level, sockrpc::LogLevel::kInfo,
          "Least severe lines logged: debug, info, warning or error. gRPC's own lines go "
          "through the same logger: its errors at error, the rest at debug; a failed TLS "
          "handshake is a warning naming the peer and the reason.");

namespace sockrpc {

void ApplyLogFlags() {
  SetLogFormat(absl::GetFlag(FLAGS_log_format));
  const LogLevel minimum = absl::GetFlag(FLAGS_log_level);
  SetLogLevel(minimum);
  SendGrpcLogsToLog();
}

}  // namespace sockrpc
