#include "legacy_bridge/core_calls/square_stream_pool.h"

#include <utility>
#include <vector>

namespace sockrpc {

SquareStreamPool::SquareStreamPool(sockrpc::square::v1::SquareService::Stub& stub,
                                   grpc::CompletionQueue& queue, Options options)
    : stub_(stub), queue_(queue), options_(options) {
  const size_t slots = options_.streams > 0 ? options_.streams : 1;
  for (size_t i = 0; i < slots; ++i) slots_.push_back(std::make_unique<Slot>());
}

SquareStreamPool::~SquareStreamPool() {
  RetireAll();
  std::lock_guard lock(started_mu_);
  for (const std::weak_ptr<SharedSquareStream>& started : started_) {
    if (std::shared_ptr<SharedSquareStream> call = started.lock()) call->Cancel();
  }
}

std::shared_ptr<CoreStream> SquareStreamPool::Open(CoreStream::Callbacks callbacks) {
  const uint64_t session_id = next_session_id_.fetch_add(1, std::memory_order_relaxed);
  const size_t slot = session_id % slots_.size();
  return std::make_shared<CoreStream>(session_id, [this, slot] { return Pick(slot); },
                                      std::move(callbacks));
}

std::shared_ptr<SharedSquareStream> SquareStreamPool::Pick(size_t slot) {
  Slot& s = *slots_[slot];
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(s.mu);
  if (s.call != nullptr && s.call->accepting() && now - s.started < options_.max_age) {
    return s.call;
  }
  if (s.call != nullptr) s.call->Retire();
  s.call = SharedSquareStream::Start(stub_, queue_, options_.overload);
  s.started = now;
  {
    std::lock_guard started_lock(started_mu_);
    // Forget the calls that are gone, so the list stays as short as the
    // calls alive.
    std::erase_if(started_, [](const std::weak_ptr<SharedSquareStream>& started) {
      return started.expired();
    });
    started_.push_back(s.call);
  }
  return s.call;
}

void SquareStreamPool::RetireAll() {
  for (auto& slot : slots_) {
    std::lock_guard lock(slot->mu);
    if (slot->call != nullptr) slot->call->Retire();
    slot->call.reset();
  }
}

}  // namespace sockrpc
