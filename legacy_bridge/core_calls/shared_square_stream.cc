#include "legacy_bridge/core_calls/shared_square_stream.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "legacy_bridge/core_calls/core_stream.h"

namespace sockrpc {

std::shared_ptr<SharedSquareStream> SharedSquareStream::Start(
    sockrpc::square::v1::SquareService::Stub& stub, grpc::CompletionQueue& queue,
    OverloadGate* overload) {
  std::shared_ptr<SharedSquareStream> call(new SharedSquareStream());
  call->overload_ = overload;
  // Wait for a ready replica rather than fail at once while none is: the
  // sessions' own deadline bounds the wait (and turns it into ERROR lines).
  call->context_.set_wait_for_ready(true);
  std::lock_guard lock(call->mu_);
  call->self_ = call;
  call->rpc_ = stub.PrepareAsyncSquareBatchStream(&call->context_, &queue);
  call->operations_pending_ = 2;  // the start and the first read
  call->rpc_->StartCall(HandOff(&call->started_tag_));
  call->rpc_->Read(&call->response_, HandOff(&call->read_tag_));
  return call;
}

bool SharedSquareStream::TrySend(const std::shared_ptr<CoreStream>& stream,
                                 std::span<const CoreRequest> requests, bool only_if_awaiting) {
  std::lock_guard lock(mu_);
  if (done_ || close_requested_) return false;
  if (only_if_awaiting ? !routes_.Awaits(stream->session_id()) : retired_) return false;
  for (const CoreRequest& request : requests) {
    batches_.Add(routes_.Add(stream->session_id(), request.sequence), request.decimal);
  }
  awaiting_.try_emplace(stream->session_id(), stream);
  if (overload_ != nullptr) overload_->OnSent(requests.size());
  if (MayWriteLocked()) WriteNextLocked();
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

bool SharedSquareStream::Awaits(uint64_t session_id) {
  std::lock_guard lock(mu_);
  return routes_.Awaits(session_id);
}

void SharedSquareStream::WriteNextLocked() {
  const sockrpc::square::v1::SquareBatchStreamRequest& batch = batches_.StartSending();
  requests_written_ += static_cast<uint64_t>(batch.requests_size());
  unanswered_batch_ends_.push_back(requests_written_);
  // With more batches queued behind this one, gRPC may hold it in the
  // connection's write buffer (it completes at once while that holds under
  // 64 KiB) and send it together with the next ones: fewer, larger writes
  // for the core to read when many sessions are busy. The last one written
  // goes without the hint, which sends everything buffered, so no request
  // waits for a later one: that includes a batch after which the next ones
  // are held back until it is answered (MayWriteLocked).
  grpc::WriteOptions options;
  if (MayWriteLocked(/*after_this_write=*/true)) options.set_buffer_hint();
  ++operations_pending_;
  rpc_->Write(batch, options, HandOff(&write_tag_));
}

void SharedSquareStream::RequestCloseLocked() {
  close_requested_ = true;
  if (started_ && !batches_.in_flight() && !closed_ && !done_) {
    closed_ = true;
    ++operations_pending_;
    rpc_->WritesDone(HandOff(&writes_done_tag_));
  }
}

std::shared_ptr<SharedSquareStream> SharedSquareStream::OperationDoneLocked() {
  --operations_pending_;
  if (operations_pending_ == 0 && finished_) return std::move(self_);
  return nullptr;
}

void SharedSquareStream::OnStarted(bool ok) {
  std::shared_ptr<SharedSquareStream> last;  // dropped after the lock
  std::lock_guard lock(mu_);
  // A call that could not start fails its read too, which ends it.
  if (ok && !done_) {
    started_ = true;
    if (batches_.has_unsent()) {
      WriteNextLocked();
    } else if (close_requested_) {
      RequestCloseLocked();
    }
  }
  last = OperationDoneLocked();
}

void SharedSquareStream::OnWriteDone(bool ok) {
  std::shared_ptr<SharedSquareStream> last;
  std::lock_guard lock(mu_);
  batches_.SendingDone();
  if (!ok || done_) {
    batches_.Clear();  // the call is broken; its status says why
  } else if (batches_.has_unsent()) {
    if (MayWriteLocked()) WriteNextLocked();  // else once an answer comes back
  } else if (close_requested_) {
    RequestCloseLocked();  // the half-close waited for this write
  }
  last = OperationDoneLocked();
}

void SharedSquareStream::OnWritesDoneDone(bool /*ok*/) {
  std::shared_ptr<SharedSquareStream> last;
  std::lock_guard lock(mu_);
  last = OperationDoneLocked();
}

void SharedSquareStream::OnReadDone(bool ok) {
  if (!ok) {
    // The stream ended: no write may start any more; its status tells
    // whoever still waits (OnFinished).
    std::lock_guard lock(mu_);
    done_ = true;
    rpc_->Finish(&status_, HandOff(&finish_tag_));  // counted: replaces the read
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
  uint64_t answered = 0;
  {
    std::lock_guard lock(mu_);
    for (auto& answer : *response_.mutable_responses()) {
      absl::StatusOr<StreamRoutes::Route> route = routes_.Answer(answer.sequence());
      if (!route.ok()) {
        LogError(absl::StrCat("SquareBatchStream to the core: ", route.status().message()));
        broken = true;
        break;
      }
      ++answered;
      auto it = awaiting_.find(route->session);
      if (it != awaiting_.end()) {
        deliveries.push_back({it->second, route->sequence, answer.mutable_square()});
        if (!routes_.Awaits(route->session)) awaiting_.erase(it);
      }
    }
    requests_answered_ += answered;
    while (!unanswered_batch_ends_.empty() &&
           unanswered_batch_ends_.front() <= requests_answered_) {
      unanswered_batch_ends_.pop_front();
    }
    if (MayWriteLocked()) WriteNextLocked();
    if (retired_ && routes_.empty()) RequestCloseLocked();
  }
  if (overload_ != nullptr && answered > 0) overload_->OnAnswered(answered);
  // Answers cannot be matched any more: end the call; its sessions ask again.
  if (broken) context_.TryCancel();
  for (size_t i = 0; i < deliveries.size(); ++i) {
    deliveries[i].target->Answer(deliveries[i].sequence, std::move(*deliveries[i].square),
                                 /*first_few=*/i < CoreStream::kFirstFew);
  }
  // The answers are delivered (moved out) before the next read reuses them.
  std::lock_guard lock(mu_);
  rpc_->Read(&response_, HandOff(&read_tag_));
}

void SharedSquareStream::OnFinished(bool /*ok*/) {
  std::vector<std::pair<std::shared_ptr<CoreStream>, absl::Status>> to_tell;
  std::shared_ptr<SharedSquareStream> last;  // dropped last: it may destroy the call
  {
    std::lock_guard lock(mu_);
    finished_ = true;
    batches_.Clear();
    if (overload_ != nullptr) overload_->OnForgotten(routes_.size());
    for (auto& [session, verdict] : routes_.End(FromGrpcStatus(status_))) {
      auto it = awaiting_.find(session);
      if (it != awaiting_.end()) to_tell.emplace_back(std::move(it->second), std::move(verdict));
    }
    awaiting_.clear();
    last = OperationDoneLocked();
  }
  for (auto& [stream, verdict] : to_tell) {
    stream->End(std::move(verdict));
  }
}

}  // namespace sockrpc
