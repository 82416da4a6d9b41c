// sockrpc.square.v1.SquareService: exact squares, one at a time (Square) or
// as an ordered bidirectional stream (SquareStream).
#ifndef SOCKRPC_RPC_SERVER_SQUARE_SERVICE_H_
#define SOCKRPC_RPC_SERVER_SQUARE_SERVICE_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "rpc_server/core_metrics.h"
#include "rpc_server/square_math.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"

namespace sockrpc {

// Squares the number a SquareRequest or SquareStreamRequest carries in its
// `number` oneof; INVALID_ARGUMENT when it carries none.
template <typename Request>
absl::StatusOr<std::string> SquareOfRequest(const Request& request, size_t max_digits) {
  switch (request.number_case()) {
    case Request::kValue:
      return SquareOfInt64(request.value());
    case Request::kDecimal:
      return SquareOfDecimal(request.decimal(), max_digits);
    default:
      return absl::InvalidArgumentError(
          "no number given: set \"value\" (a 64-bit integer) or \"decimal\" (a decimal string)");
  }
}

class SquareServiceImpl final : public sockrpc::square::v1::SquareService::CallbackService {
 public:
  struct Options {
    // Inputs with more significant digits are OUT_OF_RANGE.
    size_t max_digits = kDefaultMaxDigits;
    // Responses a stream may hold unsent before the server stops reading its
    // requests: bounds a stream's memory when its client does not read.
    size_t max_queued_responses = 64;
  };

  explicit SquareServiceImpl(Options options, CoreMetrics* metrics = nullptr)
      : options_(options), metrics_(metrics) {}

  grpc::ServerUnaryReactor* Square(grpc::CallbackServerContext* context,
                                   const sockrpc::square::v1::SquareRequest* request,
                                   sockrpc::square::v1::SquareResponse* response) override;

  grpc::ServerBidiReactor<sockrpc::square::v1::SquareStreamRequest,
                          sockrpc::square::v1::SquareStreamResponse>*
  SquareStream(grpc::CallbackServerContext* context) override;

 private:
  Options options_;
  CoreMetrics* metrics_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SQUARE_SERVICE_H_
