#include "legacy_bridge/core_calls/square_stream_pool.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace sockrpc {

namespace {

SquareStreamPool::Options Checked(SquareStreamPool::Options options) {
  options.streams = std::max<size_t>(options.streams, 1);
  options.in_use = std::clamp<size_t>(options.in_use, 1, options.streams);
  options.rotation = std::max(options.rotation, std::chrono::steady_clock::duration(1));
  return options;
}

}  // namespace

SquareStreamPool::SquareStreamPool(sockrpc::square::v1::SquareService::Stub& stub,
                                   grpc::CompletionQueue& queue, Options options)
    : stub_(stub), queue_(queue), options_(Checked(options)) {
  for (size_t i = 0; i < options_.streams; ++i) slots_.push_back(std::make_unique<Slot>());
}

size_t SquareStreamPool::SlotFor(uint64_t session_id, std::chrono::steady_clock::time_point now,
                                 const Options& options) {
  const Options checked = Checked(options);
  const auto turn = static_cast<uint64_t>(now.time_since_epoch() / checked.rotation);
  return static_cast<size_t>((turn * checked.in_use + session_id % checked.in_use) %
                             checked.streams);
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
  return std::make_shared<CoreStream>(
      session_id,
      [this, session_id] {
        const auto now = std::chrono::steady_clock::now();
        return Pick(SlotFor(session_id, now, options_), now);
      },
      std::move(callbacks));
}

std::shared_ptr<SharedSquareStream> SquareStreamPool::Pick(
    size_t slot, std::chrono::steady_clock::time_point now) {
  Slot& s = *slots_[slot];
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
