#include "common/refresh_interval_flag.h"

#include "absl/strings/str_cat.h"
#include "common/flags_usage.h"

namespace sockrpc {

absl::Duration RefreshIntervalFlagOrExit(absl::string_view flag, absl::Duration value) {
  if (value < kMinRefreshInterval || value > kMaxRefreshInterval ||
      absl::Trunc(value, absl::Seconds(1)) != value) {
    ExitWithUsageError(absl::StrCat("--", flag, " must be whole seconds from 1s to 24h, got ",
                                    absl::FormatDuration(value)));
  }
  return value;
}

}  // namespace sockrpc
