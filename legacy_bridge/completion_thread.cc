#include "legacy_bridge/completion_thread.h"

#include "common/completion_tag.h"
#include "common/usable_cpus.h"

namespace sockrpc {

CompletionThread::CompletionThread() : thread_([this] { Run(); }) {
  NameThread(thread_, "core_calls_", 0);
}

CompletionThread::~CompletionThread() {
  queue_.Shutdown();
  thread_.join();
}

void CompletionThread::Run() {
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) TakeOver(tag)->Complete(ok);
}

}  // namespace sockrpc
