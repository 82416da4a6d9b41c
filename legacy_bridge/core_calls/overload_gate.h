// The bridge-wide OverloadEstimator behind a lock, shared by the SQUARES
// connections of every event loop: they report what they send to the core and
// what comes back, and ask it before sending a message. Sheds are counted
// (sockrpc_bridge_squares_shed_total) and logged at most once a second.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_OVERLOAD_GATE_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_OVERLOAD_GATE_H_

#include <atomic>
#include <cstdint>
#include <mutex>

#include "common/metrics.h"
#include "legacy_bridge/core_calls/overload_estimator.h"

namespace sockrpc {

class OverloadGate {
 public:
  using Clock = OverloadEstimator::Clock;

  OverloadGate(OverloadEstimator::Options options, Counter& shed, Gauge& expected_wait_us);

  void OnSent(uint64_t count);
  void OnAnswered(uint64_t count);
  void OnForgotten(uint64_t count);
  // Whether to shed `messages` messages now; a shed is counted and logged.
  bool Shed(uint64_t messages);
  // The core is far enough behind that shedding is near
  // (OverloadEstimator::NearShedding), as of the last report: read without
  // the lock, on every batch a shared stream might hold back.
  bool core_lagging() const { return core_lagging_.load(std::memory_order_relaxed); }

 private:
  // Called with mu_ held, after every change to the estimator.
  void UpdateLaggingLocked() {
    core_lagging_.store(estimator_.NearShedding(), std::memory_order_relaxed);
  }

  std::atomic<bool> core_lagging_{false};
  std::mutex mu_;  // guards everything below
  OverloadEstimator estimator_;
  Counter& shed_;
  Gauge& expected_wait_us_;
  Clock::time_point last_log_{};
  uint64_t unlogged_ = 0;  // shed since the last log line
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_OVERLOAD_GATE_H_
