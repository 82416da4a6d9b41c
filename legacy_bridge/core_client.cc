#include "legacy_bridge/core_client.h"

#include <utility>

#include "legacy_bridge/grpc_status.h"

namespace sockrpc {

using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;

CoreClient::CoreClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline,
                       SquareStreamPool::Options streams)
    : channel_(std::move(channel)),
      time_stub_(sockrpc::time::v1::TimeService::NewStub(channel_)),
      square_stub_(sockrpc::square::v1::SquareService::NewStub(channel_)),
      deadline_(deadline),
      square_streams_(*square_stub_, streams) {}

void CoreClient::Now(const std::string& time_zone, NowCallback done) {
  bool start = false;
  {
    std::lock_guard lock(now_mu_);
    start = now_by_zone_[time_zone].Join(std::move(done));
  }
  if (start) StartNow(time_zone);
}

void CoreClient::StartNow(const std::string& time_zone) {
  struct Call {
    grpc::ClientContext context;
    NowRequest request;
    NowResponse response;
  };
  auto call = std::make_shared<Call>();
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  call->context.set_wait_for_ready(true);  // bounded by the deadline
  call->request.set_time_zone(time_zone);
  time_stub_->async()->Now(
      &call->context, &call->request, &call->response, [this, call](grpc::Status status) {
        CallCoalescer<NowCallback>::Completion completion;
        {
          std::lock_guard lock(now_mu_);
          completion = now_by_zone_[call->request.time_zone()].Complete();
        }
        if (completion.start_another) StartNow(call->request.time_zone());
        const absl::StatusOr<std::string> ctime =
            status.ok() ? absl::StatusOr<std::string>(std::move(*call->response.mutable_ctime()))
                        : absl::StatusOr<std::string>(FromGrpcStatus(status));
        for (NowCallback& done : completion.answered) done(ctime);
      });
}

}  // namespace sockrpc
