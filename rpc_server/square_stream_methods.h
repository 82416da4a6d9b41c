// What differs between SquareService's two ordered streams: the message
// types, how a call is requested, and how one message read is answered.
// SquareStream carries one request per message, SquareBatchStream up to
// kMaxBatchRequests. The answering is pure (no I/O), unit-tested without a
// server (tests/rpc_server/square_stream_methods_test.cc).
#ifndef SOCKRPC_RPC_SERVER_SQUARE_STREAM_METHODS_H_
#define SOCKRPC_RPC_SERVER_SQUARE_STREAM_METHODS_H_

#include <cstddef>
#include <cstdint>
#include <deque>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "rpc_server/core_metrics.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"

namespace sockrpc {

class OpenStreams;
class StreamAdmission;

struct SquareStreamOptions {
  size_t max_digits;
  // Answers queued unwritten before the stream stops reading.
  size_t max_queued_responses;
  CoreMetrics* metrics;  // may be null
  StreamAdmission* admission = nullptr;  // caps the streams open; may be null
  OpenStreams* cancel_at_shutdown = nullptr;  // null: the calls get the grace
};

// Squares `request` into `response` (sequence and input echoed; the input's
// decimal is moved), recording it in `metrics` if not null. `ordinal` is the
// request's 1-based position in its stream, named in the error.
absl::Status AnswerStreamRequest(sockrpc::square::v1::SquareStreamRequest& request,
                                 uint64_t ordinal, size_t max_digits, MethodMetrics* metrics,
                                 sockrpc::square::v1::SquareStreamResponse& response);

struct SquareStreamMethod {
  using Service = sockrpc::square::v1::SquareService::AsyncService;
  using Options = SquareStreamOptions;
  using Request = sockrpc::square::v1::SquareStreamRequest;
  using Response = sockrpc::square::v1::SquareStreamResponse;

  static void RequestCall(sockrpc::square::v1::SquareService::AsyncService& service,
                          grpc::ServerContext* context,
                          grpc::ServerAsyncReaderWriter<Response, Request>* stream,
                          grpc::ServerCompletionQueue* queue, void* tag) {
    service.RequestSquareStream(context, stream, queue, queue, tag);
  }
  // Appends the answer to `request` to `queue`, counting it in
  // `requests_read`; an error once a request is rejected.
  static absl::Status Answer(Request& request, const SquareStreamOptions& options,
                             uint64_t& requests_read, std::deque<Response>& queue);
  static size_t Answers(const Response& /*response*/) { return 1; }
};

struct SquareBatchStreamMethod {
  using Service = sockrpc::square::v1::SquareService::AsyncService;
  using Options = SquareStreamOptions;
  using Request = sockrpc::square::v1::SquareBatchStreamRequest;
  using Response = sockrpc::square::v1::SquareBatchStreamResponse;
  // The proto's contract: a batch carries 1 to 64 requests.
  static constexpr int kMaxBatchRequests = 64;

  static void RequestCall(sockrpc::square::v1::SquareService::AsyncService& service,
                          grpc::ServerContext* context,
                          grpc::ServerAsyncReaderWriter<Response, Request>* stream,
                          grpc::ServerCompletionQueue* queue, void* tag) {
    service.RequestSquareBatchStream(context, stream, queue, queue, tag);
  }
  // Appends one response answering the batch's requests to `queue`; at a
  // rejected request, the answers to those before it (if any) and an error.
  static absl::Status Answer(Request& request, const SquareStreamOptions& options,
                             uint64_t& requests_read, std::deque<Response>& queue);
  static size_t Answers(const Response& response) {
    return static_cast<size_t>(response.responses_size());
  }
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SQUARE_STREAM_METHODS_H_
