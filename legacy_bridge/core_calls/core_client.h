// The bridge's calls to the RPC core: TimeService.Now for TIME connections
// (coalesced: clients connecting together share one call), and the SQUARES
// sessions' requests on a few shared SquareService.SquareBatchStream calls
// (square_stream_pool.h). All callbacks run on the completion thread
// (completion_thread.h); callers hand them to their own executor.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CORE_CLIENT_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CORE_CLIENT_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "legacy_bridge/core_calls/call_coalescer.h"
#include "legacy_bridge/core_calls/completion_thread.h"
#include "legacy_bridge/core_calls/overload_gate.h"
#include "legacy_bridge/core_calls/square_stream_pool.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace sockrpc {

class CoreClient {
 public:
  // `deadline` bounds each Now call; `busy_poll` is the completion thread's
  // (completion_thread.h); `overload` judges whether the core keeps up.
  CoreClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline,
             SquareStreamPool::Options streams, BusyPoll::Clock::duration busy_poll,
             std::unique_ptr<OverloadGate> overload);
  ~CoreClient();

  using NowCallback = std::function<void(absl::StatusOr<std::string>)>;

  // The ctime text of now in `time_zone`, from a Now call started after this
  // one was asked for; concurrent askers share a call. `done` runs on the
  // completion thread.
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
  bool stopping_ = false;  // no new Now calls: the completion queue is closing
  CompletionThread completions_;
  SquareStreamPool square_streams_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CORE_CLIENT_H_
