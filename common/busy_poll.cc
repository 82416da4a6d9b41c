#include "common/busy_poll.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/flag_range.h"

namespace sockrpc {

std::chrono::microseconds BusyPollFlagOrExit(absl::Duration flag) {
  return absl::ToChronoMicroseconds(
      DurationFlagInRangeOrExit("busy_poll", flag, absl::ZeroDuration(), absl::Milliseconds(1)));
}

std::string DescribeBusyPoll(BusyPoll::Clock::duration window) {
  if (window <= BusyPoll::Clock::duration::zero()) return "no busy polling";
  return absl::StrCat("busy polling up to ", absl::FormatDuration(absl::FromChrono(window)));
}

}  // namespace sockrpc
