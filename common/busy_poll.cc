#include "common/busy_poll.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/flags_usage.h"

namespace sockrpc {

std::chrono::microseconds BusyPollFlagOrExit(absl::Duration flag) {
  if (flag < absl::ZeroDuration() || flag > absl::Milliseconds(1)) {
    ExitWithUsageError("--busy_poll must be between 0 and 1ms");
  }
  return absl::ToChronoMicroseconds(flag);
}

std::string DescribeBusyPoll(BusyPoll::Clock::duration window) {
  if (window <= BusyPoll::Clock::duration::zero()) return "no busy polling";
  return absl::StrCat("busy polling ", absl::FormatDuration(absl::FromChrono(window)));
}

}  // namespace sockrpc
