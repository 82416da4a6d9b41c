// One SquareService.SquareBatchStream call that the requests of many SQUARES
// sessions share (square_stream_pool.h says why): it batches their requests
// (batch_queue.h), routes the answers back (stream_routes.h), and tells the
// sessions still waiting when it ends.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_SHARED_SQUARE_STREAM_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_SHARED_SQUARE_STREAM_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_map.h"
#include "common/completion_tag.h"
#include "legacy_bridge/core_calls/batch_queue.h"
#include "legacy_bridge/core_calls/overload_gate.h"
#include "legacy_bridge/core_calls/stream_routes.h"
#include "legacy_bridge/protocol/core_request.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"

namespace sockrpc {

class CoreStream;

// One SquareBatchStream call that many sessions' requests share. Its
// completions run on the completion thread; TrySend, Retire and Cancel may be
// called from any thread.
class SharedSquareStream {
 public:
  // Starts the call on `queue`. It lives until it has ended, every operation
  // on it has completed, and no one holds it. `overload` (if any) is told
  // what the call sends and what comes back: what the core holds, whether or
  // not the sessions still wait for it.
  static std::shared_ptr<SharedSquareStream> Start(sockrpc::square::v1::SquareService::Stub& stub,
                                                   grpc::CompletionQueue& queue,
                                                   OverloadGate* overload);

  // Sends `requests` for `stream`. With `only_if_awaiting`, only while its
  // session awaits answers here; otherwise only while this call takes new
  // sessions. False when refused (then none of them was sent).
  bool TrySend(const std::shared_ptr<CoreStream>& stream, std::span<const CoreRequest> requests,
               bool only_if_awaiting);
  // Whether new sessions may be sent here.
  bool accepting();
  // Takes no new sessions; half-closes once nothing awaits an answer.
  void Retire();
  // Ends the call now (it is stuck); the sessions awaiting answers are told.
  void Cancel();
  // Whether `stream` awaits answers here.
  bool Awaits(uint64_t session_id);

 private:
  using Rpc = grpc::ClientAsyncReaderWriter<sockrpc::square::v1::SquareBatchStreamRequest,
                                            sockrpc::square::v1::SquareBatchStreamResponse>;

  SharedSquareStream() = default;
  // Completions, on the completion thread.
  void OnStarted(bool ok);
  void OnWriteDone(bool ok);
  void OnWritesDoneDone(bool ok);
  void OnReadDone(bool ok);
  void OnFinished(bool ok);

  // Whether the next batch may be written now (or, `after_this_write`, as
  // soon as the write in flight completes): either the batch before is
  // answered, or this one has grown to kHoldDigits, or (now only: it may
  // change before the write completes) the core lags.
  bool MayWriteLocked(bool after_this_write = false) const {
    return started_ && !done_ && batches_.has_unsent() &&
           (after_this_write || !batches_.in_flight()) &&
           (unanswered_batch_ends_.size() < kMaxUnansweredBatches ||
            batches_.unsent_digits() >= kHoldDigits ||
            (!after_this_write && overload_ != nullptr && overload_->core_lagging()));
  }
  void WriteNextLocked();
  void RequestCloseLocked();
  // One operation completed; the last one, once the call has finished,
  // releases the call's hold on itself (returned, to drop outside the lock).
  std::shared_ptr<SharedSquareStream> OperationDoneLocked();

  grpc::ClientContext context_;
  OverloadGate* overload_ = nullptr;
  std::unique_ptr<Rpc> rpc_;
  sockrpc::square::v1::SquareBatchStreamResponse response_;
  grpc::Status status_;
  CallTag<SharedSquareStream> started_tag_{this, &SharedSquareStream::OnStarted};
  CallTag<SharedSquareStream> write_tag_{this, &SharedSquareStream::OnWriteDone};
  CallTag<SharedSquareStream> writes_done_tag_{this, &SharedSquareStream::OnWritesDoneDone};
  CallTag<SharedSquareStream> read_tag_{this, &SharedSquareStream::OnReadDone};
  CallTag<SharedSquareStream> finish_tag_{this, &SharedSquareStream::OnFinished};

  // std::mutex rather than absl::Mutex: sanitizers see its ordering.
  std::mutex mu_;  // guards everything below
  // Keeps the call alive while gRPC holds any of its tags.
  std::shared_ptr<SharedSquareStream> self_;
  int operations_pending_ = 0;
  StreamRoutes routes_;
  // The sessions awaiting answers here, by session id.
  absl::flat_hash_map<uint64_t, std::shared_ptr<CoreStream>> awaiting_;
  BatchQueue batches_;
  // Batches written whose answers have not all come back, each as the count
  // of requests written up to its end (answers are counted, not messages:
  // the core may answer several batches in one). The next batch waits for
  // the answers to the one before: the requests that arrive meanwhile gather
  // into it, instead of leaving in batches of one or two that the core would
  // only queue. But only small numbers wait: a batch's answers arrive as one
  // message, so a batch of big numbers held back until it is large would
  // make all of them wait for the whole message (on a slow link, past the
  // deadline). Past kHoldDigits it goes at once (docs/performance.md, "One
  // unanswered batch per call"). Nothing waits while the core lags
  // (OverloadGate::core_lagging): a held request waits for the batch before
  // it, then for its own, up to twice the wait that shedding expects, and
  // then past the deadline instead of being shed (same section).
  static constexpr size_t kMaxUnansweredBatches = 1;
  static constexpr size_t kHoldDigits = 4096;
  std::deque<uint64_t> unanswered_batch_ends_;
  uint64_t requests_written_ = 0;
  uint64_t requests_answered_ = 0;
  // The call's start has completed. Writes wait for it: in gRPC 1.51 the
  // start and the writes share one set of operations.
  bool started_ = false;
  bool retired_ = false;
  bool close_requested_ = false;
  bool closed_ = false;    // WritesDone started
  bool done_ = false;      // the stream ended: nothing more may be started
  bool finished_ = false;  // the call's status is in
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_SHARED_SQUARE_STREAM_H_
