#include "rpc_server/async_services.h"

#include <cstddef>

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareRequest;
using sockrpc::square::v1::SquareResponse;
using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;

// Calls of each method kept requested, per serving thread: enough for a
// burst arriving in one read (h2load sends 32 per connection at once) to be
// matched at once rather than parked in gRPC's queue of unmatched calls.
constexpr size_t kUnaryCallsPerThread = 32;
constexpr size_t kStreamCallsPerThread = 8;

}  // namespace

AsyncServices::AsyncServices(const TimeAnswers& time, const SquareAnswers& square)
    : admission_(square.options().max_streams,
                 square.metrics() != nullptr ? &square.metrics()->streams_refused : nullptr),
      stream_options_{square.options().max_digits, square.options().max_queued_responses,
                      square.metrics(), &admission_},
      now_stream_options_{&time, square.options().max_queued_responses, square.metrics(),
                          &admission_, &now_streams_} {
  now_.request = [this](grpc::ServerContext* context, NowRequest* request,
                        grpc::ServerAsyncResponseWriter<NowResponse>* writer,
                        grpc::ServerCompletionQueue* queue, void* tag) {
    time_service_.RequestNow(context, request, writer, queue, queue, tag);
  };
  now_.answer = [&time](const NowRequest& request, NowResponse& response) {
    return time.Now(request, response);
  };
  square_.request = [this](grpc::ServerContext* context, SquareRequest* request,
                           grpc::ServerAsyncResponseWriter<SquareResponse>* writer,
                           grpc::ServerCompletionQueue* queue, void* tag) {
    square_service_.RequestSquare(context, request, writer, queue, queue, tag);
  };
  square_.answer = [&square](const SquareRequest& request, SquareResponse& response) {
    return square.Square(request, response);
  };
}

void AsyncServices::Register(grpc::ServerBuilder& builder) {
  builder.RegisterService(&time_service_);
  builder.RegisterService(&square_service_);
}

void AsyncServices::Prime(ServingThreads& threads) {
  for (size_t i = 0; i < kUnaryCallsPerThread * threads.size(); ++i) {
    NowCall::Await(now_, threads);
    SquareCall::Await(square_, threads);
  }
  for (size_t i = 0; i < kStreamCallsPerThread * threads.size(); ++i) {
    SquareStreamCall::Await(square_service_, stream_options_, threads);
    SquareBatchStreamCall::Await(square_service_, stream_options_, threads);
    NowStreamCall::Await(time_service_, now_stream_options_, threads);
  }
}

}  // namespace sockrpc
