// TimeService.NowStream as a method of the ordered stream call
// (square_stream_call.h): how a call is requested and how one request read
// is answered. The answering is pure (no I/O), unit-tested without a server
// (tests/rpc_server/now_stream_test.cc serves it too).
#ifndef SOCKRPC_RPC_SERVER_NOW_STREAM_METHOD_H_
#define SOCKRPC_RPC_SERVER_NOW_STREAM_METHOD_H_

#include <cstddef>
#include <cstdint>
#include <deque>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "rpc_server/core_metrics.h"
#include "rpc_server/time_answers.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace sockrpc {

class OpenStreams;
class StreamAdmission;

struct NowStreamOptions {
  const TimeAnswers* time;
  // Answers queued unwritten before the stream stops reading.
  size_t max_queued_responses;
  CoreMetrics* metrics;                  // may be null
  StreamAdmission* admission = nullptr;  // caps the streams open; may be null
  OpenStreams* cancel_at_shutdown = nullptr;  // null: the calls get the grace
};

struct NowStreamMethod {
  using Service = sockrpc::time::v1::TimeService::AsyncService;
  using Options = NowStreamOptions;
  using Request = sockrpc::time::v1::NowStreamRequest;
  using Response = sockrpc::time::v1::NowStreamResponse;

  static void RequestCall(Service& service, grpc::ServerContext* context,
                          grpc::ServerAsyncReaderWriter<Response, Request>* stream,
                          grpc::ServerCompletionQueue* queue, void* tag) {
    service.RequestNowStream(context, stream, queue, queue, tag);
  }
  // Appends the time now, in the request's zone, to `queue`, counting the
  // request in `requests_read`; an error naming the request for an unknown zone.
  static absl::Status Answer(Request& request, const Options& options, uint64_t& requests_read,
                             std::deque<Response>& queue);
  static size_t Answers(const Response& /*response*/) { return 1; }
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_NOW_STREAM_METHOD_H_
