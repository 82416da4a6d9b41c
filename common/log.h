// Log lines on standard error: one line per call, written with a single
// write so that lines from different threads never interleave.
//
//   2026-11-21T22:38:29.123Z rpc_server INFO listening on 0.0.0.0:50051
#ifndef SOCKRPC_COMMON_LOG_H_
#define SOCKRPC_COMMON_LOG_H_

#include "absl/strings/string_view.h"

namespace sockrpc {

// Names the process in every line; call once at start-up.
void SetLogProgramName(absl::string_view name);

void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);
void LogError(absl::string_view message);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_LOG_H_
