#include "rpc_server/square_service.h"

#include <chrono>
#include <utility>

#include "rpc_server/grpc_status.h"
#include "rpc_server/square_stream_reactor.h"

namespace sockrpc {

using sockrpc::square::v1::SquareRequest;
using sockrpc::square::v1::SquareResponse;
using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareStreamResponse;

grpc::ServerUnaryReactor* SquareServiceImpl::Square(grpc::CallbackServerContext* context,
                                                    const SquareRequest* request,
                                                    SquareResponse* response) {
  const auto started = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> square = SquareOfRequest(*request, options_.max_digits);
  if (metrics_ != nullptr) {
    metrics_->square.Record(square.ok(), std::chrono::steady_clock::now() - started);
  }
  if (square.ok()) response->set_square(*std::move(square));
  reactor->Finish(ToGrpcStatus(square.status()));
  return reactor;
}

grpc::ServerBidiReactor<SquareStreamRequest, SquareStreamResponse>*
SquareServiceImpl::SquareStream(grpc::CallbackServerContext* /*context*/) {
  // The reactor deletes itself when the call is done.
  return new SquareStreamReactor(options_.max_digits, options_.max_queued_responses, metrics_);
}

}  // namespace sockrpc
