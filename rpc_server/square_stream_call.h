// The server side of one SquareStream call, on the async API.
//
// Requests are squared as they arrive and their responses queued in request
// order; one write is in flight at a time (a write counts as done once gRPC
// has taken it, which with the buffer hint may be before it is on the wire).
// Reading continues while responses are being written (so a pipelining
// client keeps the server busy), but stops once `max_queued_responses` are
// waiting, so a client that sends without reading cannot grow the server's
// memory. After the client half-closes, or a request is rejected, every
// queued response is still written before the stream is finished.
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

#include "rpc_server/completion_tag.h"
#include "rpc_server/core_metrics.h"
#include "rpc_server/serving_threads.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"

namespace sockrpc {

class SquareStreamCall {
 public:
  using Service = sockrpc::square::v1::SquareService::AsyncService;
  struct Options {
    size_t max_digits;
    size_t max_queued_responses;
    CoreMetrics* metrics;  // may be null
  };

  // Requests one SquareStream call; the object lives until it is done.
  // `service` and `options` must outlive it.
  static void Await(Service& service, const Options& options, ServingThreads& threads);

 private:
  SquareStreamCall(Service& service, const Options& options, ServingThreads& threads);
  ~SquareStreamCall();

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
  grpc::ServerAsyncReaderWriter<sockrpc::square::v1::SquareStreamResponse,
                                sockrpc::square::v1::SquareStreamRequest>
      stream_;
  CallTag<SquareStreamCall> started_{this, &SquareStreamCall::OnStarted};
  CallTag<SquareStreamCall> read_done_{this, &SquareStreamCall::OnReadDone};
  CallTag<SquareStreamCall> write_done_{this, &SquareStreamCall::OnWriteDone};
  CallTag<SquareStreamCall> finish_done_{this, &SquareStreamCall::OnFinishDone};

  // std::mutex rather than absl::Mutex: sanitizers see its ordering.
  std::mutex mu_;  // guards everything below
  // Filled by the one outstanding read.
  sockrpc::square::v1::SquareStreamRequest request_;
  uint64_t requests_read_ = 0;
  // Responses not yet written; while writing_, the front one is in flight.
  std::deque<sockrpc::square::v1::SquareStreamResponse> queue_;
  bool started_ok_ = false;
  bool reading_ = false;
  bool writing_ = false;
  // No more requests will be read: the client half-closed, a request was
  // rejected, or the call broke.
  bool input_done_ = false;
  bool finishing_ = false;
  bool finished_ = false;
  grpc::Status final_status_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SQUARE_STREAM_CALL_H_
