#include "legacy_bridge/core_calls/shared_time_stream.h"

#include <string>
#include <utility>

#include "common/log.h"
#include "common/grpc_status.h"

namespace sockrpc {

std::shared_ptr<SharedTimeStream> SharedTimeStream::Start(
    sockrpc::time::v1::TimeService::Stub& stub, grpc::CompletionQueue& queue, Ended on_ended) {
  std::shared_ptr<SharedTimeStream> call(new SharedTimeStream(std::move(on_ended)));
  // Wait for a ready replica rather than fail at once while none is: each
  // ask's deadline bounds the wait (and turns it into ERROR lines).
  call->context_.set_wait_for_ready(true);
  std::lock_guard lock(call->mu_);
  call->self_ = call;
  call->rpc_ = stub.PrepareAsyncNowStream(&call->context_, &queue);
  call->operations_pending_ = 2;  // the start and the first read
  call->rpc_->StartCall(HandOff(&call->started_tag_));
  call->rpc_->Read(&call->response_, HandOff(&call->read_tag_));
  return call;
}

bool SharedTimeStream::TrySend(const std::shared_ptr<TimeAsk>& ask) {
  std::lock_guard lock(mu_);
  if (done_ || close_requested_ || retired_) return false;
  asks_.push_back(ask);
  ++unsent_;
  if (started_ && !writing_) WriteNextLocked();
  return true;
}

bool SharedTimeStream::accepting() {
  std::lock_guard lock(mu_);
  return !done_ && !close_requested_ && !retired_;
}

void SharedTimeStream::Retire() {
  std::lock_guard lock(mu_);
  retired_ = true;
  if (asks_.empty()) RequestCloseLocked();
}

void SharedTimeStream::Cancel() {
  {
    std::lock_guard lock(mu_);
    retired_ = true;
  }
  context_.TryCancel();
}

void SharedTimeStream::WriteNextLocked() {
  request_.set_time_zone(asks_[asks_.size() - unsent_]->time_zone());
  --unsent_;
  writing_ = true;
  ++operations_pending_;
  // With more asks queued behind this one (several zones at once), gRPC may
  // hold it in its write buffer and send them together; the last one queued
  // goes without the hint, which sends everything buffered.
  grpc::WriteOptions options;
  if (unsent_ > 0) options.set_buffer_hint();
  rpc_->Write(request_, options, HandOff(&write_tag_));
}

void SharedTimeStream::RequestCloseLocked() {
  close_requested_ = true;
  if (started_ && !writing_ && !closed_ && !done_) {
    closed_ = true;
    ++operations_pending_;
    rpc_->WritesDone(HandOff(&writes_done_tag_));
  }
}

std::shared_ptr<SharedTimeStream> SharedTimeStream::OperationDoneLocked() {
  --operations_pending_;
  if (operations_pending_ == 0 && finished_) return std::move(self_);
  return nullptr;
}

void SharedTimeStream::OnStarted(bool ok) {
  std::shared_ptr<SharedTimeStream> last;  // dropped after the lock
  std::lock_guard lock(mu_);
  // A call that could not start fails its read too, which ends it.
  if (ok && !done_) {
    started_ = true;
    if (unsent_ > 0) {
      WriteNextLocked();
    } else if (close_requested_) {
      RequestCloseLocked();
    }
  }
  last = OperationDoneLocked();
}

void SharedTimeStream::OnWriteDone(bool ok) {
  std::shared_ptr<SharedTimeStream> last;
  std::lock_guard lock(mu_);
  writing_ = false;
  // A failed write: the call is broken, and its status says why (OnFinished).
  if (ok && !done_) {
    if (unsent_ > 0) {
      WriteNextLocked();
    } else if (close_requested_) {
      RequestCloseLocked();  // the half-close waited for this write
    }
  }
  last = OperationDoneLocked();
}

void SharedTimeStream::OnWritesDoneDone(bool /*ok*/) {
  std::shared_ptr<SharedTimeStream> last;
  std::lock_guard lock(mu_);
  last = OperationDoneLocked();
}

void SharedTimeStream::OnReadDone(bool ok) {
  if (!ok) {
    // The stream ended: no write may start any more; its status tells the
    // asks still unanswered (OnFinished).
    std::lock_guard lock(mu_);
    done_ = true;
    rpc_->Finish(&status_, HandOff(&finish_tag_));  // counted: replaces the read
    return;
  }
  std::shared_ptr<TimeAsk> answered;
  {
    std::lock_guard lock(mu_);
    if (asks_.size() > unsent_) {
      answered = std::move(asks_.front());
      asks_.pop_front();
      if (retired_ && asks_.empty()) RequestCloseLocked();
    }
  }
  if (answered != nullptr) {
    answered->Answer(std::move(*response_.mutable_ctime()));
  } else {
    // An answer to nothing asked: end the call; its asks are sent again.
    LogError("NowStream to the core: an answer to no request");
    context_.TryCancel();
  }
  // The answer is delivered (moved out) before the next read reuses it.
  std::lock_guard lock(mu_);
  rpc_->Read(&response_, HandOff(&read_tag_));
}

void SharedTimeStream::OnFinished(bool /*ok*/) {
  std::vector<std::shared_ptr<TimeAsk>> unanswered;
  std::shared_ptr<SharedTimeStream> last;  // dropped last: it may destroy the call
  {
    std::lock_guard lock(mu_);
    finished_ = true;
    unanswered.assign(std::make_move_iterator(asks_.begin()),
                      std::make_move_iterator(asks_.end()));
    asks_.clear();
    unsent_ = 0;
    last = OperationDoneLocked();
  }
  absl::Status status = FromGrpcStatus(status_);
  if (status.ok()) {
    if (unanswered.empty()) return;
    status = absl::UnavailableError("the core ended the stream before answering");
  }
  on_ended_(std::move(unanswered), std::move(status));
}

}  // namespace sockrpc
