#include "rpc_server/square_stream_call.h"

#include <utility>

#include "common/grpc_status.h"

namespace sockrpc {

template <typename Method>
void OrderedSquaresCall<Method>::Await(Service& service, const Options& options,
                                       ServingThreads& threads) {
  new OrderedSquaresCall(service, options, threads);
}

template <typename Method>
OrderedSquaresCall<Method>::OrderedSquaresCall(Service& service,
                                               const Options& options,
                                               ServingThreads& threads)
    : live_(threads), service_(service), options_(options), threads_(threads),
      stream_(&context_) {
  Method::RequestCall(service_, &context_, &stream_, threads_.queue(), HandOff(&started_));
}

template <typename Method>
OrderedSquaresCall<Method>::~OrderedSquaresCall() {
  if (listed_) options_.cancel_at_shutdown->Remove(&context_);
  if (started_ok_ && options_.metrics != nullptr) options_.metrics->streams_open.Add(-1);
  if (admitted_) options_.admission->Release();
}

template <typename Method>
void OrderedSquaresCall<Method>::OnStarted(bool ok) {
  if (!ok) {
    // The server is shutting down: no call will come.
    delete this;
    return;
  }
  Await(service_, options_, threads_);
  std::lock_guard lock(mu_);
  if (options_.admission != nullptr) {
    if (!options_.admission->TryAcquire()) {
      // Refused before anything is read: only the finish completes.
      input_done_ = true;
      finishing_ = true;
      stream_.Finish(options_.admission->RefusalStatus(), HandOff(&finish_done_));
      return;
    }
    admitted_ = true;
  }
  started_ok_ = true;
  if (options_.metrics != nullptr) options_.metrics->streams_open.Add(1);
  if (options_.cancel_at_shutdown != nullptr) {
    listed_ = true;
    options_.cancel_at_shutdown->Add(&context_);
  }
  reading_ = true;
  stream_.Read(&request_, HandOff(&read_done_));
}

template <typename Method>
void OrderedSquaresCall<Method>::OnReadDone(bool ok) {
  std::unique_lock lock(mu_);
  reading_ = false;
  if (!ok) {
    // The client half-closed (or the call broke): answer what is queued, then finish.
    input_done_ = true;
  } else if (!input_done_) {  // else the call broke while this read was in flight
    const size_t queued_before = queue_.size();
    const absl::Status status = Method::Answer(request_, options_, requests_read_, queue_);
    for (size_t i = queued_before; i < queue_.size(); ++i) {
      queued_answers_ += Method::Answers(queue_[i]);
    }
    if (!status.ok()) {
      input_done_ = true;
      final_status_ = ToGrpcStatus(status);
    }
  }
  if (!Advance()) return;
  lock.unlock();
  delete this;
}

template <typename Method>
void OrderedSquaresCall<Method>::OnWriteDone(bool ok) {
  std::unique_lock lock(mu_);
  writing_ = false;
  if (ok) {
    queued_answers_ -= Method::Answers(queue_.front());
    queue_.pop_front();
  } else {
    // The client is gone or cancelled: nothing more can be delivered.
    queue_.clear();
    queued_answers_ = 0;
    input_done_ = true;
    final_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the stream broke while writing");
  }
  if (!Advance()) return;
  lock.unlock();
  delete this;
}

template <typename Method>
void OrderedSquaresCall<Method>::OnFinishDone(bool /*ok*/) {
  std::unique_lock lock(mu_);
  finished_ = true;
  if (!Advance()) return;
  lock.unlock();
  delete this;
}

template <typename Method>
bool OrderedSquaresCall<Method>::Advance() {
  if (!finishing_ && !writing_ && !queue_.empty()) {
    writing_ = true;
    // With more responses queued behind this one, gRPC may keep it in the
    // connection's write buffer (up to 64 KiB) and send it with the next one:
    // fewer, larger writes when a client pipelines (docs/architecture.md,
    // "Why the async API", has the measurement). The last one queued goes
    // without the hint, which sends everything buffered.
    grpc::WriteOptions options;
    if (queue_.size() > 1) options.set_buffer_hint();
    stream_.Write(queue_.front(), options, HandOff(&write_done_));
  }
  if (!input_done_ && !reading_ && queued_answers_ < options_.max_queued_responses) {
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

template class OrderedSquaresCall<SquareStreamMethod>;
template class OrderedSquaresCall<SquareBatchStreamMethod>;
template class OrderedSquaresCall<NowStreamMethod>;

}  // namespace sockrpc
