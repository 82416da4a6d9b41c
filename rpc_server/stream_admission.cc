#include "rpc_server/stream_admission.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace sockrpc {

bool StreamAdmission::TryAcquire() {
  const size_t open = open_.fetch_add(1, std::memory_order_relaxed);
  if (max_open_ == 0 || open < max_open_) return true;
  open_.fetch_sub(1, std::memory_order_relaxed);
  if (refused_ != nullptr) refused_->Increment();
  const uint64_t unlogged = unlogged_.fetch_add(1, std::memory_order_relaxed) + 1;
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t last = last_log_ns_.load(std::memory_order_relaxed);
  if (now - last >= 1'000'000'000 &&
      last_log_ns_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    const uint64_t refused = unlogged_.exchange(0, std::memory_order_relaxed);
    LogWarning(absl::StrCat("refused ", refused > 0 ? refused : unlogged,
                            " stream(s) with RESOURCE_EXHAUSTED: --max_streams=", max_open_,
                            " are open"),
               {LogField("event", "streams_refused"), LogField("refused", refused),
                LogField("max_streams", max_open_)});
  }
  return false;
}

grpc::Status StreamAdmission::RefusalStatus() const {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrCat("service overloaded: ", max_open_,
                                   " streams are open (--max_streams); try again"));
}

}  // namespace sockrpc
