// The threads that serve every call: --threads of them, looping on Next() of
// one server completion queue and handing each completion to its
// CompletionTag. gRPC polls the network from inside Next(), so these threads
// also read and write the connections.
//
// Not all of them wait on the queue all the time: the first always does; the
// others join while those serving are nearly saturated and more gets done
// with them, and park again otherwise (active_threads_policy.h says why: each
// extra waiting thread costs every event a hand-off). After each event the
// first thread polls the queue briefly before it sleeps (common/busy_poll.h);
// the policy does not count that polling as work.
//
// One queue shared by all the threads, not one per thread
// (docs/architecture.md, "Why the async API"): a call's events may run on
// different threads, so a call that can have several operations completing
// at once (a stream's read and write) locks its state.
#ifndef SOCKRPC_RPC_SERVER_SERVING_THREADS_H_
#define SOCKRPC_RPC_SERVER_SERVING_THREADS_H_

#include <time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include "common/busy_poll.h"
#include "common/completion_tag.h"
#include "rpc_server/active_threads_policy.h"

namespace sockrpc {

class ServingThreads {
 public:
  // Every call object holds one: the queue is shut down only once no call
  // object is left, because a call may still start an operation (a Finish)
  // after the server has stopped, and gRPC aborts on an operation started on
  // a queue that is shut down.
  class LiveCall {
   public:
    explicit LiveCall(ServingThreads& threads);
    ~LiveCall();
    LiveCall(const LiveCall&) = delete;
    LiveCall& operator=(const LiveCall&) = delete;

   private:
    ServingThreads& threads_;
  };

  // Adds the completion queue to `builder` (before BuildAndStart); up to
  // `count` (>= 1) threads will serve it, as many at a time as `policy` says.
  // After each event the first thread polls the queue for up to
  // `busy_poll` before it sleeps, as long as its events' gaps need
  // (common/busy_poll.h); that time does not count as work for the policy.
  ServingThreads(grpc::ServerBuilder& builder, size_t count,
                 ActiveThreadsPolicy::Options policy = {},
                 BusyPoll::Clock::duration busy_poll = BusyPoll::Clock::duration::zero());
  ~ServingThreads();
  ServingThreads(const ServingThreads&) = delete;
  ServingThreads& operator=(const ServingThreads&) = delete;

  size_t size() const { return count_; }
  std::chrono::microseconds busy_poll() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(busy_poll_);
  }
  // How many threads wait on the queue now (1..size()).
  size_t active();
  // Where calls are requested (and their events delivered).
  grpc::ServerCompletionQueue* queue() const { return queue_.get(); }

  // Once the server is started and its first calls requested.
  void Start();

  // Once the server's Shutdown() has returned (gRPC requires the server to
  // stop before its queue): lets the threads finish the calls still there
  // (the server has failed or cancelled them, which they report on the
  // queue), then shuts the queue down, drains it and joins the threads.
  // Safe without Start() and more than once.
  void ShutdownAndJoin();

 private:
  // Delivered on the queue by an alarm once the server has stopped.
  class StopTag final : public CompletionTag {
   public:
    explicit StopTag(ServingThreads& threads) : threads_(threads) {}
    void Complete(bool ok) override;
    grpc::Alarm alarm;

   private:
    ServingThreads& threads_;
  };

  // The first thread: always on the queue.
  void Serve();
  // Thread `index` >= 1: on the queue only while active() > index.
  void Help(size_t index);
  void Complete(void* tag, bool ok);
  void ShutDownQueueWhenIdle();
  // Once a window has passed: measures the threads' CPU time and lets the
  // policy set how many are active.
  void Rebalance();
  std::chrono::nanoseconds ThreadsCpuTime() const;

  const size_t count_;
  const BusyPoll::Clock::duration busy_poll_;
  std::unique_ptr<grpc::ServerCompletionQueue> queue_;

  // Rebalancing. The window is short enough to add a thread within a few
  // milliseconds of a burst, and long enough to span many events.
  static constexpr std::chrono::milliseconds kWindow{20};
  std::mutex policy_mu_;  // guards everything below up to helpers_released_
  std::condition_variable policy_changed_;
  ActiveThreadsPolicy policy_;
  std::vector<clockid_t> cpu_clocks_;  // of every thread, once started
  std::chrono::nanoseconds window_cpu_{0};
  uint64_t window_completions_ = 0;
  bool helpers_released_ = false;  // the queue is shut down: helpers leave
  std::atomic<uint64_t> completions_{0};
  // CPU time the first thread spent polling an empty queue: not work.
  std::atomic<int64_t> idle_polling_ns_{0};
  std::atomic<int64_t> window_start_ns_{0};  // steady clock

  std::atomic<size_t> live_calls_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> queue_shut_down_{false};
  StopTag stop_tag_{*this};
  std::vector<std::thread> threads_;
  bool joined_ = false;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SERVING_THREADS_H_
