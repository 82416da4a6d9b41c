// The server side of one SquareStream call.
//
// Requests are squared as they arrive and their responses queued in request
// order; one write is in flight at a time. Reading continues while responses
// are being written (so a pipelining client keeps the server busy), but stops
// once `max_queued_responses` are waiting, so a client that sends without
// reading cannot grow the server's memory. After the client half-closes, or a
// request is rejected, every queued response is still written before the
// stream is finished.
#ifndef SOCKRPC_RPC_SERVER_SQUARE_STREAM_REACTOR_H_
#define SOCKRPC_RPC_SERVER_SQUARE_STREAM_REACTOR_H_

#include <cstddef>
#include <cstdint>
#include <deque>

#include <grpcpp/grpcpp.h>

#include <mutex>
#include "rpc_server/core_metrics.h"
#include "sockrpc/square/v1/square_service.pb.h"

namespace sockrpc {

class SquareStreamReactor final
    : public grpc::ServerBidiReactor<sockrpc::square::v1::SquareStreamRequest,
                                     sockrpc::square::v1::SquareStreamResponse> {
 public:
  // `metrics` may be null.
  SquareStreamReactor(size_t max_digits, size_t max_queued_responses, CoreMetrics* metrics);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  // What to do once the lock is released: gRPC calls are not made under it.
  struct Actions {
    const sockrpc::square::v1::SquareStreamResponse* write = nullptr;
    bool read = false;
    bool finish = false;
  };

  sockrpc::square::v1::SquareStreamResponse Answer(uint64_t request_number);
  Actions NextActionsLocked();
  void Perform(const Actions& actions);

  const size_t max_digits_;
  const size_t max_queued_responses_;
  CoreMetrics* const metrics_;
  // std::mutex rather than absl::Mutex: sanitizers see its ordering.
  std::mutex mu_;  // guards everything below
  // Filled by the one outstanding read.
  sockrpc::square::v1::SquareStreamRequest request_;
  uint64_t requests_read_ = 0;
  // Responses not yet written; while writing_, the front one is in flight.
  std::deque<sockrpc::square::v1::SquareStreamResponse> queue_;
  bool reading_ = true;
  bool writing_ = false;
  // No more requests will be read: the client half-closed, a request was
  // rejected, or the call broke.
  bool input_done_ = false;
  bool finished_ = false;
  grpc::Status final_status_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SQUARE_STREAM_REACTOR_H_
