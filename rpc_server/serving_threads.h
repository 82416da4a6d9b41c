// The threads that serve every call: --threads of them, all looping on
// Next() of one server completion queue and handing each completion to its
// CompletionTag. gRPC polls the network from inside Next(), so these threads
// also read and write the connections.
//
// One queue shared by all the threads, not one per thread: with gRPC 1.51's
// epoll1 engine any waiting thread may be the one that reads a connection,
// and a completion it produces on another thread's queue has to wake that
// thread up; on a shared queue the thread that read the bytes handles what
// they complete. On the 2-CPU benchmark machine, one queue per thread made
// SquareStream with 64 messages in flight 10 to 20% slower (a benchmark
// target) and the other one-channel loads no faster beyond the noise. The
// price: a call's events may run on different threads, so a call that can
// have several operations completing at once (a stream's read and write)
// locks its state.
#ifndef SOCKRPC_RPC_SERVER_SERVING_THREADS_H_
#define SOCKRPC_RPC_SERVER_SERVING_THREADS_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include "rpc_server/completion_tag.h"

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

  // Adds the completion queue to `builder` (before BuildAndStart); `count`
  // (>= 1) threads will serve it.
  ServingThreads(grpc::ServerBuilder& builder, size_t count);
  ~ServingThreads();
  ServingThreads(const ServingThreads&) = delete;
  ServingThreads& operator=(const ServingThreads&) = delete;

  size_t size() const { return count_; }
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

  void Serve();
  void ShutDownQueueWhenIdle();

  const size_t count_;
  std::unique_ptr<grpc::ServerCompletionQueue> queue_;
  std::atomic<size_t> live_calls_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> queue_shut_down_{false};
  StopTag stop_tag_{*this};
  std::vector<std::thread> threads_;
  bool joined_ = false;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SERVING_THREADS_H_
