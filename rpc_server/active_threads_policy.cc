#include "rpc_server/active_threads_policy.h"

#include <algorithm>
#include <numeric>

namespace sockrpc {
namespace {

double Mean(const std::deque<double>& values) {
  return values.empty() ? 0 : std::accumulate(values.begin(), values.end(), 0.0) /
                                  static_cast<double>(values.size());
}

}  // namespace

ActiveThreadsPolicy::ActiveThreadsPolicy(size_t threads, Options options)
    : threads_(std::max<size_t>(threads, 1)),
      options_([&options] {
        options.saturated_windows = std::max<size_t>(options.saturated_windows, 1);
        options.trial_windows = std::max<size_t>(options.trial_windows, 1);
        return options;
      }()),
      rate_without_(threads_ + 1, 0.0) {}

size_t ActiveThreadsPolicy::Update(std::chrono::nanoseconds cpu, std::chrono::nanoseconds wall,
                                   uint64_t completions) {
  if (wall.count() <= 0) return active_;
  const double seconds = static_cast<double>(wall.count()) * 1e-9;
  // In CPUs: 1.0 is one thread busy all the window.
  const double used = static_cast<double>(cpu.count()) * 1e-9 / seconds;
  const double rate = static_cast<double>(completions) / seconds;
  if (windows_to_next_trial_ > 0) --windows_to_next_trial_;

  if (in_trial_) {
    trial_rates_.push_back(rate);
    if (trial_rates_.size() < options_.trial_windows) return active_;
    in_trial_ = false;
    const bool passed = Mean(trial_rates_) >= rate_before_trial_ * (1 + options_.must_gain);
    trial_rates_.clear();
    if (passed) {
      rate_without_[active_] = rate_before_trial_;
      recent_rates_.clear();  // the next trial counts saturated windows at the new count
    } else {
      Drop();
      windows_to_next_trial_ = options_.windows_between_trials;
    }
    return active_;
  }

  const auto active = static_cast<double>(active_);
  if (active_ > 1 && used < options_.drop_below * (active - 1)) {
    Drop();
    return active_;
  }
  if (StoppedPaying(rate)) {
    Drop();
    windows_to_next_trial_ = options_.windows_between_trials;
    return active_;
  }
  // A trial is measured against the rate of the threads while they were
  // saturated: a window below that (before the load came, between bursts)
  // would lower the bar the trial has to pass.
  if (used <= options_.add_above * active) {
    recent_rates_.clear();
    return active_;
  }
  recent_rates_.push_back(rate);
  if (recent_rates_.size() > options_.saturated_windows) recent_rates_.pop_front();
  if (active_ < threads_ && windows_to_next_trial_ == 0 &&
      recent_rates_.size() == options_.saturated_windows) {
    ++active_;
    in_trial_ = true;
    rate_before_trial_ = Mean(recent_rates_);
    trial_rates_.clear();
    rates_at_count_.clear();
  }
  return active_;
}

bool ActiveThreadsPolicy::StoppedPaying(double rate) {
  const double rate_without = rate_without_[active_];
  if (active_ == 1 || rate_without <= 0) return false;
  rates_at_count_.push_back(rate);
  if (rates_at_count_.size() > options_.trial_windows) rates_at_count_.pop_front();
  // Without the trial's margin, so that a count just past it does not flip
  // back and forth; a negative margin (every trial passes) lowers it too.
  return rates_at_count_.size() == options_.trial_windows &&
         Mean(rates_at_count_) < rate_without * (1 + std::min(options_.must_gain, 0.0));
}

void ActiveThreadsPolicy::Drop() {
  rate_without_[active_] = 0;
  --active_;
  recent_rates_.clear();
  rates_at_count_.clear();
}

}  // namespace sockrpc
