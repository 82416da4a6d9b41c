#include "legacy_bridge/core_calls/square_stream_pool.h"

#include <algorithm>
#include <utility>

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
    : options_(Checked(options)),
      slots_(options_.streams, options_.max_age, [&stub, &queue, overload = options_.overload] {
        return SharedSquareStream::Start(stub, queue, overload);
      }) {}

size_t SquareStreamPool::SlotFor(uint64_t session_id, std::chrono::steady_clock::time_point now,
                                 const Options& options) {
  return SlotForChecked(session_id, now, Checked(options));
}

size_t SquareStreamPool::SlotForChecked(uint64_t session_id,
                                        std::chrono::steady_clock::time_point now,
                                        const Options& checked) {
  const auto turn = static_cast<uint64_t>(now.time_since_epoch() / checked.rotation);
  return static_cast<size_t>((turn * checked.in_use + session_id % checked.in_use) %
                             checked.streams);
}

std::shared_ptr<CoreStream> SquareStreamPool::Open(CoreStream::Callbacks callbacks) {
  const uint64_t session_id = next_session_id_.fetch_add(1, std::memory_order_relaxed);
  return std::make_shared<CoreStream>(
      session_id,
      [this, session_id] {
        return slots_.Pick(
            SlotForChecked(session_id, std::chrono::steady_clock::now(), options_));
      },
      std::move(callbacks));
}

}  // namespace sockrpc
