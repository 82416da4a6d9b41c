#include "legacy_bridge/core_calls/completion_thread.h"

#include "common/completion_tag.h"
#include "common/usable_cpus.h"

namespace sockrpc {

CompletionThread::CompletionThread(BusyPoll::Clock::duration busy_poll)
    : busy_poll_(busy_poll), thread_([this] { Run(); }) {
  NameThread(thread_, "core_calls_", 0);
}

CompletionThread::~CompletionThread() {
  queue_.Shutdown();
  thread_.join();
}

void CompletionThread::Run() {
  void* tag = nullptr;
  bool ok = false;
  BusyPoll poll(busy_poll_);
  for (;;) {
    if (poll.KeepPolling(BusyPoll::Clock::now())) {
      switch (queue_.AsyncNext(&tag, &ok, gpr_inf_past(GPR_CLOCK_MONOTONIC))) {
        case grpc::CompletionQueue::GOT_EVENT:
          break;
        case grpc::CompletionQueue::TIMEOUT:
          std::this_thread::yield();
          continue;
        case grpc::CompletionQueue::SHUTDOWN:
          return;
      }
    } else if (queue_.Next(&tag, &ok)) {
      poll.OnWokenUp(BusyPoll::Clock::now());
    } else {
      return;
    }
    TakeOver(tag)->Complete(ok);
    poll.OnEvent(BusyPoll::Clock::now());
  }
}

}  // namespace sockrpc
