// Whether the core keeps up with the SQUARES requests, and so whether a new
// message is worth sending or should be shed at once. Pure: no I/O, no clock
// (the caller passes the time), no threads (the caller locks).
//
// Queue-time shedding by Little's law: a request sent now waits behind the
// `in_flight` requests already sent and not answered, which the core answers
// at `throughput` per second, so it waits about in_flight / throughput. When
// that expected wait exceeds `max_wait` (a fraction of --deadline), the
// message would most likely end in "did not answer in time" after the whole
// deadline, and the requests behind it too: answering it "overloaded" at once
// keeps the latency of the messages that are sent below the deadline. Compare
// Envoy's adaptive concurrency filter, which limits the requests in flight to
// what the measured latency allows; here the limit follows from the measured
// throughput and the deadline.
//
// The throughput is an EWMA over busy windows: windows in which answers came
// and requests were waiting all along, so that the rate is what the core can
// do rather than what the clients asked for (light load says nothing about
// capacity, and a burst after a lull must not look like a slow core). A
// window without answers leaves it unchanged: a core that stopped answering (a dead
// link, a killed replica) is the deadline's business, not shedding's, so its
// sessions get the usual ERROR after --deadline rather than "overloaded".
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_OVERLOAD_ESTIMATOR_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_OVERLOAD_ESTIMATOR_H_

#include <chrono>
#include <cstdint>

namespace sockrpc {

class OverloadEstimator {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    // Shed once the expected wait exceeds this; zero turns shedding off.
    Clock::duration max_wait = std::chrono::milliseconds(1000);
    // How long throughput is counted before it is averaged in.
    Clock::duration window = std::chrono::milliseconds(100);
    // The weight of the newest window in the average.
    double weight = 0.3;
  };

  explicit OverloadEstimator(Options options) : options_(options) {}

  // `count` requests went to the core.
  void OnSent(Clock::time_point now, uint64_t count);
  // `count` requests were answered.
  void OnAnswered(Clock::time_point now, uint64_t count = 1);
  // `count` requests will get no answer (failed, timed out, their session closed).
  void OnForgotten(uint64_t count);
  // Whether a new message should be shed rather than sent.
  bool ShouldShed(Clock::time_point now);
  // Whether the expected wait is past half of `max_wait`, where a request
  // that waits for more than its own turn (held back to join a larger batch)
  // may wait past the deadline; false while shedding is off.
  bool NearShedding() const;

  uint64_t in_flight() const { return in_flight_; }
  // Answers per second, averaged; zero until a window with answers has ended.
  double throughput() const { return throughput_; }
  // How long a request sent now would wait; zero while the throughput is unknown.
  Clock::duration ExpectedWait() const;

 private:
  void Roll(Clock::time_point now);

  const Options options_;
  uint64_t in_flight_ = 0;
  double throughput_ = 0;
  Clock::time_point window_start_{};
  uint64_t window_answers_ = 0;
  bool window_idle_ = true;  // nothing awaited an answer at some point of the window
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_OVERLOAD_ESTIMATOR_H_
