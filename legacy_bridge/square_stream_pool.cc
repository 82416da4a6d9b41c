#include "legacy_bridge/square_stream_pool.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "legacy_bridge/grpc_status.h"

namespace sockrpc {

// ---- CoreStream -------------------------------------------------------------

void CoreStream::Send(std::span<const CoreRequest> requests) {
  if (requests.empty() || ended_.load()) return;  // on_done has run or is on its way
  const std::shared_ptr<CoreStream> self = shared_from_this();
  // While answers are due, later requests follow them on the same call.
  if (bound_ != nullptr && bound_->TrySend(self, requests, /*only_if_awaiting=*/true)) return;
  // A call can end between Pick and TrySend; the next Pick replaces it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    bound_ = pool_.Pick(slot_);
    if (bound_->TrySend(self, requests, /*only_if_awaiting=*/false)) return;
  }
  bound_.reset();
  if (!ended_.exchange(true)) {
    callbacks_.on_done(absl::UnavailableError("no stream to the core could be started"));
  }
}

void CoreStream::Detach() {
  ended_.store(true);
  bound_.reset();
}

void CoreStream::Abandon() {
  ended_.store(true);
  if (bound_ != nullptr && bound_->Awaits(id_)) bound_->Cancel();
  bound_.reset();
}

// ---- SharedSquareStream -----------------------------------------------------

std::shared_ptr<SharedSquareStream> SharedSquareStream::Start(
    sockrpc::square::v1::SquareService::Stub& stub) {
  std::shared_ptr<SharedSquareStream> call(new SharedSquareStream());
  call->self_ = call;
  // Wait for a ready replica rather than fail at once while none is: the
  // sessions' own deadline bounds the wait (and turns it into ERROR lines).
  call->context_.set_wait_for_ready(true);
  stub.async()->SquareBatchStream(&call->context_, call.get());
  // Writes start from outside the reactions; the hold keeps the call from
  // completing (and gRPC from freeing it) until no more can start.
  call->AddHold();
  call->StartRead(&call->response_);
  call->StartCall();
  return call;
}

bool SharedSquareStream::TrySend(const std::shared_ptr<CoreStream>& stream,
                                 std::span<const CoreRequest> requests, bool only_if_awaiting) {
  std::lock_guard lock(mu_);
  if (done_ || close_requested_) return false;
  if (only_if_awaiting ? !routes_.Awaits(stream->id_) : retired_) return false;
  for (const CoreRequest& request : requests) {
    batches_.Add(routes_.Add(stream->id_, request.sequence), request.decimal);
  }
  awaiting_.try_emplace(stream->id_, stream);
  if (!batches_.in_flight()) WriteNextLocked();
  return true;
}

bool SharedSquareStream::accepting() {
  std::lock_guard lock(mu_);
  return !done_ && !close_requested_ && !retired_;
}

void SharedSquareStream::Retire() {
  std::lock_guard lock(mu_);
  retired_ = true;
  if (routes_.empty()) RequestCloseLocked();
}

void SharedSquareStream::Cancel() {
  {
    std::lock_guard lock(mu_);
    retired_ = true;
  }
  context_.TryCancel();
}

bool SharedSquareStream::Awaits(uint64_t stream_id) {
  std::lock_guard lock(mu_);
  return routes_.Awaits(stream_id);
}

void SharedSquareStream::WriteNextLocked() {
  // With more batches queued behind this one, gRPC may hold it in the
  // connection's write buffer (it completes at once while that holds under
  // 64 KiB) and send it together with the next ones: fewer, larger writes
  // for the core to read when many sessions are busy. The last one queued
  // goes without the hint, which sends everything buffered, so no request
  // waits for a later one.
  grpc::WriteOptions options;
  if (batches_.behind_front() > 0) options.set_buffer_hint();
  StartWrite(&batches_.StartSending(), options);
}

void SharedSquareStream::RequestCloseLocked() {
  close_requested_ = true;
  if (!batches_.in_flight() && !closed_ && !done_) {
    closed_ = true;
    StartWritesDone();
  }
}

void SharedSquareStream::OnWriteDone(bool ok) {
  std::lock_guard lock(mu_);
  batches_.SendingDone();
  if (!ok || done_) {
    batches_.Clear();  // the call is broken; OnDone reports why
    return;
  }
  if (batches_.has_unsent()) {
    WriteNextLocked();
  } else if (close_requested_ && !closed_) {
    closed_ = true;
    StartWritesDone();
  }
}

void SharedSquareStream::OnReadDone(bool ok) {
  if (!ok) {
    // The stream ended: no write may start any more, so the hold can go; the
    // call then completes and OnDone tells whoever still waits.
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    RemoveHold();
    return;
  }
  struct Delivery {
    std::shared_ptr<CoreStream> target;
    uint64_t sequence;
    std::string* square;
  };
  std::vector<Delivery> deliveries;
  deliveries.reserve(static_cast<size_t>(response_.responses_size()));
  bool broken = false;
  {
    std::lock_guard lock(mu_);
    for (auto& answer : *response_.mutable_responses()) {
      absl::StatusOr<StreamRoutes::Route> route = routes_.Answer(answer.sequence());
      if (!route.ok()) {
        LogError(absl::StrCat("SquareBatchStream to the core: ", route.status().message()));
        broken = true;
        break;
      }
      auto it = awaiting_.find(route->session);
      if (it != awaiting_.end()) {
        deliveries.push_back({it->second, route->sequence, answer.mutable_square()});
        if (!routes_.Awaits(route->session)) awaiting_.erase(it);
      }
    }
    if (retired_ && routes_.empty()) RequestCloseLocked();
  }
  // Answers cannot be matched any more: end the call; its sessions ask again.
  if (broken) context_.TryCancel();
  for (Delivery& delivery : deliveries) {
    if (!delivery.target->ended_.load()) {
      delivery.target->callbacks_.on_answer(delivery.sequence, std::move(*delivery.square));
    }
  }
  StartRead(&response_);
}

void SharedSquareStream::OnDone(const grpc::Status& status) {
  std::vector<std::pair<std::shared_ptr<CoreStream>, absl::Status>> to_tell;
  {
    std::lock_guard lock(mu_);
    done_ = true;
    batches_.Clear();
    for (auto& [session, verdict] : routes_.End(FromGrpcStatus(status))) {
      auto it = awaiting_.find(session);
      if (it != awaiting_.end()) to_tell.emplace_back(std::move(it->second), std::move(verdict));
    }
    awaiting_.clear();
  }
  for (auto& [stream, verdict] : to_tell) {
    if (!stream->ended_.exchange(true)) stream->callbacks_.on_done(verdict);
  }
  // Last: this may destroy the call.
  std::shared_ptr<SharedSquareStream> self = std::move(self_);
}

// ---- SquareStreamPool -------------------------------------------------------

SquareStreamPool::SquareStreamPool(sockrpc::square::v1::SquareService::Stub& stub, Options options)
    : stub_(stub), options_(options) {
  const size_t slots = options_.streams > 0 ? options_.streams : 1;
  for (size_t i = 0; i < slots; ++i) slots_.push_back(std::make_unique<Slot>());
}

SquareStreamPool::~SquareStreamPool() { RetireAll(); }

std::shared_ptr<CoreStream> SquareStreamPool::Open(CoreStream::Callbacks callbacks) {
  const uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  return std::make_shared<CoreStream>(*this, id % slots_.size(), id, std::move(callbacks));
}

std::shared_ptr<SharedSquareStream> SquareStreamPool::Pick(size_t slot) {
  Slot& s = *slots_[slot];
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(s.mu);
  if (s.call != nullptr && s.call->accepting() && now - s.started < options_.max_age) {
    return s.call;
  }
  if (s.call != nullptr) s.call->Retire();
  s.call = SharedSquareStream::Start(stub_);
  s.started = now;
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
