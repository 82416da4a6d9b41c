// At most a few log lines per second for one kind of event (a refusal, an
// eviction), however often it happens: a flood must not turn into a flood of
// log lines. The lines held back are counted and reported with the next one.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_LOG_THROTTLE_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_LOG_THROTTLE_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace sockrpc {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(int lines_per_second) : lines_per_second_(lines_per_second) {}

  // Whether to log the event happening at `now`; if so, how many events
  // were not logged since the last line. Safe on any thread.
  std::optional<uint64_t> Allow(Clock::time_point now);

 private:
  const int lines_per_second_;
  std::mutex mu_;  // guards the fields below
  Clock::time_point window_start_{};
  int lines_in_window_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_LOG_THROTTLE_H_
