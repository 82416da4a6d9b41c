#include "rpc_server/now_stream_method.h"

#include <chrono>

#include "absl/strings/str_cat.h"

namespace sockrpc {

absl::Status NowStreamMethod::Answer(Request& request, const Options& options,
                                     uint64_t& requests_read, std::deque<Response>& queue) {
  const auto started = std::chrono::steady_clock::now();
  const uint64_t ordinal = ++requests_read;
  absl::Status status = options.time->FillNowStream(request, queue.emplace_back());
  if (options.metrics != nullptr) {
    options.metrics->now_stream.Record(status.ok(), std::chrono::steady_clock::now() - started);
  }
  if (status.ok()) return status;
  queue.pop_back();
  return absl::Status(status.code(), absl::StrCat("request ", ordinal, ": ", status.message()));
}

}  // namespace sockrpc
