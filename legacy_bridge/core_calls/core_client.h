// The bridge's calls to the RPC core: the TIME connections' requests on a few
// shared TimeService.NowStream calls (shared_time_stream.h; coalesced: clients
// connecting together share one request), and the SQUARES sessions' requests
// on a few shared SquareService.SquareBatchStream calls
// (square_stream_pool.h). All callbacks run on the completion thread
// (completion_thread.h); callers lock what they touch, or hand them to their
// own executor.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CORE_CLIENT_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CORE_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "legacy_bridge/core_calls/call_coalescer.h"
#include "legacy_bridge/core_calls/completion_thread.h"
#include "legacy_bridge/core_calls/overload_gate.h"
#include "legacy_bridge/core_calls/shared_time_stream.h"
#include "legacy_bridge/core_calls/square_stream_pool.h"
#include "legacy_bridge/core_calls/stream_slots.h"
#include "legacy_bridge/core_calls/time_ask.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace sockrpc {

class CoreClient {
 public:
  // `deadline` bounds each time request; `streams` sizes both the SQUARES
  // and the TIME shared streams; `busy_poll` is the completion thread's
  // (completion_thread.h); `overload` judges whether the core keeps up;
  // `time_asked_again` (if any) counts time requests sent again on another
  // stream because theirs ended unanswered.
  CoreClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline,
             SquareStreamPool::Options streams, BusyPoll::Clock::duration busy_poll,
             std::unique_ptr<OverloadGate> overload, Counter* time_asked_again = nullptr);
  ~CoreClient();

  using NowCallback = std::function<void(absl::StatusOr<std::string>)>;

  // The ctime text of now in `time_zone`, from a request sent to the core
  // after this one was asked for; concurrent askers share a request. `done`
  // runs on the completion thread.
  void Now(const std::string& time_zone, NowCallback done);

  // A stream of one SQUARES session's requests.
  std::shared_ptr<CoreStream> OpenSquareStream(CoreStream::Callbacks callbacks) {
    return square_streams_.Open(std::move(callbacks));
  }
  // Half-closes the shared SquareBatchStreams once they are answered.
  void CloseSquareStreams() { square_streams_.RetireAll(); }

  absl::Duration deadline() const { return deadline_; }
  // What the SQUARES sessions send and get back, to shed when the core lags.
  OverloadGate& squares_overload() { return *overload_; }

 private:
  class NowCall;
  void StartNow(const std::string& time_zone);
  void NowDone(const std::string& time_zone, absl::StatusOr<std::string> ctime);
  // Sends `ask` on a shared NowStream; with none to be had, fails it.
  void SendTime(const std::shared_ptr<TimeAsk>& ask);
  // A NowStream ended with `asks` unanswered: each is sent again, or failed.
  void TimeStreamEnded(std::vector<std::shared_ptr<TimeAsk>> asks, const absl::Status& status);

  // Destroyed in reverse: the pool cancels its calls, then the completion
  // thread waits for every call to end (Now calls end within the deadline),
  // and only then go what the calls use.
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<sockrpc::time::v1::TimeService::Stub> time_stub_;
  std::unique_ptr<sockrpc::square::v1::SquareService::Stub> square_stub_;
  absl::Duration deadline_;
  std::unique_ptr<OverloadGate> overload_;
  std::mutex now_mu_;  // guards now_by_zone_ and stopping_
  absl::flat_hash_map<std::string, CallCoalescer<NowCallback>> now_by_zone_;
  bool stopping_ = false;  // no new requests: the completion queue is closing
  Counter* time_asked_again_;
  const std::chrono::steady_clock::duration time_stream_max_age_;
  // Until then (steady clock, ns), time requests go as unary Now calls: the
  // core refused NowStream (an older core, or a policy that does not allow it).
  std::atomic<int64_t> unary_now_until_{0};
  std::atomic<size_t> next_time_slot_{0};
  CompletionThread completions_;
  SquareStreamPool square_streams_;
  StreamSlots<SharedTimeStream> time_streams_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CORE_CLIENT_H_
