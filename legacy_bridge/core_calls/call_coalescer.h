// Coalesces concurrent identical calls: while one call is in flight, callers
// that arrive wait for the next one, which then answers all of them at once.
// Pure: no I/O, no threads (the caller locks).
//
// A waiter is only ever answered by a call started after it joined: TIME
// clients connecting together share one time request, yet none gets a time
// taken before it connected.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CALL_COALESCER_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CALL_COALESCER_H_

#include <utility>
#include <vector>

namespace sockrpc {

template <typename Waiter>
class CallCoalescer {
 public:
  // Adds a waiter. True when the caller must start a call now; otherwise the
  // waiter rides on the call that starts when the one in flight returns.
  bool Join(Waiter waiter) {
    if (in_flight_) {
      next_.push_back(std::move(waiter));
      return false;
    }
    in_flight_ = true;
    current_.push_back(std::move(waiter));
    return true;
  }

  struct Completion {
    std::vector<Waiter> answered;  // the waiters the returned call answers
    bool start_another = false;    // waiters came meanwhile: start their call
  };

  // The call in flight returned.
  Completion Complete() {
    Completion completion{std::exchange(current_, {}), !next_.empty()};
    if (completion.start_another) {
      current_ = std::exchange(next_, {});
    } else {
      in_flight_ = false;
    }
    return completion;
  }

  bool in_flight() const { return in_flight_; }

 private:
  bool in_flight_ = false;
  std::vector<Waiter> current_;  // answered by the call in flight
  std::vector<Waiter> next_;     // joined after it started
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CALL_COALESCER_H_
