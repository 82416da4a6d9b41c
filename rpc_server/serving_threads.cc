#include "rpc_server/serving_threads.h"

#include <pthread.h>

#include <grpc/support/time.h>

#include "common/usable_cpus.h"

namespace sockrpc {

ServingThreads::LiveCall::LiveCall(ServingThreads& threads) : threads_(threads) {
  threads_.live_calls_.fetch_add(1);
}

ServingThreads::LiveCall::~LiveCall() { threads_.live_calls_.fetch_sub(1); }

void ServingThreads::StopTag::Complete(bool /*ok*/) { threads_.stopping_.store(true); }

namespace {

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// How long an active helper waits on the queue before it looks at the load
// again (and rebalances: on an idle server it parks within this).
constexpr std::chrono::milliseconds kHelperPoll{100};

}  // namespace

ServingThreads::ServingThreads(grpc::ServerBuilder& builder, size_t count,
                               ActiveThreadsPolicy::Options policy,
                               BusyPoll::Clock::duration busy_poll)
    : count_(count),
      busy_poll_(busy_poll),
      queue_(builder.AddCompletionQueue()),
      policy_(count, policy) {}

ServingThreads::~ServingThreads() { ShutdownAndJoin(); }

void ServingThreads::Start() {
  threads_.reserve(count_);
  std::lock_guard lock(policy_mu_);  // the threads wait for cpu_clocks_
  for (size_t i = 0; i < count_; ++i) {
    std::thread& thread = threads_.emplace_back([this, i] { i == 0 ? Serve() : Help(i); });
    NameThread(thread, "rpc_serve_", i);  // set before Start returns
    clockid_t clock{};
    if (pthread_getcpuclockid(thread.native_handle(), &clock) == 0) cpu_clocks_.push_back(clock);
  }
  window_cpu_ = ThreadsCpuTime();
  window_start_ns_.store(SteadyNanos());
}

void ServingThreads::Serve() {
  void* tag = nullptr;
  bool ok = false;
  BusyPoll poll(busy_poll_);
  for (;;) {
    const BusyPoll::Clock::time_point before = BusyPoll::Clock::now();
    if (poll.KeepPolling(before)) {
      const grpc::CompletionQueue::NextStatus status =
          queue_->AsyncNext(&tag, &ok, gpr_inf_past(GPR_CLOCK_MONOTONIC));
      if (status == grpc::CompletionQueue::SHUTDOWN) return;
      if (status == grpc::CompletionQueue::TIMEOUT) {
        std::this_thread::yield();
        idle_polling_ns_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       BusyPoll::Clock::now() - before)
                                       .count(),
                                   std::memory_order_relaxed);
        continue;
      }
    } else if (queue_->Next(&tag, &ok)) {
      poll.OnWokenUp(BusyPoll::Clock::now());
    } else {
      return;
    }
    Complete(tag, ok);
    poll.OnEvent(BusyPoll::Clock::now());
    if (count_ > 1) Rebalance();
  }
}

void ServingThreads::Help(size_t index) {
  void* tag = nullptr;
  bool ok = false;
  for (;;) {
    {
      std::unique_lock lock(policy_mu_);
      policy_changed_.wait(lock, [&] { return helpers_released_ || policy_.active() > index; });
      if (helpers_released_) return;
    }
    const auto deadline = std::chrono::system_clock::now() + kHelperPoll;
    switch (queue_->AsyncNext(&tag, &ok, deadline)) {
      case grpc::CompletionQueue::SHUTDOWN:
        return;
      case grpc::CompletionQueue::GOT_EVENT:
        Complete(tag, ok);
        break;
      case grpc::CompletionQueue::TIMEOUT:
        break;
    }
    Rebalance();
  }
}

void ServingThreads::Complete(void* tag, bool ok) {
  completions_.fetch_add(1, std::memory_order_relaxed);
  TakeOver(tag)->Complete(ok);
  ShutDownQueueWhenIdle();
}

void ServingThreads::Rebalance() {
  const int64_t now = SteadyNanos();
  const int64_t started = window_start_ns_.load(std::memory_order_relaxed);
  if (now - started < std::chrono::nanoseconds(kWindow).count()) return;
  std::unique_lock lock(policy_mu_, std::try_to_lock);
  if (!lock.owns_lock() || window_start_ns_.load() != started) return;  // another thread is at it
  const std::chrono::nanoseconds cpu =
      ThreadsCpuTime() - std::chrono::nanoseconds(idle_polling_ns_.load(std::memory_order_relaxed));
  const uint64_t completions = completions_.load(std::memory_order_relaxed);
  const size_t before = policy_.active();
  const size_t after = policy_.Update(cpu - window_cpu_, std::chrono::nanoseconds(now - started),
                                      completions - window_completions_);
  window_cpu_ = cpu;
  window_completions_ = completions;
  window_start_ns_.store(now);
  if (after > before) policy_changed_.notify_all();
}

size_t ServingThreads::active() {
  std::lock_guard lock(policy_mu_);
  return policy_.active();
}

std::chrono::nanoseconds ServingThreads::ThreadsCpuTime() const {
  std::chrono::nanoseconds total{0};
  for (const clockid_t clock : cpu_clocks_) {
    timespec used{};
    if (clock_gettime(clock, &used) == 0) {
      total += std::chrono::seconds(used.tv_sec) + std::chrono::nanoseconds(used.tv_nsec);
    }
  }
  return total;
}

void ServingThreads::ShutDownQueueWhenIdle() {
  // A call object only starts operations while it is alive and creates new
  // ones only from its own handlers, so once none is left none will come.
  if (stopping_.load() && live_calls_.load() == 0 && !queue_shut_down_.exchange(true)) {
    queue_->Shutdown();  // every thread's Next() returns false once drained
    std::lock_guard lock(policy_mu_);
    helpers_released_ = true;  // the parked ones leave too
    policy_changed_.notify_all();
  }
}

void ServingThreads::ShutdownAndJoin() {
  if (joined_) return;
  joined_ = true;
  if (threads_.empty()) {
    // Never started: whatever was requested comes back not ok, here.
    queue_shut_down_.store(true);
    queue_->Shutdown();
    Serve();
    return;
  }
  stop_tag_.alarm.Set(queue_.get(), gpr_time_0(GPR_CLOCK_MONOTONIC), HandOff(&stop_tag_));
  for (std::thread& thread : threads_) thread.join();
}

}  // namespace sockrpc
