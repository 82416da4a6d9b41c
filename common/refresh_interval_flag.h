// The flags saying how often a watched file (certificates, the authorization
// policy) is read again. gRPC's file watchers count in whole seconds.
#ifndef SOCKRPC_COMMON_REFRESH_INTERVAL_FLAG_H_
#define SOCKRPC_COMMON_REFRESH_INTERVAL_FLAG_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sockrpc {

inline constexpr absl::Duration kMinRefreshInterval = absl::Seconds(1);
inline constexpr absl::Duration kMaxRefreshInterval = absl::Hours(24);

// `value` of --`flag` if it is whole seconds from 1s to 24h; else a usage
// error (exit status 2).
absl::Duration RefreshIntervalFlagOrExit(absl::string_view flag, absl::Duration value);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_REFRESH_INTERVAL_FLAG_H_
