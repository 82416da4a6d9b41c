#include "rpc_server/square_answers.h"

#include <chrono>
#include <utility>

#include "common/grpc_status.h"

namespace sockrpc {

using sockrpc::square::v1::SquareRequest;
using sockrpc::square::v1::SquareResponse;

grpc::Status SquareAnswers::Square(const SquareRequest& request,
                                       SquareResponse& response) const {
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<std::string> square = SquareOfRequest(request, options_.max_digits);
  if (metrics_ != nullptr) {
    metrics_->square.Record(square.ok(), std::chrono::steady_clock::now() - started);
  }
  if (square.ok()) response.set_square(*std::move(square));
  return ToGrpcStatus(square.status());
}

}  // namespace sockrpc
