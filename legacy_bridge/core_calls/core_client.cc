#include "legacy_bridge/core_calls/core_client.h"

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/grpc_status.h"

namespace sockrpc {

using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;

namespace {

// How many streams may carry one time request before it fails with the
// status of the last one (each carried it until that stream ended).
constexpr int kMaxTimeSends = 3;

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SquareStreamPool::Options WithOverload(SquareStreamPool::Options options, OverloadGate* overload) {
  options.overload = overload;
  return options;
}

}  // namespace

// One unary Now call, for a core that refuses NowStream: it owns itself
// from start to finish, and answers its ask.
class CoreClient::NowCall {
 public:
  NowCall(CoreClient& client, std::shared_ptr<TimeAsk> ask)
      : client_(client), ask_(std::move(ask)) {
    context_.set_deadline(absl::ToChronoTime(absl::Now() + client.deadline_));
    context_.set_wait_for_ready(true);  // bounded by the deadline
    request_.set_time_zone(ask_->time_zone());
  }

  void Start(grpc::CompletionQueue& queue) {
    reader_ = client_.time_stub_->PrepareAsyncNow(&context_, request_, &queue);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, HandOff(&finished_tag_));
  }

 private:
  void OnFinished(bool /*ok*/) {
    std::unique_ptr<NowCall> self(this);
    ask_->Answer(status_.ok()
                     ? absl::StatusOr<std::string>(std::move(*response_.mutable_ctime()))
                     : absl::StatusOr<std::string>(FromGrpcStatus(status_)));
  }

  CoreClient& client_;
  const std::shared_ptr<TimeAsk> ask_;
  grpc::ClientContext context_;
  NowRequest request_;
  NowResponse response_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<NowResponse>> reader_;
  CallTag<NowCall> finished_tag_{this, &NowCall::OnFinished};
};

CoreClient::CoreClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline,
                       SquareStreamPool::Options streams, BusyPoll::Clock::duration busy_poll,
                       std::unique_ptr<OverloadGate> overload, Counter* time_asked_again)
    : channel_(std::move(channel)),
      time_stub_(sockrpc::time::v1::TimeService::NewStub(channel_)),
      square_stub_(sockrpc::square::v1::SquareService::NewStub(channel_)),
      deadline_(deadline),
      overload_(std::move(overload)),
      time_asked_again_(time_asked_again),
      time_stream_max_age_(streams.max_age),
      completions_(busy_poll),
      square_streams_(*square_stub_, completions_.queue(),
                      WithOverload(streams, overload_.get())),
      time_streams_(streams.streams, streams.max_age, [this] {
        return SharedTimeStream::Start(
            *time_stub_, completions_.queue(),
            [this](std::vector<std::shared_ptr<TimeAsk>> asks, absl::Status status) {
              TimeStreamEnded(std::move(asks), status);
            });
      }) {}

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
  auto ask = std::make_shared<TimeAsk>(time_zone,
                                       [this, time_zone](absl::StatusOr<std::string> ctime) {
                                         NowDone(time_zone, std::move(ctime));
                                       });
  ask->Arm(completions_.queue(), deadline_);
  SendTime(ask);
}

void CoreClient::SendTime(const std::shared_ptr<TimeAsk>& ask) {
  // A call can end between Pick and TrySend; the next Pick replaces it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (SteadyNanos() < unary_now_until_.load(std::memory_order_relaxed)) {
      (new NowCall(*this, ask))->Start(completions_.queue());
      return;
    }
    std::shared_ptr<SharedTimeStream> stream =
        time_streams_.Pick(next_time_slot_.fetch_add(1, std::memory_order_relaxed));
    if (stream->TrySend(ask)) {
      ask->SentOn(stream);
      return;
    }
  }
  ask->Answer(absl::UnavailableError("no stream to the core could be started"));
}

void CoreClient::TimeStreamEnded(std::vector<std::shared_ptr<TimeAsk>> asks,
                                 const absl::Status& status) {
  // A core without NowStream (older) or a policy that refuses it: unary
  // calls for a while (a stream's age), then streams are tried again.
  const bool refused = status.code() == absl::StatusCode::kUnimplemented ||
                       status.code() == absl::StatusCode::kPermissionDenied;
  if (refused) {
    unary_now_until_.store(SteadyNanos() + std::chrono::nanoseconds(time_stream_max_age_).count(),
                           std::memory_order_relaxed);
  }
  bool stopping = false;
  {
    std::lock_guard lock(now_mu_);
    stopping = stopping_;
  }
  for (std::shared_ptr<TimeAsk>& ask : asks) {
    if (ask->answered()) continue;
    if (stopping || (!refused && ask->sends() >= kMaxTimeSends)) {
      ask->Answer(status);
    } else if (refused) {
      (new NowCall(*this, std::move(ask)))->Start(completions_.queue());
    } else {
      if (time_asked_again_ != nullptr) time_asked_again_->Increment();
      SendTime(ask);
    }
  }
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
