#include "rpc_server/square_stream_methods.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "rpc_server/square_answers.h"

namespace sockrpc {

using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareStreamResponse;

absl::Status AnswerStreamRequest(SquareStreamRequest& request, uint64_t ordinal,
                                 size_t max_digits, MethodMetrics* metrics,
                                 SquareStreamResponse& response) {
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<std::string> square = SquareOfRequest(request, max_digits);
  if (metrics != nullptr) metrics->Record(square.ok(), std::chrono::steady_clock::now() - started);
  if (!square.ok()) {
    return absl::Status(square.status().code(),
                        absl::StrCat("request ", ordinal, " (sequence ", request.sequence(),
                                     "): ", square.status().message()));
  }
  response.set_sequence(request.sequence());
  if (request.number_case() == SquareStreamRequest::kValue) {
    response.set_value(request.value());
  } else {
    response.set_decimal(std::move(*request.mutable_decimal()));
  }
  response.set_square(*std::move(square));
  return absl::OkStatus();
}

absl::Status SquareStreamMethod::Answer(Request& request, const SquareStreamOptions& options,
                                        uint64_t& requests_read, std::deque<Response>& queue) {
  absl::Status status =
      AnswerStreamRequest(request, ++requests_read, options.max_digits,
                          options.metrics != nullptr ? &options.metrics->stream_message : nullptr,
                          queue.emplace_back());
  if (!status.ok()) queue.pop_back();
  return status;
}

absl::Status SquareBatchStreamMethod::Answer(Request& request, const SquareStreamOptions& options,
                                             uint64_t& requests_read,
                                             std::deque<Response>& queue) {
  if (options.metrics != nullptr) options.metrics->batches.Increment();
  const int size = request.requests_size();
  if (size < 1 || size > kMaxBatchRequests) {
    return absl::InvalidArgumentError(absl::StrCat("batch after request ", requests_read,
                                                   " holds ", size, " requests; a batch holds 1 to ",
                                                   kMaxBatchRequests));
  }
  MethodMetrics* metrics = options.metrics != nullptr ? &options.metrics->batch_request : nullptr;
  Response answers;
  answers.mutable_responses()->Reserve(size);
  absl::Status status;
  for (SquareStreamRequest& item : *request.mutable_requests()) {
    status = AnswerStreamRequest(item, ++requests_read, options.max_digits, metrics,
                                 *answers.add_responses());
    if (!status.ok()) {
      answers.mutable_responses()->RemoveLast();
      break;
    }
  }
  if (answers.responses_size() > 0) queue.push_back(std::move(answers));
  return status;
}

}  // namespace sockrpc
