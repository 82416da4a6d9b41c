#include "legacy_bridge/core_calls/overload_estimator.h"

namespace sockrpc {

void OverloadEstimator::OnSent(Clock::time_point now, uint64_t count) {
  Roll(now);
  in_flight_ += count;
}

void OverloadEstimator::OnAnswered(Clock::time_point now, uint64_t count) {
  Roll(now);
  in_flight_ = count < in_flight_ ? in_flight_ - count : 0;
  window_answers_ += count;
  if (in_flight_ == 0) window_idle_ = true;
}

void OverloadEstimator::OnForgotten(uint64_t count) {
  in_flight_ = count < in_flight_ ? in_flight_ - count : 0;
  if (in_flight_ == 0) window_idle_ = true;
}

bool OverloadEstimator::ShouldShed(Clock::time_point now) {
  Roll(now);
  if (options_.max_wait <= Clock::duration::zero()) return false;
  return ExpectedWait() > options_.max_wait;
}

bool OverloadEstimator::NearShedding() const {
  if (options_.max_wait <= Clock::duration::zero()) return false;
  return 2 * ExpectedWait() > options_.max_wait;
}

OverloadEstimator::Clock::duration OverloadEstimator::ExpectedWait() const {
  if (throughput_ <= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(static_cast<double>(in_flight_) / throughput_));
}

void OverloadEstimator::Roll(Clock::time_point now) {
  if (window_start_ == Clock::time_point{}) window_start_ = now;
  const Clock::duration elapsed = now - window_start_;
  if (elapsed < options_.window) return;
  // A window much longer than asked for spanned a lull, not a busy core.
  if (window_answers_ > 0 && !window_idle_ && elapsed <= 10 * options_.window) {
    const double rate =
        static_cast<double>(window_answers_) / std::chrono::duration<double>(elapsed).count();
    throughput_ =
        throughput_ <= 0 ? rate : options_.weight * rate + (1 - options_.weight) * throughput_;
  }
  window_start_ = now;
  window_answers_ = 0;
  window_idle_ = in_flight_ == 0;
}

}  // namespace sockrpc
