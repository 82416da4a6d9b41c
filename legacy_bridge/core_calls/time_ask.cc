#include "legacy_bridge/core_calls/time_ask.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "legacy_bridge/core_calls/shared_time_stream.h"

namespace sockrpc {

void TimeAsk::Arm(grpc::CompletionQueue& queue, absl::Duration timeout) {
  std::lock_guard lock(mu_);
  timeout_ = timeout;
  armed_ = shared_from_this();
  alarm_.Set(&queue, absl::ToChronoTime(absl::Now() + timeout), HandOff(&deadline_tag_));
}

void TimeAsk::Answer(absl::StatusOr<std::string> ctime) {
  if (answered_.exchange(true)) return;
  alarm_.Cancel();  // completes the alarm at once (not fired), which releases the ask
  done_(std::move(ctime));
}

int TimeAsk::SentOn(const std::shared_ptr<SharedTimeStream>& stream) {
  std::lock_guard lock(mu_);
  stream_ = stream;
  return ++sends_;
}

void TimeAsk::OnDeadline(bool fired) {
  std::shared_ptr<TimeAsk> self;  // released last: it may destroy the ask
  std::shared_ptr<SharedTimeStream> stuck;
  {
    std::lock_guard lock(mu_);
    self = std::move(armed_);
    if (fired) stuck = stream_.lock();
  }
  if (!fired || answered()) return;
  Answer(absl::DeadlineExceededError(
      absl::StrCat("no answer within ", absl::ToInt64Milliseconds(timeout_), "ms")));
  if (stuck != nullptr) stuck->Cancel();
}

}  // namespace sockrpc
