#include "rpc_server/serving_threads.h"

#include <grpc/support/time.h>

#include "common/usable_cpus.h"

namespace sockrpc {

ServingThreads::LiveCall::LiveCall(ServingThreads& threads) : threads_(threads) {
  threads_.live_calls_.fetch_add(1);
}

ServingThreads::LiveCall::~LiveCall() { threads_.live_calls_.fetch_sub(1); }

void ServingThreads::StopTag::Complete(bool /*ok*/) { threads_.stopping_.store(true); }

ServingThreads::ServingThreads(grpc::ServerBuilder& builder, size_t count)
    : count_(count), queue_(builder.AddCompletionQueue()) {}

ServingThreads::~ServingThreads() { ShutdownAndJoin(); }

void ServingThreads::Start() {
  threads_.reserve(count_);
  for (size_t i = 0; i < count_; ++i) {
    std::thread& thread = threads_.emplace_back([this] { Serve(); });
    NameThread(thread, "rpc_serve_", i);  // set before Start returns
  }
}

void ServingThreads::Serve() {
  void* tag = nullptr;
  bool ok = false;
  while (queue_->Next(&tag, &ok)) {
    TakeOver(tag)->Complete(ok);
    ShutDownQueueWhenIdle();
  }
}

void ServingThreads::ShutDownQueueWhenIdle() {
  // A call object only starts operations while it is alive and creates new
  // ones only from its own handlers, so once none is left none will come.
  if (stopping_.load() && live_calls_.load() == 0 && !queue_shut_down_.exchange(true)) {
    queue_->Shutdown();  // every thread's Next() returns false once drained
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
