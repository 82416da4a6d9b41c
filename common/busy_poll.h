// Brief busy polling before a thread sleeps.
//
// Why: on the VMs this runs on, waking a thread that sleeps in epoll_wait or
// on a futex costs tens of microseconds of latency and several of CPU (the
// hypervisor delivers the wake-up). A lockstep client's next message, or the
// core's answer, usually comes within that time. A thread that keeps polling
// for a short while after its last event takes it without being woken, and
// the thread that hands it work skips the wake-up call as well.
//
// The window is short, so an idle process sleeps; and it only makes sense
// with a second CPU to run the thread the poller waits for.
#ifndef SOCKRPC_COMMON_BUSY_POLL_H_
#define SOCKRPC_COMMON_BUSY_POLL_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "absl/time/time.h"

namespace sockrpc {

// Whether a thread that found nothing to do should poll again or sleep.
class BusyPoll {
 public:
  using Clock = std::chrono::steady_clock;

  // Polls for `window` after each event; a zero window never polls.
  explicit BusyPoll(Clock::duration window) : window_(window) {}

  // An event was handled at `now`: the window starts again.
  void OnEvent(Clock::time_point now) { last_event_ = now; }
  // Nothing was found at `now`: poll again (true) or sleep until the next
  // event (false; the caller then calls OnEvent once woken).
  bool KeepPolling(Clock::time_point now) const {
    return window_ > Clock::duration::zero() && now - last_event_ < window_;
  }

 private:
  const Clock::duration window_;
  Clock::time_point last_event_{};
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

// For start-up lines: "busy polling 50us", or "no busy polling".
std::string DescribeBusyPoll(BusyPoll::Clock::duration window);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_BUSY_POLL_H_
