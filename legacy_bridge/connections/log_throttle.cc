#include "legacy_bridge/connections/log_throttle.h"

#include <utility>

namespace sockrpc {

std::optional<uint64_t> LogThrottle::Allow(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    lines_in_window_ = 0;
  }
  if (lines_in_window_ >= lines_per_second_) {
    ++suppressed_;
    return std::nullopt;
  }
  ++lines_in_window_;
  return std::exchange(suppressed_, 0);
}

}  // namespace sockrpc
