#include "common/busy_poll.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace sockrpc {

std::string DescribeBusyPoll(BusyPoll::Clock::duration window) {
  if (window <= BusyPoll::Clock::duration::zero()) return "no busy polling";
  return absl::StrCat("busy polling ", absl::FormatDuration(absl::FromChrono(window)));
}

}  // namespace sockrpc
