// The bridge's calls to the RPC core: one TimeService.Now per TIME
// connection, one SquareService.SquareStream per SQUARES connection. All
// callbacks run on gRPC's threads; callers hand them to their own executor.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CLIENT_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CLIENT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include <mutex>
#include "absl/time/time.h"
#include "legacy_bridge/squares_session.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace sockrpc {

// gRPC status -> absl::Status: the codes have the same numbers.
absl::Status FromGrpcStatus(const grpc::Status& status);

// One SquareService.SquareStream call. Requests may be sent from any thread;
// they are written in order, one write in flight at a time.
class SquareStreamCall final
    : public grpc::ClientBidiReactor<sockrpc::square::v1::SquareStreamRequest,
                                     sockrpc::square::v1::SquareStreamResponse> {
 public:
  struct Callbacks {
    // An answer: the request's sequence number and its square.
    std::function<void(uint64_t sequence, std::string square)> on_answer;
    // The call ended; called once, after every on_answer.
    std::function<void(absl::Status status)> on_done;
  };

  // Starts the call. The returned object stays valid while the caller holds
  // it, even after the call ended.
  static std::shared_ptr<SquareStreamCall> Start(sockrpc::square::v1::SquareService::Stub& stub,
                                                 Callbacks callbacks);

  void Send(const CoreRequest& request);
  // Half-closes after the requests already sent.
  void Close();
  // Ends the call now; on_done follows with CANCELLED.
  void Cancel();

  void OnWriteDone(bool ok) override;
  void OnWritesDoneDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  explicit SquareStreamCall(Callbacks callbacks) : callbacks_(std::move(callbacks)) {}
  void WriteNextLocked();

  Callbacks callbacks_;
  grpc::ClientContext context_;
  sockrpc::square::v1::SquareStreamResponse response_;
  std::shared_ptr<SquareStreamCall> self_;  // keeps the call alive until OnDone

  // std::mutex rather than absl::Mutex: sanitizers see its ordering.
  std::mutex mu_;  // guards everything below
  std::deque<sockrpc::square::v1::SquareStreamRequest> writes_;
  bool writing_ = false;
  bool close_requested_ = false;
  bool closed_ = false;
  bool done_ = false;  // the stream ended: nothing more may be started
};

class CoreClient {
 public:
  // `deadline` bounds each Now call.
  CoreClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline);

  // The ctime text of now in `time_zone`; `done` runs on a gRPC thread.
  void Now(const std::string& time_zone, std::function<void(absl::StatusOr<std::string>)> done);

  std::shared_ptr<SquareStreamCall> OpenSquareStream(SquareStreamCall::Callbacks callbacks) {
    return SquareStreamCall::Start(*square_stub_, std::move(callbacks));
  }

  absl::Duration deadline() const { return deadline_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<sockrpc::time::v1::TimeService::Stub> time_stub_;
  std::unique_ptr<sockrpc::square::v1::SquareService::Stub> square_stub_;
  absl::Duration deadline_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CLIENT_H_
