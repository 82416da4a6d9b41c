// One TimeService.NowStream call that the TIME requests of the whole bridge
// share (core_client.h): each request is a message on a stream that is
// already open, rather than a unary call with its own setup, metadata and
// stream. The core answers in request order, so the answers are matched to
// the asks in the order they were written.
//
// Completions run on the completion thread; TrySend, Retire and Cancel may
// be called from any thread. When the call ends with asks unanswered, or
// with an error, its status and those asks (if any) are handed to
// `on_ended`, which sends them again or fails them.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_SHARED_TIME_STREAM_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_SHARED_TIME_STREAM_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "common/completion_tag.h"
#include "legacy_bridge/core_calls/time_ask.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace sockrpc {

class SharedTimeStream {
 public:
  using Ended =
      std::function<void(std::vector<std::shared_ptr<TimeAsk>> unanswered, absl::Status status)>;

  // Starts the call on `queue`. It lives until it has ended, every operation
  // on it has completed, and no one holds it.
  static std::shared_ptr<SharedTimeStream> Start(sockrpc::time::v1::TimeService::Stub& stub,
                                                 grpc::CompletionQueue& queue, Ended on_ended);

  // Sends `ask`; false (and not sent) once the call ended or was retired.
  bool TrySend(const std::shared_ptr<TimeAsk>& ask);
  // Whether new asks may be sent here.
  bool accepting();
  // Takes no new asks; half-closes once every ask is answered.
  void Retire();
  // Ends the call now (it is stuck); its unanswered asks go to `on_ended`.
  void Cancel();

 private:
  using Rpc = grpc::ClientAsyncReaderWriter<sockrpc::time::v1::NowStreamRequest,
                                            sockrpc::time::v1::NowStreamResponse>;

  explicit SharedTimeStream(Ended on_ended) : on_ended_(std::move(on_ended)) {}
  // Completions, on the completion thread.
  void OnStarted(bool ok);
  void OnWriteDone(bool ok);
  void OnWritesDoneDone(bool ok);
  void OnReadDone(bool ok);
  void OnFinished(bool ok);

  void WriteNextLocked();
  void RequestCloseLocked();
  // One operation completed; the last one, once the call has finished,
  // releases the call's hold on itself (returned, to drop outside the lock).
  std::shared_ptr<SharedTimeStream> OperationDoneLocked();

  const Ended on_ended_;
  grpc::ClientContext context_;
  std::unique_ptr<Rpc> rpc_;
  sockrpc::time::v1::NowStreamRequest request_;
  sockrpc::time::v1::NowStreamResponse response_;
  grpc::Status status_;
  CallTag<SharedTimeStream> started_tag_{this, &SharedTimeStream::OnStarted};
  CallTag<SharedTimeStream> write_tag_{this, &SharedTimeStream::OnWriteDone};
  CallTag<SharedTimeStream> writes_done_tag_{this, &SharedTimeStream::OnWritesDoneDone};
  CallTag<SharedTimeStream> read_tag_{this, &SharedTimeStream::OnReadDone};
  CallTag<SharedTimeStream> finish_tag_{this, &SharedTimeStream::OnFinished};

  // std::mutex rather than absl::Mutex: sanitizers see its ordering.
  std::mutex mu_;  // guards everything below
  // Keeps the call alive while gRPC holds any of its tags.
  std::shared_ptr<SharedTimeStream> self_;
  int operations_pending_ = 0;
  // Sent or to be sent, in order; the last `unsent_` are not written yet.
  std::deque<std::shared_ptr<TimeAsk>> asks_;
  size_t unsent_ = 0;
  // The call's start has completed. Writes wait for it: in gRPC 1.51 the
  // start and the writes share one set of operations.
  bool started_ = false;
  bool writing_ = false;
  bool retired_ = false;
  bool close_requested_ = false;
  bool closed_ = false;    // WritesDone started
  bool done_ = false;      // the stream ended: nothing more may be started
  bool finished_ = false;  // the call's status is in
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_SHARED_TIME_STREAM_H_
