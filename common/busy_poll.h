// Brief busy polling before a thread sleeps, over a window that adapts.
//
// Why: on the VMs this runs on, waking a thread that sleeps in epoll_wait or
// on a futex costs tens of microseconds of latency and several of CPU (the
// hypervisor delivers the wake-up). A lockstep client's next message, or the
// core's answer, usually comes within that time. A thread that keeps polling
// for a short while after its last event takes it without being woken, and
// the thread that hands it work skips the wake-up call as well.
//
// How long: the rule of KVM's halt polling (Documentation/virt/kvm/
// halt-polling.rst). The window starts at zero. A thread woken from sleep
// within the longest window (`max_window`) would have caught that event by
// polling longer, so the window grows (to 10 us, then doubling, up to
// `max_window`); one that slept longer than `max_window` polled for
// nothing, so the window halves (under 10 us: zero). Events found while
// polling leave it as it is. So a thread polls as long as its events' gaps
// need, and an idle or lightly loaded one does not poll at all
// (docs/performance.md, "Busy polling that adapts").
//
// It only makes sense with a second CPU to run the thread the poller waits
// for (BusyPollWindow).
#ifndef SOCKRPC_COMMON_BUSY_POLL_H_
#define SOCKRPC_COMMON_BUSY_POLL_H_

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>

#include "absl/time/time.h"

namespace sockrpc {

// Whether a thread that found nothing to do should poll again or sleep.
// Not thread-safe: one per polling thread.
class BusyPoll {
 public:
  using Clock = std::chrono::steady_clock;
  // The first window a thread grows to.
  static constexpr Clock::duration kGrowStart = std::chrono::microseconds(10);

  // Polls for at most `max_window` after an event; zero never polls.
  explicit BusyPoll(Clock::duration max_window) : max_window_(max_window) {}

  // The thread slept and was woken by an event at `now` (before handling
  // it): grows or shrinks the window by how long it slept.
  void OnWokenUp(Clock::time_point now) {
    if (max_window_ <= Clock::duration::zero()) return;
    if (now - last_event_ <= max_window_) {
      window_ = std::min(max_window_, std::max(kGrowStart, window_ * 2));
    } else {
      window_ /= 2;
      if (window_ < kGrowStart) window_ = Clock::duration::zero();
    }
  }
  // An event was handled at `now`: the window starts again.
  void OnEvent(Clock::time_point now) { last_event_ = now; }
  // Nothing was found at `now`: poll again (true) or sleep until the next
  // event (false; the caller then calls OnWokenUp and OnEvent once woken).
  bool KeepPolling(Clock::time_point now) const {
    return window_ > Clock::duration::zero() && now - last_event_ < window_;
  }
  // The current window, for tests.
  Clock::duration window() const { return window_; }

 private:
  const Clock::duration max_window_;
  Clock::duration window_ = Clock::duration::zero();
  // Far in the past, so that the first wake-up counts as a long sleep.
  Clock::time_point last_event_ = Clock::time_point(Clock::duration::min() / 2);
};

// The window to use on `usable_cpus` CPUs: `requested`, or zero on a single
// CPU, where a polling thread would only hold up the thread it waits for.
inline BusyPoll::Clock::duration BusyPollWindow(BusyPoll::Clock::duration requested,
                                                size_t usable_cpus) {
  return usable_cpus > 1 ? requested : BusyPoll::Clock::duration::zero();
}

// The value of a --busy_poll flag, which must be from 0 to 1ms; otherwise
// exits with a usage error (common/flags_usage.h).
std::chrono::microseconds BusyPollFlagOrExit(absl::Duration flag);

// For start-up lines: "busy polling up to 200us", or "no busy polling".
std::string DescribeBusyPoll(BusyPoll::Clock::duration window);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_BUSY_POLL_H_
