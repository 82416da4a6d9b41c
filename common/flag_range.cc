#include "common/flag_range.h"

#include "absl/strings/str_cat.h"
#include "common/flags_usage.h"

namespace sockrpc {

int64_t IntFlagInRangeOrExit(absl::string_view flag, int64_t value, int64_t low, int64_t high,
                             absl::string_view low_means) {
  if (value < low || value > high) {
    ExitWithUsageError(absl::StrCat("--", flag, " must be from ", low,
                                    low_means.empty() ? "" : absl::StrCat(" (", low_means, ")"),
                                    " to ", high, ", got ", value));
  }
  return value;
}

absl::Duration DurationFlagInRangeOrExit(absl::string_view flag, absl::Duration value,
                                         absl::Duration low, absl::Duration high,
                                         bool infinite_allowed) {
  if (infinite_allowed && value == absl::InfiniteDuration()) return value;
  if (value < low || value > high) {
    ExitWithUsageError(absl::StrCat("--", flag, " must be from ", absl::FormatDuration(low),
                                    " to ", absl::FormatDuration(high),
                                    infinite_allowed ? ", or inf" : "", ", got ",
                                    absl::FormatDuration(value)));
  }
  return value;
}

absl::Duration PositiveDurationFlagOrExit(absl::string_view flag, absl::Duration value) {
  if (value <= absl::ZeroDuration()) {
    ExitWithUsageError(absl::StrCat("--", flag, " must be positive, got ",
                                    absl::FormatDuration(value)));
  }
  return value;
}

absl::Duration NonNegativeDurationFlagOrExit(absl::string_view flag, absl::Duration value) {
  if (value < absl::ZeroDuration()) {
    ExitWithUsageError(absl::StrCat("--", flag, " must not be negative, got ",
                                    absl::FormatDuration(value)));
  }
  return value;
}

}  // namespace sockrpc
