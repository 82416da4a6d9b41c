// sockrpc.square.v1.SquareService: exact squares, one at a time (Square) or
// as an ordered bidirectional stream (SquareStream, square_stream_call.h).
// The answers only; async_services.h serves them.
#ifndef SOCKRPC_RPC_SERVER_SQUARE_ANSWERS_H_
#define SOCKRPC_RPC_SERVER_SQUARE_ANSWERS_H_

#include <cstddef>
#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "rpc_server/core_metrics.h"
#include "rpc_server/square_math.h"
#include "sockrpc/square/v1/square_service.pb.h"

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

class SquareAnswers {
 public:
  struct Options {
    // Inputs with more significant digits are OUT_OF_RANGE.
    size_t max_digits = kDefaultMaxDigits;
    // Responses a stream may hold unsent before the server stops reading its
    // requests: bounds a stream's memory when its client does not read.
    size_t max_queued_responses = 64;
    // SquareStream and SquareBatchStream calls open at once, over all
    // connections (stream_admission.h); 0: no cap.
    size_t max_streams = 10'000;
  };

  explicit SquareAnswers(Options options, CoreMetrics* metrics = nullptr)
      : options_(options), metrics_(metrics) {}

  // Answers one Square call and counts it in the metrics.
  grpc::Status Square(const sockrpc::square::v1::SquareRequest& request,
                      sockrpc::square::v1::SquareResponse& response) const;

  const Options& options() const { return options_; }
  CoreMetrics* metrics() const { return metrics_; }

 private:
  Options options_;
  CoreMetrics* metrics_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SQUARE_ANSWERS_H_
