// How many of the serving threads wait on the completion queue, from how busy
// they have been and how much they got done. Pure: the caller measures and
// applies.
//
// Why not all of them always: every extra waiting thread costs each event a
// hand-off, which only heavy loads earn back (docs/architecture.md, "Why the
// async API", with the measurements).
//
// So one thread serves until it is nearly saturated; then one more joins for
// a trial, and stays only if the work done per second rose by a margin over
// that of the windows just before, all of them saturated; otherwise it
// leaves and the next trial waits a while. A thread that joined leaves again
// once its count gets less done than the count before it did (a trial can
// pass on a burst, and the scheduler can later place the threads badly
// beside other busy processes), and the next trial waits a while. Threads
// also leave once the others could take the load comfortably.
#ifndef SOCKRPC_RPC_SERVER_ACTIVE_THREADS_POLICY_H_
#define SOCKRPC_RPC_SERVER_ACTIVE_THREADS_POLICY_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace sockrpc {

class ActiveThreadsPolicy {
 public:
  struct Options {
    // A trial of one more thread once the active ones used more than this
    // share of their CPUs...
    double add_above = 0.8;
    // ...over this many windows in a row...
    size_t saturated_windows = 2;
    // ...which it passes when the completions per second of its windows beat
    // those saturated windows by this share...
    double must_gain = 0.1;
    // ...over this many windows.
    size_t trial_windows = 5;
    // After a failed trial, or a thread that stopped paying, windows before
    // the next trial.
    size_t windows_between_trials = 50;
    // One thread fewer once the others could take the load at under this
    // share of their CPUs.
    double drop_below = 0.6;
  };

  // `threads` (>= 1) may serve; one is always active.
  ActiveThreadsPolicy(size_t threads, Options options);

  // In the window just ended, the serving threads used `cpu` (summed over
  // them) in `wall` and completed `completions` events: returns how many
  // threads should be active from now on.
  size_t Update(std::chrono::nanoseconds cpu, std::chrono::nanoseconds wall, uint64_t completions);

  size_t active() const { return active_; }

 private:
  // Records this window's `rate`; whether the last `trial_windows` windows
  // at this count got less done than the count before it did when this
  // count's thread joined.
  bool StoppedPaying(double rate);
  void Drop();

  const size_t threads_;
  const Options options_;
  size_t active_ = 1;
  // Completions/s of the last windows at this count, all saturated.
  std::deque<double> recent_rates_;
  double rate_before_trial_ = 0;
  // [n]: completions/s of n - 1 threads, saturated, when the n-th joined; 0
  // while n are not active.
  std::vector<double> rate_without_;
  std::deque<double> rates_at_count_;  // the last windows since the count last changed
  std::deque<double> trial_rates_;
  bool in_trial_ = false;
  size_t windows_to_next_trial_ = 0;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_ACTIVE_THREADS_POLICY_H_
