#include "legacy_bridge/core_calls/overload_gate.h"

#include <chrono>

#include "absl/strings/str_format.h"
#include "common/log.h"

namespace sockrpc {
namespace {

// At most one log line per interval, however many messages are shed.
constexpr auto kLogInterval = std::chrono::seconds(1);

}  // namespace

OverloadGate::OverloadGate(OverloadEstimator::Options options, Counter& shed,
                           Gauge& expected_wait_us)
    : estimator_(options), shed_(shed), expected_wait_us_(expected_wait_us) {}

void OverloadGate::OnSent(uint64_t count) {
  std::lock_guard lock(mu_);
  estimator_.OnSent(Clock::now(), count);
  UpdateLaggingLocked();
}

void OverloadGate::OnAnswered(uint64_t count) {
  std::lock_guard lock(mu_);
  estimator_.OnAnswered(Clock::now(), count);
  UpdateLaggingLocked();
}

void OverloadGate::OnForgotten(uint64_t count) {
  if (count == 0) return;
  std::lock_guard lock(mu_);
  estimator_.OnForgotten(count);
  UpdateLaggingLocked();
}

bool OverloadGate::Shed(uint64_t messages) {
  const Clock::time_point now = Clock::now();
  std::lock_guard lock(mu_);
  const bool shed = estimator_.ShouldShed(now);
  UpdateLaggingLocked();
  const double wait_ms =
      std::chrono::duration<double, std::milli>(estimator_.ExpectedWait()).count();
  expected_wait_us_.Set(static_cast<int64_t>(wait_ms * 1000));
  if (!shed) return false;
  shed_.Increment(messages);
  unlogged_ += messages;
  if (now - last_log_ >= kLogInterval) {
    LogWarning(absl::StrFormat("SQUARES overloaded: shed %d messages; expected wait %.0fms, "
                               "%d requests at the core, %.0f answers/s",
                               unlogged_, wait_ms, estimator_.in_flight(),
                               estimator_.throughput()),
               {LogField("event", "squares_shed"), LogField("shed", unlogged_),
                LogField("expected_wait_ms", wait_ms),
                LogField("in_flight", estimator_.in_flight()),
                LogField("answers_per_second", estimator_.throughput())});
    last_log_ = now;
    unlogged_ = 0;
  }
  return true;
}

}  // namespace sockrpc
