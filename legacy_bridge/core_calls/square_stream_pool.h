// The SQUARES sessions' requests to the core, carried on a few shared
// SquareService.SquareBatchStream calls rather than one call per session.
//
// Why shared: a call per session made every idle session cost the core a
// stream (and the bridge ~28 KiB), and put each message of many lockstep
// clients on a stream of its own. On a shared call the requests of many
// sessions are pipelined, and an idle session costs nothing but its socket.
// The core answers in request order and echoes a sequence number, so the
// answers are routed back by StreamRoutes.
//
// Why batches: gRPC's per-message cost is most of what a message costs the
// core and much of what it costs the bridge. Requests that arrive while a
// write is in flight are gathered into the next message (batch_queue.h), so
// the busier the bridge, the fewer messages per request.
//
// Each session stays on one call while it awaits answers (so its answers stay
// in order) and picks its slot's current call again once it awaits none. Each
// call is replaced after `max_age`, which lets the channel's round_robin
// spread the load again over replicas that joined or came back.
//
// The calls use gRPC's completion-queue API, served by one CompletionThread
// (completion_thread.h says why not the callback API).
#ifndef SOCKRPC_LEGACY_BRIDGE_SQUARE_STREAM_POOL_H_
#define SOCKRPC_LEGACY_BRIDGE_SQUARE_STREAM_POOL_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/completion_tag.h"
#include "legacy_bridge/core_calls/batch_queue.h"
#include "legacy_bridge/core_calls/overload_gate.h"
#include "legacy_bridge/protocol/squares_session.h"
#include "legacy_bridge/core_calls/stream_routes.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"

namespace sockrpc {

class SharedSquareStream;
class SquareStreamPool;

// What one SQUARES connection sees: a stream of its own requests and their
// answers, in order. Callbacks run on the completion thread; callers hand
// them to their own executor. Send, Detach and Abandon are called from one
// thread.
class CoreStream : public std::enable_shared_from_this<CoreStream> {
 public:
  struct Callbacks {
    // An answer: the request's sequence number and its square.
    std::function<void(uint64_t sequence, std::string square)> on_answer;
    // The call carrying this session's unanswered requests ended without
    // answering them; called at most once, after every on_answer. The stream
    // takes no more requests: open another one.
    std::function<void(absl::Status status)> on_done;
  };

  CoreStream(SquareStreamPool& pool, size_t slot, uint64_t id, Callbacks callbacks)
      : pool_(pool), slot_(slot), id_(id), callbacks_(std::move(callbacks)) {}

  // Sends `requests` (in order) together: on one call, and queued under one
  // lock, so that what one read of the socket brought goes out in as few
  // batches as the batch size allows, however the threads are timed.
  void Send(std::span<const CoreRequest> requests);
  // The session is closing: answers still due are dropped.
  void Detach();
  // The core did not answer in time: stop waiting, and cancel the call this
  // session's requests are stuck on, so no session is sent there again.
  void Abandon();

 private:
  friend class SharedSquareStream;

  SquareStreamPool& pool_;
  const size_t slot_;
  const uint64_t id_;
  const Callbacks callbacks_;
  // The call the session's unanswered requests are on; owner thread only.
  std::shared_ptr<SharedSquareStream> bound_;
  // No callback may run any more (detached, abandoned, or on_done ran).
  std::atomic<bool> ended_{false};
};

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

  // Sends `requests` for `stream`. With `only_if_awaiting`, only while that
  // stream awaits answers here; otherwise only while this call takes new
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
  bool Awaits(uint64_t stream_id);

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
  // The sessions awaiting answers here, by id.
  absl::flat_hash_map<uint64_t, std::shared_ptr<CoreStream>> awaiting_;
  BatchQueue batches_;
  // The call's start has completed. Writes wait for it: in gRPC 1.51 the
  // start and the writes share one set of operations.
  bool started_ = false;
  bool retired_ = false;
  bool close_requested_ = false;
  bool closed_ = false;    // WritesDone started
  bool done_ = false;      // the stream ended: nothing more may be started
  bool finished_ = false;  // the call's status is in
};

// A fixed number of slots, each holding the shared call its sessions use.
class SquareStreamPool {
 public:
  struct Options {
    size_t streams = 8;
    std::chrono::steady_clock::duration max_age = std::chrono::seconds(10);
    OverloadGate* overload = nullptr;  // told of every request and answer; outlives the pool
  };

  // The calls run on `queue`, which must outlive the pool.
  SquareStreamPool(sockrpc::square::v1::SquareService::Stub& stub, grpc::CompletionQueue& queue,
                   Options options);
  // Cancels every call still under way: the completion queue can only be
  // drained once they have all ended.
  ~SquareStreamPool();

  // A stream for one session; sessions are spread over the slots in turn.
  std::shared_ptr<CoreStream> Open(CoreStream::Callbacks callbacks);
  // The slot's current call, replaced first if it ended or grew too old.
  std::shared_ptr<SharedSquareStream> Pick(size_t slot);
  // Retires every call (they half-close once answered); later Picks start new ones.
  void RetireAll();

 private:
  struct Slot {
    std::mutex mu;
    std::shared_ptr<SharedSquareStream> call;
    std::chrono::steady_clock::time_point started;
  };

  sockrpc::square::v1::SquareService::Stub& stub_;
  grpc::CompletionQueue& queue_;
  const Options options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex started_mu_;  // guards started_
  // Every call started, to cancel those still under way at the end.
  std::vector<std::weak_ptr<SharedSquareStream>> started_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_SQUARE_STREAM_POOL_H_
