#include "legacy_bridge/core_client.h"

#include <utility>

namespace sockrpc {

using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::shared_ptr<SquareStreamCall> SquareStreamCall::Start(
    sockrpc::square::v1::SquareService::Stub& stub, Callbacks callbacks) {
  std::shared_ptr<SquareStreamCall> call(new SquareStreamCall(std::move(callbacks)));
  call->self_ = call;
  // Wait for a ready replica rather than fail at once while none is: the
  // bridge's own deadline bounds the wait (and turns it into ERROR lines).
  call->context_.set_wait_for_ready(true);
  stub.async()->SquareStream(&call->context_, call.get());
  // Send() starts writes from outside the reactions; the hold keeps the call
  // from completing (and gRPC from freeing it) until no more can come.
  call->AddHold();
  call->StartRead(&call->response_);
  call->StartCall();
  return call;
}

void SquareStreamCall::Send(const CoreRequest& request) {
  std::lock_guard lock(mu_);
  if (done_ || close_requested_) return;
  SquareStreamRequest& message = writes_.emplace_back();
  message.set_sequence(request.sequence);
  message.set_decimal(request.decimal);
  if (!writing_) WriteNextLocked();
}

void SquareStreamCall::Close() {
  std::lock_guard lock(mu_);
  close_requested_ = true;
  if (!writing_ && !closed_ && !done_) {
    closed_ = true;
    StartWritesDone();
  }
}

void SquareStreamCall::Cancel() { context_.TryCancel(); }

void SquareStreamCall::WriteNextLocked() {
  writing_ = true;
  StartWrite(&writes_.front());
}

void SquareStreamCall::OnWriteDone(bool ok) {
  std::lock_guard lock(mu_);
  writes_.pop_front();
  writing_ = false;
  if (!ok || done_) {
    writes_.clear();  // the call is broken; OnDone reports why
    return;
  }
  if (!writes_.empty()) {
    WriteNextLocked();
  } else if (close_requested_ && !closed_) {
    closed_ = true;
    StartWritesDone();
  }
}

void SquareStreamCall::OnWritesDoneDone(bool /*ok*/) {}

void SquareStreamCall::OnReadDone(bool ok) {
  if (ok) {
    callbacks_.on_answer(response_.sequence(), std::move(*response_.mutable_square()));
    StartRead(&response_);
    return;
  }
  // The stream ended: no write may start any more, so the hold can go; the
  // call then completes and OnDone reports its status.
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  RemoveHold();
}

void SquareStreamCall::OnDone(const grpc::Status& status) {
  {
    std::lock_guard lock(mu_);
    done_ = true;
    writes_.clear();
  }
  callbacks_.on_done(FromGrpcStatus(status));
  // Last: this may destroy the call.
  std::shared_ptr<SquareStreamCall> self = std::move(self_);
}

CoreClient::CoreClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
    : channel_(std::move(channel)),
      time_stub_(sockrpc::time::v1::TimeService::NewStub(channel_)),
      square_stub_(sockrpc::square::v1::SquareService::NewStub(channel_)),
      deadline_(deadline) {}

void CoreClient::Now(const std::string& time_zone,
                     std::function<void(absl::StatusOr<std::string>)> done) {
  struct Call {
    grpc::ClientContext context;
    NowRequest request;
    NowResponse response;
  };
  auto call = std::make_shared<Call>();
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  call->context.set_wait_for_ready(true);  // bounded by the deadline
  call->request.set_time_zone(time_zone);
  time_stub_->async()->Now(&call->context, &call->request, &call->response,
                           [call, done = std::move(done)](grpc::Status status) {
                             if (status.ok()) {
                               done(std::move(*call->response.mutable_ctime()));
                             } else {
                               done(FromGrpcStatus(status));
                             }
                           });
}

}  // namespace sockrpc
