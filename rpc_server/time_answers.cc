#include "rpc_server/time_answers.h"

#include <chrono>
#include <utility>

#include "common/grpc_status.h"
#include "rpc_server/ctime_text.h"

namespace sockrpc {

using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;
using sockrpc::time::v1::NowStreamRequest;
using sockrpc::time::v1::NowStreamResponse;

TimeAnswers::TimeAnswers(NamedTimeZone local_zone, Clock clock, MethodMetrics* metrics)
    : local_zone_(std::move(local_zone)), clock_(std::move(clock)), metrics_(metrics) {}

grpc::Status TimeAnswers::Now(const NowRequest& request, NowResponse& response) const {
  const auto started = std::chrono::steady_clock::now();
  const absl::Status status = FillNow(request, response);
  if (metrics_ != nullptr) metrics_->Record(status.ok(), std::chrono::steady_clock::now() - started);
  return ToGrpcStatus(status);
}

absl::Status TimeAnswers::FillNow(const NowRequest& request, NowResponse& response) const {
  return Fill(request.time_zone(), response);
}

absl::Status TimeAnswers::FillNowStream(const NowStreamRequest& request,
                                            NowStreamResponse& response) const {
  return Fill(request.time_zone(), response);
}

template <typename Response>
absl::Status TimeAnswers::Fill(const std::string& time_zone, Response& response) const {
  NamedTimeZone requested;
  const NamedTimeZone* zone = &local_zone_;
  if (!time_zone.empty()) {
    absl::StatusOr<NamedTimeZone> loaded = LoadNamedTimeZone(time_zone);
    if (!loaded.ok()) return loaded.status();
    requested = *std::move(loaded);
    zone = &requested;
  }
  const absl::Time now = clock_();
  const absl::Duration since_epoch = now - absl::UnixEpoch();
  const int64_t seconds = absl::ToInt64Seconds(absl::Floor(since_epoch, absl::Seconds(1)));
  const int64_t nanos = absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds));
  response.mutable_time()->set_seconds(seconds);
  response.mutable_time()->set_nanos(static_cast<int32_t>(nanos));
  response.set_ctime(FormatCtime(now, zone->zone));
  response.set_time_zone(zone->name);
  return absl::OkStatus();
}

}  // namespace sockrpc
