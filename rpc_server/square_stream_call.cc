#include "rpc_server/square_stream_call.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rpc_server/grpc_status.h"
#include "rpc_server/square_service.h"

namespace sockrpc {

using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareStreamResponse;

void SquareStreamCall::Await(Service& service, const Options& options, ServingThreads& threads) {
  new SquareStreamCall(service, options, threads);
}

SquareStreamCall::SquareStreamCall(Service& service, const Options& options,
                                   ServingThreads& threads)
    : live_(threads), service_(service), options_(options), threads_(threads),
      stream_(&context_) {
  service_.RequestSquareStream(&context_, &stream_, threads_.queue(), threads_.queue(),
                               HandOff(&started_));
}

SquareStreamCall::~SquareStreamCall() {
  if (started_ok_ && options_.metrics != nullptr) options_.metrics->streams_open.Add(-1);
}

void SquareStreamCall::OnStarted(bool ok) {
  if (!ok) {
    // The server is shutting down: no call will come.
    delete this;
    return;
  }
  Await(service_, options_, threads_);
  std::lock_guard lock(mu_);
  started_ok_ = true;
  if (options_.metrics != nullptr) options_.metrics->streams_open.Add(1);
  reading_ = true;
  stream_.Read(&request_, HandOff(&read_done_));
}

void SquareStreamCall::OnReadDone(bool ok) {
  std::unique_lock lock(mu_);
  reading_ = false;
  if (!ok) {
    // The client half-closed (or the call broke): answer what is queued, then finish.
    input_done_ = true;
  } else {
    ++requests_read_;
    const auto started = std::chrono::steady_clock::now();
    absl::StatusOr<std::string> square = SquareOfRequest(request_, options_.max_digits);
    if (options_.metrics != nullptr) {
      options_.metrics->stream_message.Record(square.ok(),
                                              std::chrono::steady_clock::now() - started);
    }
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
  }
  if (!Advance()) return;
  lock.unlock();
  delete this;
}

void SquareStreamCall::OnWriteDone(bool ok) {
  std::unique_lock lock(mu_);
  writing_ = false;
  if (ok) {
    queue_.pop_front();
  } else {
    // The client is gone or cancelled: nothing more can be delivered.
    queue_.clear();
    input_done_ = true;
    final_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the stream broke while writing");
  }
  if (!Advance()) return;
  lock.unlock();
  delete this;
}

void SquareStreamCall::OnFinishDone(bool /*ok*/) {
  std::unique_lock lock(mu_);
  finished_ = true;
  if (!Advance()) return;
  lock.unlock();
  delete this;
}

bool SquareStreamCall::Advance() {
  if (!finishing_ && !writing_ && !queue_.empty()) {
    writing_ = true;
    // With more responses queued behind this one, gRPC may keep it in the
    // connection's write buffer (up to 64 KiB) and send it with the next one:
    // fewer, larger writes when a client pipelines (a quarter more messages
    // per second with 64 in flight, and a quarter less CPU per message). The
    // last one queued goes without the hint, which sends everything buffered.
    grpc::WriteOptions options;
    if (queue_.size() > 1) options.set_buffer_hint();
    stream_.Write(queue_.front(), options, HandOff(&write_done_));
  }
  if (!input_done_ && !reading_ && queue_.size() < options_.max_queued_responses) {
    reading_ = true;
    stream_.Read(&request_, HandOff(&read_done_));
  }
  if (input_done_ && !writing_ && queue_.empty() && !finishing_) {
    finishing_ = true;
    stream_.Finish(final_status_, HandOff(&finish_done_));
  }
  // The finish has completed and no read or write can complete any more.
  return finished_ && !reading_ && !writing_;
}

}  // namespace sockrpc
