// The range checks of flag values, shared by both binaries: each returns the
// value, or ends the process with a usage error (exit status 2) that names
// the flag, its range and the value given.
//
//   options.threads = static_cast<size_t>(
//       IntFlagInRangeOrExit("threads", absl::GetFlag(FLAGS_threads), 0, 1024));
#ifndef SOCKRPC_COMMON_FLAG_RANGE_H_
#define SOCKRPC_COMMON_FLAG_RANGE_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sockrpc {

// `value` of --`flag` if it is from `low` to `high`; `low_means` (say "no
// cap") is shown after `low` in the message when `low` has a meaning of its own.
int64_t IntFlagInRangeOrExit(absl::string_view flag, int64_t value, int64_t low, int64_t high,
                             absl::string_view low_means = "");

// The same for a duration. With `infinite_allowed`, "inf" is accepted too.
absl::Duration DurationFlagInRangeOrExit(absl::string_view flag, absl::Duration value,
                                         absl::Duration low, absl::Duration high,
                                         bool infinite_allowed = false);

// `value` of --`flag` if it is more than zero.
absl::Duration PositiveDurationFlagOrExit(absl::string_view flag, absl::Duration value);

// `value` of --`flag` if it is zero or more.
absl::Duration NonNegativeDurationFlagOrExit(absl::string_view flag, absl::Duration value);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_FLAG_RANGE_H_
