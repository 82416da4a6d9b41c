#include "legacy_bridge/core_calls/core_client.h"

#include <utility>

#include "common/grpc_status.h"

namespace sockrpc {

using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;

namespace {

SquareStreamPool::Options WithOverload(SquareStreamPool::Options options, OverloadGate* overload) {
  options.overload = overload;
  return options;
}

}  // namespace

// One Now call: it owns itself from start to finish.
class CoreClient::NowCall {
 public:
  NowCall(CoreClient& client, const std::string& time_zone) : client_(client) {
    context_.set_deadline(absl::ToChronoTime(absl::Now() + client.deadline_));
    context_.set_wait_for_ready(true);  // bounded by the deadline
    request_.set_time_zone(time_zone);
  }

  void Start(grpc::CompletionQueue& queue) {
    reader_ = client_.time_stub_->PrepareAsyncNow(&context_, request_, &queue);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, HandOff(&finished_tag_));
  }

 private:
  void OnFinished(bool /*ok*/) {
    std::unique_ptr<NowCall> self(this);
    client_.NowDone(request_.time_zone(),
                    status_.ok() ? absl::StatusOr<std::string>(std::move(*response_.mutable_ctime()))
                                 : absl::StatusOr<std::string>(FromGrpcStatus(status_)));
  }

  CoreClient& client_;
  grpc::ClientContext context_;
  NowRequest request_;
  NowResponse response_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<NowResponse>> reader_;
  CallTag<NowCall> finished_tag_{this, &NowCall::OnFinished};
};

CoreClient::CoreClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline,
                       SquareStreamPool::Options streams, BusyPoll::Clock::duration busy_poll,
                       std::unique_ptr<OverloadGate> overload)
    : channel_(std::move(channel)),
      time_stub_(sockrpc::time::v1::TimeService::NewStub(channel_)),
      square_stub_(sockrpc::square::v1::SquareService::NewStub(channel_)),
      deadline_(deadline),
      overload_(std::move(overload)),
      completions_(busy_poll),
      square_streams_(*square_stub_, completions_.queue(),
                      WithOverload(streams, overload_.get())) {}

CoreClient::~CoreClient() {
  std::lock_guard lock(now_mu_);
  stopping_ = true;
}

void CoreClient::Now(const std::string& time_zone, NowCallback done) {
  bool start = false;
  {
    std::lock_guard lock(now_mu_);
    start = now_by_zone_[time_zone].Join(std::move(done));
  }
  if (start) StartNow(time_zone);
}

void CoreClient::StartNow(const std::string& time_zone) {
  (new NowCall(*this, time_zone))->Start(completions_.queue());
}

void CoreClient::NowDone(const std::string& time_zone, absl::StatusOr<std::string> ctime) {
  CallCoalescer<NowCallback>::Completion completion;
  bool start_another = false;
  {
    std::lock_guard lock(now_mu_);
    completion = now_by_zone_[time_zone].Complete();
    start_another = completion.start_another && !stopping_;
  }
  if (start_another) StartNow(time_zone);
  for (NowCallback& done : completion.answered) done(ctime);
}

}  // namespace sockrpc
