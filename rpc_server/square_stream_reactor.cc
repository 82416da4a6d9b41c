#include "rpc_server/square_stream_reactor.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rpc_server/grpc_status.h"
#include "rpc_server/square_service.h"

namespace sockrpc {

using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareStreamResponse;

SquareStreamReactor::SquareStreamReactor(size_t max_digits, size_t max_queued_responses,
                                         CoreMetrics* metrics)
    : max_digits_(max_digits), max_queued_responses_(max_queued_responses), metrics_(metrics) {
  if (metrics_ != nullptr) metrics_->streams_open.Add(1);
  StartRead(&request_);
}

void SquareStreamReactor::OnReadDone(bool ok) {
  Actions actions;
  if (!ok) {
    // The client half-closed (or the call broke): answer what is queued, then finish.
    std::lock_guard lock(mu_);
    reading_ = false;
    input_done_ = true;
    actions = NextActionsLocked();
  } else {
    // request_ is only touched under the lock too, so that the hand-over
    // between the threads gRPC runs reactions on is visible to sanitizers.
    std::lock_guard lock(mu_);
    ++requests_read_;
    const auto started = std::chrono::steady_clock::now();
    absl::StatusOr<std::string> square = SquareOfRequest(request_, max_digits_);
    if (metrics_ != nullptr) {
      metrics_->stream_message.Record(square.ok(), std::chrono::steady_clock::now() - started);
    }
    reading_ = false;
    if (input_done_) {
      // The call already broke while this read was in flight: nothing to answer.
    } else if (square.ok()) {
      SquareStreamResponse& response = queue_.emplace_back();
      response.set_sequence(request_.sequence());
      if (request_.number_case() == SquareStreamRequest::kValue) {
        response.set_value(request_.value());
      } else {
        response.set_decimal(std::move(*request_.mutable_decimal()));
      }
      response.set_square(*std::move(square));
    } else {
      input_done_ = true;
      final_status_ = ToGrpcStatus(absl::Status(
          square.status().code(), absl::StrCat("request ", requests_read_, " (sequence ",
                                               request_.sequence(), "): ",
                                               square.status().message())));
    }
    actions = NextActionsLocked();
  }
  Perform(actions);
}

void SquareStreamReactor::OnWriteDone(bool ok) {
  Actions actions;
  {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (ok) {
      queue_.pop_front();
    } else {
      // The client is gone or cancelled: nothing more can be delivered.
      queue_.clear();
      input_done_ = true;
      final_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the stream broke while writing");
    }
    actions = NextActionsLocked();
  }
  Perform(actions);
}

void SquareStreamReactor::OnDone() {
  if (metrics_ != nullptr) metrics_->streams_open.Add(-1);
  delete this;
}

SquareStreamReactor::Actions SquareStreamReactor::NextActionsLocked() {
  Actions actions;
  if (!finished_ && !writing_ && !queue_.empty()) {
    writing_ = true;
    actions.write = &queue_.front();  // deque elements stay put while others are added
  }
  if (!input_done_ && !reading_ && queue_.size() < max_queued_responses_) {
    reading_ = true;
    actions.read = true;
  }
  if (input_done_ && !writing_ && queue_.empty() && !finished_) {
    finished_ = true;
    actions.finish = true;
  }
  return actions;
}

void SquareStreamReactor::Perform(const Actions& actions) {
  if (actions.write != nullptr) StartWrite(actions.write);
  if (actions.read) {
    std::lock_guard lock(mu_);
    StartRead(&request_);
  }
  if (actions.finish) {
    grpc::Status status;
    {
      std::lock_guard lock(mu_);
      status = final_status_;
    }
    Finish(status);
  }
}

}  // namespace sockrpc
