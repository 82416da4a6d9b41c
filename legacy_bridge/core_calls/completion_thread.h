// The one thread that takes the completions of the bridge's calls to the
// core, from a completion queue of its own.
//
// One thread, on the async API: docs/architecture.md, "Why the async API".
//
// After each completion the thread polls the queue for up to `busy_poll`
// before it sleeps, as long as the gaps between its completions need
// (common/busy_poll.h): the answer to a lockstep client's message arrives
// within that time, and is taken without a wake-up.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_COMPLETION_THREAD_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_COMPLETION_THREAD_H_

#include <thread>

#include <grpcpp/grpcpp.h>

#include "common/busy_poll.h"

namespace sockrpc {

class CompletionThread {
 public:
  // Starts the thread.
  explicit CompletionThread(BusyPoll::Clock::duration busy_poll);
  // Shuts the queue down and joins the thread, which returns once every
  // operation started on the queue has completed: the calls must have ended
  // or been cancelled first.
  ~CompletionThread();

  CompletionThread(const CompletionThread&) = delete;
  CompletionThread& operator=(const CompletionThread&) = delete;

  // Where the calls' operations complete; every tag is a CompletionTag
  // passed through HandOff (common/completion_tag.h).
  grpc::CompletionQueue& queue() { return queue_; }

 private:
  void Run();

  const BusyPoll::Clock::duration busy_poll_;
  grpc::CompletionQueue queue_;
  std::thread thread_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_COMPLETION_THREAD_H_
