// The server side of one ordered stream on the async API:
// SquareService.SquareStream (a request per message),
// SquareService.SquareBatchStream (up to 64 requests per message) and
// TimeService.NowStream. They differ only in how one message read is
// answered (square_stream_methods.h, now_stream_method.h).
//
// Requests are squared as they arrive and their responses queued in request
// order; one write is in flight at a time (a write counts as done once gRPC
// has taken it, which with the buffer hint may be before it is on the wire).
// Reading continues while responses are being written (so a pipelining
// client keeps the server busy), but stops once `max_queued_responses`
// answers are waiting, so a client that sends without reading cannot grow the
// server's memory. After the client half-closes, or a request is rejected,
// every queued response is still written before the stream is finished.
//
// A read and a write complete independently, possibly on two serving threads
// at once, so the state is locked. The object deletes itself once its Finish
// and every read and write it started have completed.
#ifndef SOCKRPC_RPC_SERVER_SQUARE_STREAM_CALL_H_
#define SOCKRPC_RPC_SERVER_SQUARE_STREAM_CALL_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "common/completion_tag.h"
#include "rpc_server/now_stream_method.h"
#include "rpc_server/open_streams.h"
#include "rpc_server/serving_threads.h"
#include "rpc_server/square_stream_methods.h"
#include "rpc_server/stream_admission.h"

namespace sockrpc {

template <typename Method>
class OrderedSquaresCall {
 public:
  using Service = typename Method::Service;
  using Options = typename Method::Options;
  using Request = typename Method::Request;
  using Response = typename Method::Response;

  // Requests one call of the method; the object lives until it is done.
  // `service` and `options` must outlive it.
  static void Await(Service& service, const Options& options,
                    ServingThreads& threads);

 private:
  OrderedSquaresCall(Service& service, const Options& options,
                     ServingThreads& threads);
  ~OrderedSquaresCall();

  void OnStarted(bool ok);
  void OnReadDone(bool ok);
  void OnWriteDone(bool ok);
  void OnFinishDone(bool ok);
  // Under the lock: starts whatever the state now allows (a write, a read,
  // the finish). True once nothing is outstanding: the caller deletes the
  // object after releasing the lock.
  bool Advance();

  ServingThreads::LiveCall live_;
  Service& service_;
  const Options& options_;
  ServingThreads& threads_;
  grpc::ServerContext context_;
  grpc::ServerAsyncReaderWriter<Response, Request> stream_;
  CallTag<OrderedSquaresCall> started_{this, &OrderedSquaresCall::OnStarted};
  CallTag<OrderedSquaresCall> read_done_{this, &OrderedSquaresCall::OnReadDone};
  CallTag<OrderedSquaresCall> write_done_{this, &OrderedSquaresCall::OnWriteDone};
  CallTag<OrderedSquaresCall> finish_done_{this, &OrderedSquaresCall::OnFinishDone};

  // std::mutex rather than absl::Mutex: sanitizers see its ordering.
  std::mutex mu_;  // guards everything below
  // Filled by the one outstanding read.
  Request request_;
  // Requests answered or rejected so far, counted across messages.
  uint64_t requests_read_ = 0;
  // Response messages not yet written; while writing_, the front one is in flight.
  std::deque<Response> queue_;
  // The answers those messages hold (what max_queued_responses bounds).
  size_t queued_answers_ = 0;
  bool started_ok_ = false;
  bool admitted_ = false;  // holds a place under --max_streams
  bool listed_ = false;    // in options_.cancel_at_shutdown
  bool reading_ = false;
  bool writing_ = false;
  // No more requests will be read: the client half-closed, a request was
  // rejected, or the call broke.
  bool input_done_ = false;
  bool finishing_ = false;
  bool finished_ = false;
  grpc::Status final_status_;
};

using SquareStreamCall = OrderedSquaresCall<SquareStreamMethod>;
using SquareBatchStreamCall = OrderedSquaresCall<SquareBatchStreamMethod>;
using NowStreamCall = OrderedSquaresCall<NowStreamMethod>;

extern template class OrderedSquaresCall<SquareStreamMethod>;
extern template class OrderedSquaresCall<SquareBatchStreamMethod>;
extern template class OrderedSquaresCall<NowStreamMethod>;

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SQUARE_STREAM_CALL_H_
