// A fixed number of slots, each holding the shared call to the core that the
// requests given that slot use. A slot's call is replaced once it ended, or
// once it is older than `max_age`, so that the channel's round_robin spreads
// the calls again over replicas that joined or came back. Used by the TIME
// requests' NowStream calls and the SQUARES sessions' SquareBatchStream
// calls; `Call` has accepting(), Retire() and Cancel().
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_STREAM_SLOTS_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_STREAM_SLOTS_H_

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sockrpc {

template <typename Call>
class StreamSlots {
 public:
  using StartCall = std::function<std::shared_ptr<Call>()>;

  StreamSlots(size_t slots, std::chrono::steady_clock::duration max_age, StartCall start)
      : max_age_(max_age), start_(std::move(start)) {
    for (size_t i = 0; i < (slots > 0 ? slots : 1); ++i) slots_.push_back(std::make_unique<Slot>());
  }
  // Cancels every call still under way and waits (at most 5 s) until they
  // have ended: a call that ends starts one more operation (its Finish), which
  // the completion queue refuses once it is shutting down.
  ~StreamSlots() {
    RetireAll();
    std::lock_guard lock(started_mu_);
    for (const std::weak_ptr<Call>& started : started_) {
      if (std::shared_ptr<Call> call = started.lock()) call->Cancel();
    }
    for (int wait = 0; wait < 5000; ++wait) {
      if (std::all_of(started_.begin(), started_.end(),
                      [](const std::weak_ptr<Call>& started) { return started.expired(); })) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  StreamSlots(const StreamSlots&) = delete;
  StreamSlots& operator=(const StreamSlots&) = delete;

  size_t size() const { return slots_.size(); }

  // The slot's current call, replaced first if it ended or grew too old.
  std::shared_ptr<Call> Pick(size_t slot) {
    Slot& s = *slots_[slot % slots_.size()];
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(s.mu);
    if (s.call != nullptr && s.call->accepting() && now - s.started < max_age_) return s.call;
    if (s.call != nullptr) s.call->Retire();
    s.call = start_();
    s.started = now;
    std::lock_guard started_lock(started_mu_);
    // Forget the calls that are gone: the list stays as short as the calls alive.
    std::erase_if(started_, [](const std::weak_ptr<Call>& started) { return started.expired(); });
    started_.push_back(s.call);
    return s.call;
  }

  // Retires every call (each half-closes once answered); later Picks start new ones.
  void RetireAll() {
    for (auto& slot : slots_) {
      std::lock_guard lock(slot->mu);
      if (slot->call != nullptr) slot->call->Retire();
      slot->call.reset();
    }
  }

 private:
  struct Slot {
    std::mutex mu;
    std::shared_ptr<Call> call;
    std::chrono::steady_clock::time_point started;
  };

  const std::chrono::steady_clock::duration max_age_;
  const StartCall start_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex started_mu_;  // guards started_
  // Every call started, to cancel those still under way at the end.
  std::vector<std::weak_ptr<Call>> started_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_STREAM_SLOTS_H_
